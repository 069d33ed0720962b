package dev.vane.model.json;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON (RFC 8259) parser for the model files' headers and configs: objects become
 * {@code Map<String, Object>} (insertion order), arrays {@code List<Object>}, strings
 * {@code String}, numbers {@code Long} when integral and in range, else {@code Double}, and
 * {@code Boolean} / {@code null}. Nesting is limited (512) and every error names the offset.
 */
public final class Json {
    private static final int MAX_DEPTH = 512;

    private final String s;
    private int pos;

    private Json(String s) {
        this.s = s;
    }

    /** Parses one JSON value that makes up the whole text (surrounding whitespace allowed). */
    public static Object parse(String text) {
        Json p = new Json(text);
        p.space();
        Object v = p.value(0);
        p.space();
        if (p.pos != text.length()) throw p.error("unexpected text after the value");
        return v;
    }

    private JsonException error(String what) {
        return new JsonException(what, pos);
    }

    private void space() {
        while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t' || s.charAt(pos) == '\n' || s.charAt(pos) == '\r')) pos++;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
        if (pos >= s.length()) throw error("a value expected, the text ends");
        char c = s.charAt(pos);
        switch (c) {
            case '{' -> {
                pos++;
                Map<String, Object> m = new LinkedHashMap<>();
                space();
                if (peek('}')) return Collections.unmodifiableMap(m);
                while (true) {
                    space();
                    if (pos >= s.length() || s.charAt(pos) != '"') throw error("an object key (a string) expected");
                    int at = pos;
                    String key = string();
                    space();
                    expect(':');
                    space();
                    if (m.put(key, value(depth + 1)) != null) throw new JsonException("duplicate key '" + key + "'", at);
                    space();
                    if (peek('}')) return Collections.unmodifiableMap(m);
                    expect(',');
                }
            }
            case '[' -> {
                pos++;
                List<Object> a = new ArrayList<>();
                space();
                if (peek(']')) return Collections.unmodifiableList(a);
                while (true) {
                    space();
                    a.add(value(depth + 1));
                    space();
                    if (peek(']')) return Collections.unmodifiableList(a);
                    expect(',');
                }
            }
            case '"' -> {
                return string();
            }
            case 't' -> {
                word("true");
                return Boolean.TRUE;
            }
            case 'f' -> {
                word("false");
                return Boolean.FALSE;
            }
            case 'n' -> {
                word("null");
                return null;
            }
            default -> {
                return number();
            }
        }
    }

    private boolean peek(char c) {
        if (pos < s.length() && s.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!peek(c)) throw error("'" + c + "' expected");
    }

    private void word(String w) {
        if (!s.startsWith(w, pos)) throw error("'" + w + "' expected");
        pos += w.length();
    }

    private String string() {
        pos++;  // the opening quote
        StringBuilder b = new StringBuilder();
        while (true) {
            if (pos >= s.length()) throw error("unterminated string");
            char c = s.charAt(pos++);
            if (c == '"') return b.toString();
            if (c < 0x20) throw error("control character in a string");
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (pos >= s.length()) throw error("unterminated escape");
            char e = s.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (pos + 4 > s.length()) throw error("truncated \\u escape");
                    int cp = 0;
                    for (int i = 0; i < 4; i++) {
                        int d = Character.digit(s.charAt(pos++), 16);
                        if (d < 0) throw error("bad hex digit in a \\u escape");
                        cp = cp * 16 + d;
                    }
                    b.append((char) cp);  // surrogate pairs come as two escapes, joined by the builder
                }
                default -> throw error("unknown escape \\" + e);
            }
        }
    }

    private Object number() {
        int start = pos;
        if (peek('-')) { /* sign */ }
        if (pos >= s.length() || !digit(s.charAt(pos))) throw error("a value expected");
        if (s.charAt(pos) == '0') pos++;
        else while (pos < s.length() && digit(s.charAt(pos))) pos++;
        boolean integral = true;
        if (peek('.')) {
            integral = false;
            digits();
        }
        if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
            integral = false;
            pos++;
            if (!peek('+')) peek('-');
            digits();
        }
        String t = s.substring(start, pos);
        if (integral && t.length() <= 18) return Long.parseLong(t);
        double d = Double.parseDouble(t);
        // A number past a double's range would read as Infinity, which JSON cannot write back.
        if (Double.isInfinite(d)) throw new JsonException("the number " + abbreviated(t) + " is outside the range of a double (about 1.8e308)", start);
        return d;
    }

    // JSON's digits are ASCII 0-9 only; Character.isDigit would also let in other scripts' digits.
    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    private static String abbreviated(String t) {
        return t.length() <= 40 ? t : t.substring(0, 40) + "...";
    }

    private void digits() {
        int start = pos;
        while (pos < s.length() && digit(s.charAt(pos))) pos++;
        if (pos == start) throw error("digits expected");
    }
}
