package dev.vane.model.chat;

import dev.vane.model.json.Json;
import dev.vane.model.json.JsonException;
import dev.vane.model.json.JsonWriter;
import java.util.Map;

/** Reading the JSON of tool calls out of a model's reply. */
final class ToolCallJson {
    private ToolCallJson() {}

    /**
     * The end (exclusive) of the JSON object or array that starts at from, by bracket depth outside
     * strings, or -1 when the text ends first.
     */
    static int valueEnd(String s, int from) {
        int depth = 0;
        boolean inString = false;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inString) {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (--depth == 0) return i + 1;
            }
        }
        return -1;
    }

    static Object parse(String json, String what) {
        try {
            return Json.parse(json);
        } catch (JsonException e) {
            throw new ToolCallParseException(what + " is not valid JSON (" + e.getMessage() + "): " + json);
        }
    }

    /** A call from {nameKey: ..., argumentsKey: {...}} (arguments also accepted as a JSON string holding an object). */
    static ToolCall call(Object value, String argumentsKey, String what) {
        if (!(value instanceof Map<?, ?> m)) throw new ToolCallParseException(what + " is not a JSON object: " + JsonWriter.compact(value));
        if (!(m.get("name") instanceof String name) || name.isBlank()) {
            throw new ToolCallParseException(what + " has no \"name\" string: " + JsonWriter.compact(value));
        }
        Object args = m.containsKey(argumentsKey) ? m.get(argumentsKey) : Map.of();
        String id = m.get("id") instanceof String s ? s : null;
        return new ToolCall(id, name, arguments(args, what + " (tool " + name + ")"));
    }

    /** Arguments as compact JSON text: an object, or a string that holds one. */
    static String arguments(Object args, String what) {
        if (args instanceof String s) args = parse(s, what + "'s arguments string");
        if (!(args instanceof Map<?, ?>)) throw new ToolCallParseException(what + ": the arguments must be a JSON object, got " + JsonWriter.compact(args));
        return JsonWriter.compact(args);
    }
}
