package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.model.grammar.Grammar;
import dev.vane.model.grammar.GrammarException;

/**
 * OpenAI's response_format as a grammar: {"type": "text"} (or none) is unconstrained,
 * {"type": "json_object"} any JSON object or array, {"type": "json_schema", "json_schema":
 * {"schema": ...}} the values of that schema (docs/GRAMMAR.md's subset; a schema outside it is a
 * 400 naming the keyword). {@link Grammar#fromJsonSchema} keeps grammars by schema text, so a
 * schema sent again finds its token masks cached.
 */
final class ResponseFormats {

    /** The grammar format asks for, or null for none. */
    Grammar grammar(JsonNode format) {
        if (format == null || format.isNull()) return null;
        String type = format.path("type").asText();
        switch (type) {
            case "text":
                return null;
            case "json_object":
                return Grammar.anyJson();
            case "json_schema": {
                JsonNode schema = format.path("json_schema").path("schema");
                if (!schema.isObject() && !schema.isBoolean())
                    throw ApiError.invalidRequest("response_format", "response_format json_schema needs json_schema.schema (an object)");
                try {
                    return Grammar.fromJsonSchema(schema.toString());
                } catch (GrammarException e) {
                    throw ApiError.invalidRequest("response_format", "the schema cannot be enforced: " + e.getMessage());
                }
            }
            default:
                throw ApiError.invalidRequest("response_format", "response_format type must be text, json_object or json_schema, got " + format.path("type"));
        }
    }
}
