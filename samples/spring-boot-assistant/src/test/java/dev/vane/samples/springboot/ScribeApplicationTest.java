package dev.vane.samples.springboot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vane.model.GenerationOptions;
import dev.vane.model.Model;
import dev.vane.model.Session;
import dev.vane.model.chat.ChatMessage;
import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.chat.ChatFormat;
import dev.vane.model.chat.ModelChatFormat;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Starts the application on a random port and asks it over HTTP (the JDK's client), against Vane's own API. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ScribeApplicationTest {
    @LocalServerPort
    int port;

    @Autowired
    Model model;

    final HttpClient http = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    String get(String pathAndQuery) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    String expected(String beginning) throws Exception {
        ChatFormat format = ModelChatFormat.choose(EmbeddedModel.toolsChatTemplate(), model.specialTokenTexts());
        try (Session s = model.newSession()) {
            return s.chat(format, List.of(ChatMessage.system(ScribeApplication.SYSTEM), ChatMessage.user(beginning)), List.of(), GenerationOptions.greedy(120),
                    t -> true).text();
        }
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void verseIsTheModelsGreedyContinuation() throws Exception {
        String body = get("/verse?beginning=" + q("And God said"));
        String want = expected("And God said");
        assertThat(want).isNotEmpty();
        assertThat(body).contains("\"continuation\":\"" + want.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"");
    }

    @Test
    void streamSendsTheSameTextAsEvents() throws Exception {
        String body = get("/verse/stream?beginning=" + q("And the LORD spake unto Moses"));
        // Each event: "data:" + piece; a piece with a newline spans several data lines.
        List<String> events = List.of(body.split("\n\n"));
        assertThat(events.size()).isGreaterThan(1);
        String joined = events.stream().filter(e -> !e.isBlank())
                .map(e -> e.lines().map(l -> l.startsWith("data:") ? l.substring(5) : l).collect(Collectors.joining("\n"))).collect(Collectors.joining());
        assertThat(joined).isEqualTo(expected("And the LORD spake unto Moses"));
    }

    @Test
    void referenceIsAStructuredAnswer() throws Exception {
        JsonNode r = JSON.readTree(get("/reference?text=" + q("In the beginning God created the heaven and the earth.")));
        assertThat(r.get("book").isTextual()).as(r.toString()).isTrue();
        assertThat(r.get("chapter").isIntegralNumber()).as(r.toString()).isTrue();
        assertThat(r.get("testament").asText()).isIn("OLD", "NEW");
    }

    @Test
    void lookupCallsTheToolThenAnswers() throws Exception {
        JsonNode r = JSON.readTree(get("/lookup?question=" + q("Where is the flood?")));
        assertThat(r.get("lookups").size()).as(r.toString()).isEqualTo(1);
        assertThat(r.get("answer").asText()).isNotEmpty();
    }

    @Test
    void embeddingHasTheModelsWidth() throws Exception {
        assertThat(get("/embedding?text=" + q("Jesus wept."))).contains("\"dimensions\":" + model.config().dim());
    }
}
