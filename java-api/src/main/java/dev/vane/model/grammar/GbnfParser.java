package dev.vane.model.grammar;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses llama.cpp's GBNF: rules {@code name ::= alternatives}, one a line (a rule goes on across
 * lines inside parentheses, after {@code ::=} or {@code |}, and on a next line that starts with
 * {@code |}); {@code |}, {@code ( )}, {@code * + ? {m} {m,} {m,n}}, literals {@code "..."} with
 * escapes {@code \n \r \t \" \\ \[ \] \xHH \\uHHHH \\UHHHHHHHH}, classes {@code [a-z]} and
 * {@code [^"\\]}, {@code .} for any character, {@code #} comments. Errors name line:column.
 */
final class GbnfParser {
    private static final int MAX_REPEAT = 100_000;

    private final String src;
    private int pos;
    private final Map<String, Expr> rules = new LinkedHashMap<>();

    private GbnfParser(String src) {
        this.src = src;
    }

    /** The rules of text in the order written (a rule defined twice is an error). */
    static Map<String, Expr> parse(String text) {
        GbnfParser p = new GbnfParser(text);
        p.grammar();
        if (p.rules.isEmpty()) throw new GrammarException("the grammar defines no rules (expected e.g. root ::= \"yes\" | \"no\")");
        return p.rules;
    }

    private void grammar() {
        skip(true);
        while (pos < src.length()) {
            int at = pos;
            String name = name();
            if (name.isEmpty()) throw error("expected a rule name");
            skip(false);
            if (!src.startsWith("::=", pos)) throw error("expected ::= after the rule name " + name);
            pos += 3;
            skip(true);
            Expr body = alternatives(false);
            if (rules.putIfAbsent(name, body) != null) {
                pos = at;
                throw error("rule " + name + " is defined twice");
            }
            skip(false);
            if (pos < src.length() && src.charAt(pos) != '\n' && src.charAt(pos) != '\r') throw error("expected the end of the line after rule " + name);
            skip(true);
        }
    }

    // Alternatives until ')' (nested) or the end of the line (top level).
    private Expr alternatives(boolean nested) {
        List<Expr> options = new ArrayList<>();
        options.add(sequence(nested));
        while (true) {
            int save = pos;
            if (!nested) skip(true);  // a next line that starts with '|' goes on
            if (pos < src.length() && src.charAt(pos) == '|') {
                pos++;
                skip(true);
                options.add(sequence(nested));
            } else {
                pos = save;
                break;
            }
        }
        return options.size() == 1 ? options.get(0) : new Expr.Alt(options);
    }

    private Expr sequence(boolean nested) {
        List<Expr> items = new ArrayList<>();
        while (true) {
            skip(nested);
            if (pos >= src.length()) break;
            char c = src.charAt(pos);
            Expr item;
            if (c == '"') item = literal();
            else if (c == '[') item = charClass();
            else if (c == '.') {
                pos++;
                item = new Expr.CharClass(true, new int[0]);
            } else if (c == '(') {
                pos++;
                skip(true);
                item = alternatives(true);
                skip(true);
                if (pos >= src.length() || src.charAt(pos) != ')') throw error("expected ) to close the group");
                pos++;
            } else if (isNameChar(c)) {
                int line = line(pos), col = column(pos);
                int save = pos;
                String name = name();
                int after = pos;
                skip(false);
                if (src.startsWith("::=", pos)) {  // the next rule: this sequence ended at a line break
                    pos = save;
                    break;
                }
                pos = after;
                item = new Expr.Ref(name, line, col);
            } else if (c == '|' || c == ')' || c == '\n' || c == '\r') {
                break;
            } else if (c == '*' || c == '+' || c == '?' || c == '{') {
                throw error("expected something to repeat before " + c);
            } else {
                throw error("expected a literal, a character class, a rule name or ( but found '" + c + "'");
            }
            items.add(postfix(item));
        }
        return items.size() == 1 ? items.get(0) : new Expr.Seq(items);
    }

    private Expr postfix(Expr item) {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == '*') item = new Expr.Repeat(item, 0, -1);
            else if (c == '+') item = new Expr.Repeat(item, 1, -1);
            else if (c == '?') item = new Expr.Repeat(item, 0, 1);
            else if (c == '{') {
                pos++;
                skip(false);
                int min = number(), max = min;
                skip(false);
                if (pos < src.length() && src.charAt(pos) == ',') {
                    pos++;
                    skip(false);
                    max = pos < src.length() && Character.isDigit(src.charAt(pos)) ? number() : -1;
                    skip(false);
                }
                if (pos >= src.length() || src.charAt(pos) != '}') throw error("expected } to close the repetition");
                if (max >= 0 && max < min) throw error("the repetition's maximum " + max + " is below its minimum " + min);
                item = new Expr.Repeat(item, min, max);
            } else break;
            pos++;
        }
        return item;
    }

    private int number() {
        int start = pos;
        while (pos < src.length() && Character.isDigit(src.charAt(pos))) pos++;
        if (start == pos) throw error("expected a number");
        long v = Long.parseLong(src.substring(start, Math.min(pos, start + 12)));
        if (v > MAX_REPEAT) {
            pos = start;
            throw error("repetition counts above " + MAX_REPEAT + " are not supported");
        }
        return (int) v;
    }

    private Expr literal() {
        pos++;  // "
        List<Integer> cps = new ArrayList<>();
        while (true) {
            if (pos >= src.length() || src.charAt(pos) == '\n') throw error("expected \" to close the literal");
            if (src.charAt(pos) == '"') break;
            cps.add(character());
        }
        pos++;
        return new Expr.Literal(cps.stream().mapToInt(Integer::intValue).toArray());
    }

    private Expr charClass() {
        pos++;  // [
        boolean negated = pos < src.length() && src.charAt(pos) == '^';
        if (negated) pos++;
        List<Integer> ranges = new ArrayList<>();
        while (true) {
            if (pos >= src.length() || src.charAt(pos) == '\n') throw error("expected ] to close the character class");
            if (src.charAt(pos) == ']') break;
            int lo = character(), hi = lo;
            if (pos + 1 < src.length() && src.charAt(pos) == '-' && src.charAt(pos + 1) != ']') {
                pos++;
                hi = character();
                if (hi < lo) throw error("the range's end is below its start");
            }
            ranges.add(lo);
            ranges.add(hi);
        }
        pos++;
        return new Expr.CharClass(negated, ranges.stream().mapToInt(Integer::intValue).toArray());
    }

    // One (possibly escaped) character of a literal or class.
    private int character() {
        int c = src.codePointAt(pos);
        if (c != '\\') {
            pos += Character.charCount(c);
            return c;
        }
        if (pos + 1 >= src.length()) throw error("expected an escape after \\");
        char e = src.charAt(pos + 1);
        pos += 2;
        return switch (e) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case '\\', '"', '[', ']', '-', '^', '/' -> e;
            case 'x' -> hex(2);
            case 'u' -> hex(4);
            case 'U' -> hex(8);
            default -> {
                pos -= 2;
                throw error("unknown escape \\" + e + " (expected \\n \\r \\t \\\" \\\\ \\[ \\] \\xHH \\uHHHH or \\UHHHHHHHH)");
            }
        };
    }

    private int hex(int digits) {
        if (pos + digits > src.length()) throw error("expected " + digits + " hex digits");
        int v = 0;
        for (int i = 0; i < digits; i++) {
            int d = Character.digit(src.charAt(pos), 16);
            if (d < 0) throw error("expected " + digits + " hex digits");
            v = v * 16 + d;
            pos++;
        }
        if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) throw error("U+" + Integer.toHexString(v) + " is not a Unicode scalar value");
        return v;
    }

    private String name() {
        int start = pos;
        while (pos < src.length() && isNameChar(src.charAt(pos))) pos++;
        return src.substring(start, pos);
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    // Spaces, tabs and comments; line breaks too when newlines.
    private void skip(boolean newlines) {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == ' ' || c == '\t' || (newlines && (c == '\n' || c == '\r'))) pos++;
            else if (c == '#') {
                while (pos < src.length() && src.charAt(pos) != '\n') pos++;
            } else break;
        }
    }

    private int line(int at) {
        int l = 1;
        for (int i = 0; i < at; i++) if (src.charAt(i) == '\n') l++;
        return l;
    }

    private int column(int at) {
        int c = 1;
        for (int i = at - 1; i >= 0 && src.charAt(i) != '\n'; i--) c++;
        return c;
    }

    private GrammarException error(String what) {
        return new GrammarException("GBNF " + line(pos) + ":" + column(pos) + ": " + what);
    }
}
