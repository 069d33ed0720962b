package dev.vane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.GeneratedToken;
import dev.vane.model.GenerationOptions;
import dev.vane.model.GenerationResult;
import dev.vane.model.Model;
import dev.vane.model.Pooling;
import dev.vane.model.Sampling;
import dev.vane.model.Session;
import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ChatTemplate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * POST /v1/chat/completions and /v1/embeddings over real HTTP on the embedded model: greedy
 * replies equal to Session.chat alone, the stream's deltas in OpenAI's chunk order, usage and
 * log probabilities, embeddings equal to Model.embed, and refused requests.
 */
class ChatCompletionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final List<ChatMessage> CHAT = List.of(ChatMessage.system("You are terse."), ChatMessage.user("Who made the heaven and the earth?"));
    static final List<Map<String, String>> CHAT_JSON = List.of(Map.of("role", "system", "content", "You are terse."),
            Map.of("role", "user", "content", "Who made the heaven and the earth?"));
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

    static GenerationResult chatAlone(Model model, List<ChatMessage> messages, int maxTokens, List<GeneratedToken> tokens) {
        try (Session s = model.newSession()) {
            return s.chat(model.chatTemplate().orElse(ChatTemplate.CHATML), messages, GenerationOptions.of(maxTokens, Sampling.greedy()).withTopLogprobs(3),
                    tokens::add);
        }
    }

    private static HttpResponse<String> post(String path, Object body) throws Exception {
        String json = body instanceof String s ? s : JSON.writeValueAsString(body);
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void greedyReplyEqualsTheSessionAlone() throws Exception {
        List<GeneratedToken> tokens = new ArrayList<>();
        GenerationResult want = chatAlone(model, CHAT, 20, tokens);
        HttpResponse<String> r = post("/v1/chat/completions", Map.of("messages", CHAT_JSON, "max_tokens", 20, "temperature", 0, "logprobs", true,
                "top_logprobs", 3));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode b = JSON.readTree(r.body());
        assertEquals("chat.completion", b.get("object").asText());
        assertTrue(b.get("id").asText().startsWith("chatcmpl-"));
        JsonNode choice = b.get("choices").get(0);
        assertEquals("assistant", choice.get("message").get("role").asText());
        assertEquals(want.text(), choice.get("message").get("content").asText());
        assertEquals(want.stopReason() == GenerationResult.StopReason.MAX_TOKENS ? "length" : "stop", choice.get("finish_reason").asText());
        assertEquals(want.promptTokens(), b.get("usage").get("prompt_tokens").asInt());
        assertEquals(want.tokens().length, b.get("usage").get("completion_tokens").asInt());
        JsonNode content = choice.get("logprobs").get("content");
        assertEquals(tokens.size(), content.size());
        for (int i = 0; i < tokens.size(); i++) {
            assertEquals(tokens.get(i).logprob(), content.get(i).get("logprob").floatValue(), 1e-4);
            assertEquals(3, content.get(i).get("top_logprobs").size());
            assertEquals(content.get(i).get("token").asText(), content.get(i).get("top_logprobs").get(0).get("token").asText(), "greedy: the top one");
        }
    }

    @Test
    void aRepeatedConversationReusesItsCachedPrefix() throws Exception {
        String want = chatAlone(model, CHAT, 12, new ArrayList<>()).text();
        Map<String, Object> req = Map.of("messages", CHAT_JSON, "max_tokens", 12, "temperature", 0);
        assertEquals(want, JSON.readTree(post("/v1/chat/completions", req).body()).get("choices").get(0).get("message").get("content").asText());
        dev.vane.model.Scheduler.Stats before = server.schedulerStats();
        JsonNode again = JSON.readTree(post("/v1/chat/completions", req).body());
        dev.vane.model.Scheduler.Stats after = server.schedulerStats();
        assertEquals(want, again.get("choices").get(0).get("message").get("content").asText(), "the same reply from the cached prefix");
        assertEquals(1, after.promptHits() - before.promptHits());
        assertEquals(again.get("usage").get("prompt_tokens").asInt() - 1, after.reusedPromptTokens() - before.reusedPromptTokens(),
                "all of the prompt but its last token came from the cache");
    }

    @Test
    void theStreamSendsTheRoleThenDeltasThenTheFinishAndUsage() throws Exception {
        GenerationResult want = chatAlone(model, CHAT, 24, new ArrayList<>());
        HttpResponse<String> r = post("/v1/chat/completions", Map.of("messages", CHAT_JSON, "max_tokens", 24, "temperature", 0, "stream", true,
                "stream_options", Map.of("include_usage", true)));
        assertEquals(200, r.statusCode(), r.body());
        String[] events = r.body().split("\n\n");
        assertEquals("data: [DONE]", events[events.length - 1]);
        List<JsonNode> chunks = new ArrayList<>();
        for (int i = 0; i < events.length - 1; i++) chunks.add(JSON.readTree(events[i].substring("data: ".length())));
        for (JsonNode c : chunks) assertEquals("chat.completion.chunk", c.get("object").asText());
        assertEquals("assistant", chunks.get(0).get("choices").get(0).get("delta").get("role").asText());
        StringBuilder text = new StringBuilder();
        for (JsonNode c : chunks.subList(0, chunks.size() - 2)) {
            assertTrue(c.get("choices").get(0).get("finish_reason").isNull());
            text.append(c.get("choices").get(0).get("delta").path("content").asText());
        }
        assertEquals(want.text(), text.toString());
        JsonNode finish = chunks.get(chunks.size() - 2);
        assertEquals(want.stopReason() == GenerationResult.StopReason.MAX_TOKENS ? "length" : "stop",
                finish.get("choices").get(0).get("finish_reason").asText());
        JsonNode usage = chunks.get(chunks.size() - 1);
        assertEquals(0, usage.get("choices").size());
        assertEquals(want.tokens().length, usage.get("usage").get("completion_tokens").asInt());
    }

    @Test
    void embeddingsAreTheModelsMeanPooledUnitVectors() throws Exception {
        List<float[]> want = model.embed(List.of("In the beginning", "the earth"), Pooling.MEAN, true);
        JsonNode b = JSON.readTree(post("/v1/embeddings", Map.of("input", List.of("In the beginning", "the earth"))).body());
        assertEquals("mean", b.get("pooling").asText());
        assertEquals(2, b.get("data").size());
        for (int i = 0; i < 2; i++) {
            JsonNode v = b.get("data").get(i).get("embedding");
            assertEquals(want.get(i).length, v.size());
            for (int j = 0; j < v.size(); j++) assertEquals(want.get(i)[j], v.get(j).floatValue(), 1e-6);
        }
        JsonNode b64 = JSON.readTree(post("/v1/embeddings", Map.of("input", "the earth", "encoding_format", "base64")).body());
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(b64.get("data").get(0).get("embedding").asText())).order(ByteOrder.LITTLE_ENDIAN);
        // Alone, not beside "In the beginning": texts share forward passes, and this model's F16 GEMM is not batch-invariant.
        float[] alone = model.embed(List.of("the earth"), Pooling.MEAN, true).get(0);
        for (int j = 0; j < alone.length; j++) assertEquals(alone[j], bytes.getFloat(), 0f);
        assertTrue(b64.get("usage").get("prompt_tokens").asInt() > 0);
    }

    private static void assertRefused(String path, String body, String says) throws Exception {
        HttpResponse<String> r = post(path, body);
        assertEquals(400, r.statusCode(), r.body());
        String message = JSON.readTree(r.body()).get("error").get("message").asText();
        assertTrue(message.contains(says), () -> "'" + message + "' lacks '" + says + "'");
    }

    @Test
    void responseFormatJsonSchemaConstrainsTheReply() throws Exception {
        Map<String, Object> schema = Map.of("type", "object", "properties", Map.of("answer", Map.of("type", "string", "maxLength", 12),
                "sure", Map.of("type", "boolean")), "required", List.of("answer", "sure"), "additionalProperties", false);
        for (Map<String, Object> format : List.of(Map.<String, Object>of("type", "json_schema", "json_schema", Map.of("name", "reply", "schema", schema)),
                Map.<String, Object>of("type", "json_object"))) {
            HttpResponse<String> r = post("/v1/chat/completions", Map.of("messages", CHAT_JSON, "max_tokens", 180, "temperature", 0.8, "seed", 3,
                    "response_format", format));
            assertEquals(200, r.statusCode(), r.body());
            JsonNode choice = JSON.readTree(r.body()).get("choices").get(0);
            String content = choice.get("message").get("content").asText();
            if (format.get("type").equals("json_object") && choice.get("finish_reason").asText().equals("length")) continue;  // any JSON is unbounded
            JsonNode reply = JSON.readTree(content);  // parses: the grammar held
            if (format.get("type").equals("json_schema")) {
                assertTrue(reply.get("answer").isTextual() && reply.get("answer").asText().length() <= 12 && reply.get("sure").isBoolean(), content);
                assertEquals(2, reply.size(), content);
            } else {
                assertTrue(reply.isObject() || reply.isArray(), content);
            }
            assertEquals("stop", choice.get("finish_reason").asText(), content);
        }
    }

    @Test
    void refusesWhatItCannotDo() throws Exception {
        String chat = "/v1/chat/completions";
        assertRefused(chat, "{\"messages\": []}", "non-empty array");
        assertRefused(chat, "{\"messages\": [{\"role\": \"wizard\", \"content\": \"hi\"}]}", "role 'wizard'");
        assertRefused(chat, "{\"messages\": [{\"role\": \"tool\", \"content\": \"1\", \"tool_call_id\": \"x\"}]}", "tool");
        assertRefused(chat, "{\"messages\": [{\"role\": \"user\"}]}", "is missing");
        assertRefused(chat, "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]}", "only text content parts");
        assertRefused(chat, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"top_logprobs\": 2}", "needs logprobs: true");
        assertRefused(chat, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"logprobs\": true, \"top_logprobs\": 21}", "0..20");
        assertRefused(chat, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"tools\": [{\"type\": \"function\"}]}", "tools are not supported");
        assertRefused(chat, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"response_format\": {\"type\": \"xml\"}}", "response_format");
        assertRefused(chat, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"response_format\": {\"type\": \"json_schema\", \"json_schema\": "
                + "{\"name\": \"s\", \"schema\": {\"type\": \"string\", \"pattern\": \"a+\"}}}}", "the keyword pattern");
        assertRefused(chat, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_completion_tokens\": 0}", "max_tokens must be in 1..");
        assertRefused(chat, "{\"messages\": [{\"role\": \"user\", \"content\": \"" + "the ".repeat(400) + "\"}]}", "the context holds");
        assertRefused(chat, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"temprature\": 1}", "unknown field 'temprature'");
        assertRefused("/v1/embeddings", "{\"input\": []}", "'input' must be a string or an array");
        assertRefused("/v1/embeddings", "{\"input\": [1, 2]}", "token arrays are not supported");
        assertRefused("/v1/embeddings", "{\"input\": \"a\", \"encoding_format\": \"hex\"}", "float or base64");
        assertRefused("/v1/embeddings", "{\"input\": \"a\", \"dimensions\": 3}", "dimensions");
    }
}
