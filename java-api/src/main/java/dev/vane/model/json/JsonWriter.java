package dev.vane.model.json;

import java.util.List;
import java.util.Map;

/**
 * JSON text of the values {@link Json#parse} makes (maps, lists, strings, numbers, booleans,
 * null), written as Python's json.dumps writes them with ensure_ascii=False: the item and key
 * separators given, and with indent &gt;= 0 one item a line (Python then drops the space after
 * the comma). Non-ASCII characters are written as they are; control characters escaped.
 */
public final class JsonWriter {
    private final String itemSeparator;
    private final String keySeparator;
    private final int indent;  // -1: all on one line

    private JsonWriter(String itemSeparator, String keySeparator, int indent) {
        this.itemSeparator = itemSeparator;
        this.keySeparator = keySeparator;
        this.indent = indent;
    }

    /** Without spaces: {"a":1,"b":[true,null]}. */
    public static String compact(Object value) {
        return new JsonWriter(",", ":", -1).write(value);
    }

    /** As Python's json.dumps(value) (and Hugging Face's tojson): {"a": 1, "b": [true, null]}. */
    public static String python(Object value) {
        return new JsonWriter(", ", ": ", -1).write(value);
    }

    /** As Python's json.dumps(value, indent=indent): items on their own lines, "," then a newline. */
    public static String pythonIndented(Object value, int indent) {
        if (indent < 0) throw new IllegalArgumentException("indent must be >= 0, got " + indent);
        return new JsonWriter(",", ": ", indent).write(value);
    }

    private String write(Object value) {
        StringBuilder s = new StringBuilder();
        write(value, s, 0);
        return s.toString();
    }

    private void write(Object v, StringBuilder s, int depth) {
        switch (v) {
            case null -> s.append("null");
            case String str -> quote(str, s);
            case Boolean b -> s.append(b);
            case Double d when d.isNaN() -> s.append("NaN");
            case Double d when d.isInfinite() -> s.append(d > 0 ? "Infinity" : "-Infinity");
            case Number n -> s.append(n);
            case Map<?, ?> m -> {
                if (m.isEmpty()) { s.append("{}"); return; }
                s.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) s.append(itemSeparator);
                    first = false;
                    newline(s, depth + 1);
                    quote(String.valueOf(e.getKey()), s);
                    s.append(keySeparator);
                    write(e.getValue(), s, depth + 1);
                }
                newline(s, depth);
                s.append('}');
            }
            case List<?> l -> {
                if (l.isEmpty()) { s.append("[]"); return; }
                s.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) s.append(itemSeparator);
                    newline(s, depth + 1);
                    write(l.get(i), s, depth + 1);
                }
                newline(s, depth);
                s.append(']');
            }
            default -> throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as JSON (expected a map, list, string, number, boolean or null)");
        }
    }

    private void newline(StringBuilder s, int depth) {
        if (indent < 0) return;
        s.append('\n').append(" ".repeat(indent * depth));
    }

    private static void quote(String str, StringBuilder s) {
        s.append('"');
        for (int i = 0; i < str.length(); i++) {
            char c = str.charAt(i);
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                case '\b' -> s.append("\\b");
                case '\f' -> s.append("\\f");
                default -> {
                    if (c < 0x20) s.append(String.format("\\u%04x", (int) c));
                    else s.append(c);
                }
            }
        }
        s.append('"');
    }
}
