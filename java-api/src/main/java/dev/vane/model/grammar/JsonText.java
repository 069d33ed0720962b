package dev.vane.model.grammar;

import java.util.List;
import java.util.Map;

/** JSON values (as {@link dev.vane.model.json.Json} parses them) written back compactly, and text quoted as a GBNF literal. */
final class JsonText {
    private JsonText() {}

    static String write(Object v) {
        StringBuilder b = new StringBuilder();
        write(v, b);
        return b.toString();
    }

    private static void write(Object v, StringBuilder b) {
        switch (v) {
            case null -> b.append("null");
            case String s -> string(s, b);
            case Boolean x -> b.append(x);
            case Long x -> b.append(x);
            case Double x -> {
                if (x.isNaN() || x.isInfinite()) throw new GrammarException("the schema holds a number JSON cannot write: " + x);
                b.append(x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString(x.longValue()) : Double.toString(x));
            }
            case Map<?, ?> m -> {
                b.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) b.append(',');
                    first = false;
                    string((String) e.getKey(), b);
                    b.append(':');
                    write(e.getValue(), b);
                }
                b.append('}');
            }
            case List<?> l -> {
                b.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) b.append(',');
                    write(l.get(i), b);
                }
                b.append(']');
            }
            default -> throw new GrammarException("unexpected JSON value " + v);
        }
    }

    private static void string(String s, StringBuilder b) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }

    /** text as a GBNF literal ("..." with escapes). */
    static String literal(String text) {
        StringBuilder b = new StringBuilder("\"");
        text.codePoints().forEach(c -> {
            if (c == '"') b.append("\\\"");
            else if (c == '\\') b.append("\\\\");
            else if (c == '\n') b.append("\\n");
            else if (c == '\r') b.append("\\r");
            else if (c == '\t') b.append("\\t");
            else if (c < 0x20 || c == 0x7F) b.append(String.format("\\x%02X", c));
            else b.appendCodePoint(c);
        });
        return b.append('"').toString();
    }
}
