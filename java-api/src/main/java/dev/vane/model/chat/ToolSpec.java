package dev.vane.model.chat;

import dev.vane.model.json.Json;
import dev.vane.model.json.JsonException;
import java.util.Map;
import java.util.Objects;

/**
 * A tool the model may call: its name, what it does, and its parameters as a JSON schema (the
 * text of a JSON object, e.g. {"type":"object","properties":{...},"required":[...]}). Templates
 * render it as an OpenAI-style function: {"type":"function","function":{name, description, parameters}}.
 */
public record ToolSpec(String name, String description, String parametersSchema) {
    public ToolSpec {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(description, "description must not be null (use \"\" for none)");
        if (name.isBlank()) throw new IllegalArgumentException("a tool needs a name, got a blank one");
        if (parametersSchema == null || parametersSchema.isBlank()) {
            throw new IllegalArgumentException("tool '" + name + "' has no parameters schema; expected a JSON schema object such as {\"type\":\"object\",\"properties\":{}}");
        }
        try {
            if (!(Json.parse(parametersSchema) instanceof Map<?, ?>)) {
                throw new IllegalArgumentException("tool '" + name + "': the parameters schema must be a JSON object, got " + parametersSchema);
            }
        } catch (JsonException e) {
            throw new IllegalArgumentException("tool '" + name + "': the parameters schema is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** The schema parsed (a map in the schema's key order). */
    @SuppressWarnings("unchecked")
    public Map<String, Object> parameters() {
        return (Map<String, Object>) Json.parse(parametersSchema);
    }
}
