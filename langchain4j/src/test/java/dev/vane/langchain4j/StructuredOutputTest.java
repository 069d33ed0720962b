package dev.vane.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.service.AiServices;
import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.Model;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** JSON response formats enforced by constrained decoding, directly and through AiServices mapping to a record. */
class StructuredOutputTest {
    static Model model;
    static VaneChatModel chat;

    @BeforeAll
    static void load() throws Exception {
        model = EmbeddedModel.load();
        chat = VaneChatModel.builder().model(model).contextLength(256)
                .defaultRequestParameters(VaneChatRequestParameters.builder().temperature(0.0).build()).build();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void aJsonSchemaResponseMatchesTheSchema() throws Exception {
        JsonObjectSchema verse = JsonObjectSchema.builder()
                .addProperty("book", JsonEnumSchema.builder().enumValues("Genesis", "Exodus", "Psalms").build())
                .addProperty("chapter", JsonIntegerSchema.builder().build())
                .required("book", "chapter").additionalProperties(false).build();
        ChatResponse r = chat.chat(ChatRequest.builder().messages(UserMessage.from("Where is it written: In the beginning God created the heaven?"))
                .responseFormat(ResponseFormat.builder().type(ResponseFormatType.JSON).jsonSchema(JsonSchema.builder().name("Verse").rootElement(verse).build()).build())
                .build());
        JsonNode json = new ObjectMapper().readTree(r.aiMessage().text());
        assertTrue(Set.of("Genesis", "Exodus", "Psalms").contains(json.get("book").asText()), r.aiMessage().text());
        assertTrue(json.get("chapter").isIntegralNumber(), r.aiMessage().text());
        assertEquals(2, json.size(), r.aiMessage().text());
    }

    @Test
    void anyJsonWithoutASchema() throws Exception {
        ChatResponse r = chat.chat(ChatRequest.builder().messages(UserMessage.from("Answer in JSON: who begat Enos?")).responseFormat(ResponseFormat.JSON)
                .maxOutputTokens(200).build());
        assertNotNull(new ObjectMapper().readTree(r.aiMessage().text()), r.aiMessage().text());
    }

    enum Testament { OLD, NEW }

    /** Required fields (LangChain4j makes a record's fields optional unless told): the grammar then writes each. */
    record Reference(@JsonProperty(required = true) String book, @JsonProperty(required = true) int chapter, @JsonProperty(required = true) int verse,
            @JsonProperty(required = true) Testament testament) {}

    interface Librarian {
        Reference find(String text);
    }

    @Test
    void aiServicesMapsTheAnswerToARecord() {
        java.util.List<ResponseFormat> seen = new java.util.ArrayList<>();
        VaneChatModel listened = VaneChatModel.builder().model(model).contextLength(256)
                .defaultRequestParameters(VaneChatRequestParameters.builder().temperature(0.0).build())
                .listeners(java.util.List.of(new dev.langchain4j.model.chat.listener.ChatModelListener() {
                    @Override
                    public void onResponse(dev.langchain4j.model.chat.listener.ChatModelResponseContext c) {
                        seen.add(c.chatRequest().parameters().responseFormat());
                    }
                })).build();
        Librarian librarian = AiServices.create(Librarian.class, listened);
        Reference ref = librarian.find("And God said, Let there be light");
        // AiServices asked for the record's schema as a response format (the model declares the capability), not format instructions.
        assertEquals(1, seen.size());
        assertEquals(ResponseFormatType.JSON, seen.get(0).type());
        assertEquals("Reference", seen.get(0).jsonSchema().name());
        assertNotNull(ref);
        assertNotNull(ref.book());
        assertNotNull(ref.testament());
    }
}
