package dev.vane.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonReferenceSchema;
import org.junit.jupiter.api.Test;

/** LangChain4j's schema elements written as JSON Schema text. */
class JsonSchemasTest {
    @Test
    void objectsWithNestedElementsKeepTheirOrder() {
        JsonObjectSchema verse = JsonObjectSchema.builder()
                .addStringProperty("book", "the book's name")
                .addProperty("chapter", JsonIntegerSchema.builder().build())
                .addProperty("tags", JsonArraySchema.builder().items(JsonEnumSchema.builder().enumValues("law", "poetry").build()).build())
                .required("book", "chapter").additionalProperties(false).build();
        assertEquals("{\"type\":\"object\",\"properties\":{\"book\":{\"type\":\"string\",\"description\":\"the book's name\"},"
                + "\"chapter\":{\"type\":\"integer\"},\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":[\"law\",\"poetry\"]}}},"
                + "\"required\":[\"book\",\"chapter\"],\"additionalProperties\":false}", JsonSchemas.toJson(verse));
    }

    @Test
    void referencesPointIntoDefs() {
        JsonObjectSchema node = JsonObjectSchema.builder().addProperty("next", JsonReferenceSchema.builder().reference("Node").build())
                .definitions(java.util.Map.of("Node", JsonObjectSchema.builder().addStringProperty("name").build())).build();
        assertEquals("{\"type\":\"object\",\"properties\":{\"next\":{\"$ref\":\"#/$defs/Node\"}},\"$defs\":{\"Node\":{\"type\":\"object\","
                + "\"properties\":{\"name\":{\"type\":\"string\"}}}}}", JsonSchemas.toJson(node));
    }

    @Test
    void rawSchemasPassThroughAndBadOnesAreRefused() {
        assertEquals("{\"type\":\"string\",\"maxLength\":5}", JsonSchemas.toJson(JsonRawSchema.from("{\"type\": \"string\", \"maxLength\": 5}")));
        assertThrows(IllegalArgumentException.class, () -> JsonSchemas.toJson(JsonRawSchema.from("{not json")));
    }
}
