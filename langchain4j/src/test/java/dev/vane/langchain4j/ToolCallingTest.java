package dev.vane.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.Model;
import dev.vane.model.chat.ModelChatFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tools on the embedded model (rendered through its Hermes-style template by vane-jinja): with
 * ToolChoice.REQUIRED a grammar makes the model call one, whatever it would have said; AiServices
 * runs the tool and the model answers after the result.
 */
class ToolCallingTest {
    static Model model;
    static VaneChatModel chat;

    @BeforeAll
    static void load() throws Exception {
        model = EmbeddedModel.load();
        chat = VaneChatModel.builder().model(model).contextLength(256)
                .chatFormat(ModelChatFormat.choose(EmbeddedModel.toolsChatTemplate(), model.specialTokenTexts()))
                .defaultRequestParameters(VaneChatRequestParameters.builder().temperature(0.0).maxOutputTokens(120).build()).build();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static final ToolSpecification LOOKUP = ToolSpecification.builder().name("lookup_verse").description("Looks a verse up by book and chapter")
            .parameters(JsonObjectSchema.builder().addEnumProperty("book", List.of("Genesis", "Exodus")).addIntegerProperty("chapter")
                    .required("book", "chapter").additionalProperties(false).build())
            .build();

    @Test
    void requiredToolChoiceForcesAValidCall() throws Exception {
        ChatResponse r = chat.chat(ChatRequest.builder().messages(UserMessage.from("Where is the flood?")).toolSpecifications(LOOKUP)
                .toolChoice(ToolChoice.REQUIRED).build());
        assertEquals(FinishReason.TOOL_EXECUTION, r.metadata().finishReason());
        assertEquals(1, r.aiMessage().toolExecutionRequests().size());
        ToolExecutionRequest call = r.aiMessage().toolExecutionRequests().get(0);
        assertEquals("lookup_verse", call.name());
        JsonNode args = new ObjectMapper().readTree(call.arguments());
        assertTrue(Set.of("Genesis", "Exodus").contains(args.get("book").asText()), call.arguments());
        assertTrue(args.get("chapter").isIntegralNumber(), call.arguments());
        assertFalse(call.id().isBlank());
    }

    @Test
    void withoutRequiredTheModelAnswersInText() {
        ChatResponse r = chat.chat(ChatRequest.builder().messages(UserMessage.from("And God said")).toolSpecifications(LOOKUP).build());
        assertFalse(r.aiMessage().hasToolExecutionRequests());  // this model never learned to call tools
        assertFalse(r.aiMessage().text().isEmpty());
    }

    /** The application's tool: what the model asked for is recorded, and a verse comes back. */
    static final class Concordance {
        final List<String> asked = new ArrayList<>();

        @Tool("Looks a verse up by book and chapter")
        String lookupVerse(@P("the book") String book, @P("the chapter") int chapter) {
            asked.add(book + " " + chapter);
            return "In the beginning God created the heaven and the earth.";
        }
    }

    interface Scribe {
        String answer(String question);
    }

    @Test
    void aiServicesRunsTheForcedToolAndAnswersAfterItsResult() throws Exception {
        Concordance concordance = new Concordance();
        VaneChatModel forcing = VaneChatModel.builder().model(model).contextLength(256)
                .chatFormat(ModelChatFormat.choose(EmbeddedModel.toolsChatTemplate(), model.specialTokenTexts()))
                .defaultRequestParameters(VaneChatRequestParameters.builder().temperature(0.0).maxOutputTokens(120).toolChoice(ToolChoice.REQUIRED).build())
                .build();
        Scribe scribe = AiServices.builder(Scribe.class).chatModel(forcing).tools(concordance).build();
        String answer = scribe.answer("What was made in the beginning?");
        assertEquals(1, concordance.asked.size(), "the tool ran once: " + concordance.asked);
        assertFalse(answer.isEmpty());
    }
}
