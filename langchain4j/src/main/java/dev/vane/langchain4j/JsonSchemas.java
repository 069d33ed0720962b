package dev.vane.langchain4j;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNullSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonReferenceSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LangChain4j's schema elements (a tool's parameters, a JSON response format) as JSON Schema text,
 * the form Vane's chat templates and constrained decoding take. Property order is kept; a
 * reference points into the root object's $defs, as LangChain4j writes recursive types.
 */
final class JsonSchemas {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonSchemas() {}

    static String toJson(JsonSchemaElement element) {
        try {
            return JSON.writeValueAsString(toMap(element));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON schema: " + e.getMessage(), e);
        }
    }

    static Map<String, Object> toMap(JsonSchemaElement e) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (e) {
            case JsonObjectSchema o -> {
                m.put("type", "object");
                Map<String, Object> props = new LinkedHashMap<>();
                if (o.properties() != null) o.properties().forEach((k, v) -> props.put(k, toMap(v)));
                m.put("properties", props);
                if (o.required() != null && !o.required().isEmpty()) m.put("required", List.copyOf(o.required()));
                if (o.additionalProperties() != null) m.put("additionalProperties", o.additionalProperties());
                if (o.definitions() != null && !o.definitions().isEmpty()) {
                    Map<String, Object> defs = new LinkedHashMap<>();
                    o.definitions().forEach((k, v) -> defs.put(k, toMap(v)));
                    m.put("$defs", defs);
                }
            }
            case JsonArraySchema a -> {
                m.put("type", "array");
                if (a.items() != null) m.put("items", toMap(a.items()));
            }
            case JsonStringSchema s -> m.put("type", "string");
            case JsonIntegerSchema i -> m.put("type", "integer");
            case JsonNumberSchema n -> m.put("type", "number");
            case JsonBooleanSchema b -> m.put("type", "boolean");
            case JsonNullSchema n -> m.put("type", "null");
            case JsonEnumSchema en -> {
                m.put("type", "string");
                m.put("enum", List.copyOf(en.enumValues()));
            }
            case JsonAnyOfSchema any -> {
                List<Object> alternatives = new ArrayList<>();
                for (JsonSchemaElement x : any.anyOf()) alternatives.add(toMap(x));
                m.put("anyOf", alternatives);
            }
            case JsonReferenceSchema r -> m.put("$ref", "#/$defs/" + r.reference());
            case JsonRawSchema raw -> {
                try {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> parsed = JSON.readValue(raw.schema(), LinkedHashMap.class);
                    return parsed;
                } catch (JsonProcessingException x) {
                    throw new IllegalArgumentException("a raw JSON schema is not valid JSON: " + x.getOriginalMessage(), x);
                }
            }
            default -> throw new UnsupportedFeatureException("JSON schema elements of type " + e.getClass().getSimpleName() + " are not supported");
        }
        if (e.description() != null) m.put("description", e.description());
        return m;
    }
}
