package dev.vane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.GenerationOptions;
import dev.vane.model.GenerationResult;
import dev.vane.model.Model;
import dev.vane.model.Sampling;
import dev.vane.model.Session;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * POST /v1/completions over real HTTP on the embedded model: greedy text equal to
 * Session.generate alone (also for requests running together), the stream's pieces adding up to
 * the same text and ending with [DONE], stop sequences, usage, and refused parameters.
 */
class CompletionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROMPT = "And God said, Let there be";
    private static Model model;
    private static VaneServer server;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        model = EmbeddedModel.load();
        server = VaneServer.start(model, ServerOptions.defaults("tiny").withPort(0).withScheduling(3, 16));
        client = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
    }

    private static HttpResponse<String> post(Object body) throws Exception {
        String json = body instanceof String s ? s : JSON.writeValueAsString(body);
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static GenerationResult alone(String prompt, int maxTokens) {
        try (Session s = model.newSession()) {
            return s.generate(model.tokenizer().encode(prompt, true), GenerationOptions.of(maxTokens, Sampling.greedy()), t -> true);
        }
    }

    @Test
    void greedyTextEqualsTheSessionAlone() throws Exception {
        GenerationResult want = alone(PROMPT, 24);
        HttpResponse<String> r = post(Map.of("prompt", PROMPT, "max_tokens", 24, "temperature", 0));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode b = JSON.readTree(r.body());
        assertEquals("text_completion", b.get("object").asText());
        assertEquals("tiny", b.get("model").asText());
        assertTrue(b.get("id").asText().startsWith("cmpl-"));
        JsonNode choice = b.get("choices").get(0);
        assertEquals(want.text(), choice.get("text").asText());
        assertEquals(want.stopReason() == GenerationResult.StopReason.MAX_TOKENS ? "length" : "stop", choice.get("finish_reason").asText());
        assertEquals(want.promptTokens(), b.get("usage").get("prompt_tokens").asInt());
        assertEquals(want.tokens().length, b.get("usage").get("completion_tokens").asInt());
        assertEquals(want.promptTokens() + want.tokens().length, b.get("usage").get("total_tokens").asInt());
    }

    @Test
    void requestsRunningTogetherEachGiveTheirTextAlone() throws Exception {
        String[] prompts = {"In the beginning", "And the LORD spake unto Moses", "Blessed are", "The", "For God so loved", "Thou shalt"};
        List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
        for (int i = 0; i < prompts.length; i++) {
            String body = JSON.writeValueAsString(Map.of("prompt", prompts[i], "max_tokens", 10 + 5 * i, "temperature", 0));
            replies.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < prompts.length; i++) {
            HttpResponse<String> r = replies.get(i).join();
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(alone(prompts[i], 10 + 5 * i).text(), JSON.readTree(r.body()).get("choices").get(0).get("text").asText(), "request " + i);
        }
    }

    // The stream's chunks: their text joined, the last chunk's finish_reason, and that it ends with [DONE].
    private static String[] streamed(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        String[] events = r.body().split("\n\n");
        assertEquals("data: [DONE]", events[events.length - 1]);
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (int i = 0; i < events.length - 1; i++) {
            assertTrue(events[i].startsWith("data: "), events[i]);
            JsonNode chunk = JSON.readTree(events[i].substring(6));
            assertEquals("text_completion", chunk.get("object").asText());
            JsonNode c = chunk.get("choices").get(0);
            text.append(c.get("text").asText());
            if (!c.get("finish_reason").isNull()) {
                assertEquals(events.length - 2, i, "finish_reason only on the last chunk");
                finish = c.get("finish_reason").asText();
            }
        }
        return new String[] {text.toString(), finish};
    }

    @Test
    void theStreamAddsUpToTheSameText() throws Exception {
        GenerationResult want = alone(PROMPT, 30);
        String[] got = streamed(post(Map.of("prompt", PROMPT, "max_tokens", 30, "temperature", 0, "stream", true)));
        assertEquals(want.text(), got[0]);
        assertEquals(want.stopReason() == GenerationResult.StopReason.MAX_TOKENS ? "length" : "stop", got[1]);
    }

    @Test
    void logprobsAreThoseOfTheSessionAlone() throws Exception {
        List<dev.vane.model.GeneratedToken> want = new ArrayList<>();
        try (Session s = model.newSession()) {
            s.generate(model.tokenizer().encode(PROMPT, true), GenerationOptions.of(6, Sampling.greedy()).withTopLogprobs(2), want::add);
        }
        JsonNode lp = JSON.readTree(post(Map.of("prompt", PROMPT, "max_tokens", 6, "temperature", 0, "logprobs", 2)).body())
                .get("choices").get(0).get("logprobs");
        assertEquals(want.size(), lp.get("token_logprobs").size());
        int offset = 0;
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i).logprob(), lp.get("token_logprobs").get(i).floatValue(), 1e-4, "token " + i);
            assertEquals(2, lp.get("top_logprobs").get(i).size());
            assertEquals(offset, lp.get("text_offset").get(i).asInt());
            offset += want.get(i).text().length();
        }
        assertTrue(JSON.readTree(post(Map.of("prompt", PROMPT, "max_tokens", 2)).body()).get("choices").get(0).get("logprobs").isNull());
    }

    @Test
    void stopSequencesCutTheTextBeforeThem() throws Exception {
        String full = alone(PROMPT, 40).text();
        assertTrue(full.length() > 12, "the embedded model's greedy text is long enough: '" + full + "'");
        String stop = full.substring(8, 11);
        String want = full.substring(0, full.indexOf(stop));
        JsonNode b = JSON.readTree(post(Map.of("prompt", PROMPT, "max_tokens", 40, "temperature", 0, "stop", List.of("\u0000never", stop))).body());
        assertEquals(want, b.get("choices").get(0).get("text").asText());
        assertEquals("stop", b.get("choices").get(0).get("finish_reason").asText());
        String[] s = streamed(post(Map.of("prompt", PROMPT, "max_tokens", 40, "temperature", 0, "stop", stop, "stream", true)));
        assertEquals(want, s[0]);
        assertEquals("stop", s[1]);
    }

    @Test
    void seededSamplingRepeats() throws Exception {
        Map<String, Object> req = Map.of("prompt", PROMPT, "max_tokens", 20, "temperature", 0.9, "top_p", 0.9, "seed", 42);
        String a = JSON.readTree(post(req).body()).get("choices").get(0).get("text").asText();
        String b = JSON.readTree(post(req).body()).get("choices").get(0).get("text").asText();
        assertEquals(a, b);
    }

    private static void assertRefused(String body, String says) throws Exception {
        HttpResponse<String> r = post(body);
        assertEquals(400, r.statusCode(), r.body());
        String message = JSON.readTree(r.body()).get("error").get("message").asText();
        assertTrue(message.contains(says), () -> "'" + message + "' lacks '" + says + "'");
    }

    @Test
    void refusesWhatItCannotDo() throws Exception {
        assertRefused("{\"prompt\": \"a\", \"n\": 2}", "n = 1");
        assertRefused("{\"prompt\": [\"a\", \"b\"]}", "'prompt' must be a string");
        assertRefused("{\"max_tokens\": 3}", "'prompt' must be a string");
        assertRefused("{\"prompt\": \"a\", \"max_tokens\": 0}", "max_tokens must be in 1..");
        assertRefused("{\"prompt\": \"a\", \"max_tokens\": 100000}", "the server's limit");
        assertRefused("{\"prompt\": \"a\", \"max_tokens\": " + (model.config().contextLength() + 1) + "}", "max_tokens must be in 1..");
        assertRefused("{\"prompt\": \"a\", \"temperature\": 3}", "temperature must be in [0, 2]");
        assertRefused("{\"prompt\": \"a\", \"top_p\": 0}", "top_p must be in (0, 1]");
        assertRefused("{\"prompt\": \"a\", \"stop\": [\"1\", \"2\", \"3\", \"4\", \"5\"]}", "up to 4 strings");
        assertRefused("{\"prompt\": \"a\", \"stop\": \"\"}", "must not be empty");
        assertRefused("{\"prompt\": \"a\", \"best_of\": 2}", "only best_of = 1");
        assertRefused("{\"prompt\": \"a\", \"echo\": true}", "echo is not supported");
        assertRefused("{\"prompt\": \"a\", \"logprobs\": 6}", "logprobs must be in 0..5");
        assertRefused("{\"prompt\": \"a\", \"presence_penalty\": 0.5}", "presence_penalty is not supported");
        assertRefused("{\"prompt\": \"a\", \"best_off\": 2}", "unknown field 'best_off'");
        assertRefused("{\"prompt\": \"" + "the ".repeat(400) + "\"}", "the context holds");
    }
}
