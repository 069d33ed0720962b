package dev.vane.samples.springboot;

import java.util.Map;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.embedding.EmbeddingModel;
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
 * events), GET /embedding?text=....
 */
@SpringBootApplication
public class ScribeApplication {
    static final String SYSTEM = "You are a scribe. Continue the verse in the words of the King James Bible.";

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

        @GetMapping("/embedding")
        Map<String, Object> embedding(@RequestParam("text") String text) {
            float[] v = embeddings.embed(text);
            return Map.of("text", text, "dimensions", v.length, "vector", v);
        }
    }
}
