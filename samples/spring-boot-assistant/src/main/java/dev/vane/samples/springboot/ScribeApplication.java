package dev.vane.samples.springboot;

import dev.vane.model.ChatReply;
import dev.vane.springai.VaneChatOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.ai.chat.client.AdvisorParams;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.ai.tool.annotation.ToolParam;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;

/**
 * A Spring Boot web application on Vane: the starter auto-configures a ChatModel and an
 * EmbeddingModel on the embedded model (application.properties), and a controller answers through
 * Spring AI's ChatClient. GET /verse?beginning=..., GET /verse/stream?beginning=... (server-sent
 * events), GET /reference?text=... (a structured answer: the reply constrained to the record's
 * JSON schema, mapped by Spring AI), GET /lookup?question=... (a tool the model is made to call:
 * VaneChatOptions.toolChoice(REQUIRED) forces the call with a grammar, Spring AI runs the tool,
 * the model answers after its result), GET /embedding?text=....
 */
@SpringBootApplication
public class ScribeApplication {
    static final String SYSTEM = "You are a scribe. Continue the verse in the words of the King James Bible.";

    /** Where a text is written. */
    public record Reference(String book, int chapter, Testament testament) {}

    public enum Testament { OLD, NEW }

    /** The tool: what the model asked for is kept, and a verse comes back. */
    static final class Concordance {
        final List<String> lookups = new ArrayList<>();

        @Tool(description = "Looks a verse up by book and chapter")
        String lookupVerse(@ToolParam(description = "the book") String book, @ToolParam(description = "the chapter") int chapter) {
            lookups.add(book + " " + chapter);
            return "In the beginning God created the heaven and the earth.";
        }
    }

    public static void main(String[] args) {
        SpringApplication.run(ScribeApplication.class, args);
    }

    @RestController
    static class ScribeController {
        private final ChatClient chat;
        private final EmbeddingModel embeddings;

        ScribeController(ChatClient.Builder chat, EmbeddingModel embeddings) {
            this.chat = chat.defaultSystem(SYSTEM).build();
            this.embeddings = embeddings;
        }

        @GetMapping("/verse")
        Map<String, String> verse(@RequestParam("beginning") String beginning) {
            return Map.of("beginning", beginning, "continuation", chat.prompt().user(beginning).call().content());
        }

        @GetMapping(path = "/verse/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
        Flux<String> stream(@RequestParam("beginning") String beginning) {
            return chat.prompt().user(beginning).stream().content();
        }

        @GetMapping("/reference")
        Reference reference(@RequestParam("text") String text) {
            return chat.prompt().advisors(AdvisorParams.ENABLE_NATIVE_STRUCTURED_OUTPUT).user(text).call().entity(Reference.class);
        }

        // 96 tokens: room for the call (the shortest is 80 bytes; the grammar closes it in time) and, in the 256-token context, for the turn after its result.
        @GetMapping("/lookup")
        Map<String, Object> lookup(@RequestParam("question") String question) {
            Concordance concordance = new Concordance();
            String answer = chat.prompt().user(question).tools(concordance).options(VaneChatOptions.builder().toolChoice(ChatReply.ToolChoice.REQUIRED).maxTokens(96))
                    .call().content();
            return Map.of("question", question, "lookups", concordance.lookups, "answer", answer);
        }

        @GetMapping("/embedding")
        Map<String, Object> embedding(@RequestParam("text") String text) {
            float[] v = embeddings.embed(text);
            return Map.of("text", text, "dimensions", v.length, "vector", v);
        }
    }
}
