package dev.vane.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.Model;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server's endpoints so far, over real HTTP from java.net.http's client, on the embedded model. */
class VaneServerTest {
    private static final String KEY = "test-key-123";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Model model;
    private static VaneServer server;
    private static HttpClient client;

    record Reply(int status, JsonNode body, HttpResponse<String> raw) {}

    @BeforeAll
    static void start() throws IOException {
        model = EmbeddedModel.load();
        server = VaneServer.start(model, ServerOptions.defaults("tiny-moe").withPort(0).withApiKey(KEY).withMaxBodyBytes(4096));
        client = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
    }

    private static Reply call(String method, String path, String body, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) b.header("Authorization", auth);
        if (body != null) b.header("Content-Type", "application/json");
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()), r);
    }

    private static Reply post(String path, String body) throws Exception {
        return call("POST", path, body, "Bearer " + KEY);
    }

    // An OpenAI-style error object with this status, whose message contains `says`.
    private static void assertError(Reply r, int status, String says) {
        assertEquals(status, r.status(), () -> r.raw().body());
        assertTrue(r.raw().headers().firstValue("content-type").orElse("").startsWith("application/json"));
        JsonNode e = r.body().get("error");
        assertTrue(e != null && e.get("message").isTextual() && e.has("type") && e.has("param") && e.has("code"), r.raw().body());
        assertTrue(e.get("message").asText().contains(says), () -> "message '" + e.get("message").asText() + "' lacks '" + says + "'");
        assertTrue(!r.raw().body().contains("Exception") && !r.raw().body().contains("\tat "), "no stack trace: " + r.raw().body());
    }

    @Test
    void listensOnLoopbackByDefault() {
        assertEquals("127.0.0.1", ServerOptions.defaults("m").host());
        assertEquals("127.0.0.1", server.options().host());
    }

    @Test
    void healthNeedsNoKey() throws Exception {
        Reply r = call("GET", "/health", null, null);
        assertEquals(200, r.status());
        assertEquals("ok", r.body().get("status").asText());
    }

    @Test
    void listsTheModel() throws Exception {
        Reply r = call("GET", "/v1/models", null, "Bearer " + KEY);
        assertEquals(200, r.status());
        assertEquals("list", r.body().get("object").asText());
        JsonNode card = r.body().get("data").get(0);
        assertEquals("tiny-moe", card.get("id").asText());
        assertEquals("model", card.get("object").asText());
        assertEquals(model.config().contextLength(), card.get("context_length").asInt());
    }

    @Test
    void checksTheKey() throws Exception {
        assertError(call("GET", "/v1/models", null, null), 401, "needs an API key");
        assertError(call("GET", "/v1/models", null, "Bearer wrong"), 401, "not valid");
        assertError(call("GET", "/v1/models", null, "Bearer " + KEY + "x"), 401, "not valid");
        assertError(call("GET", "/v1/models", null, KEY), 401, "not valid");
        assertError(call("POST", "/tokenize", "{\"content\":\"a\"}", null), 401, "needs an API key");
        Reply r = call("GET", "/v1/models", null, null);
        assertEquals("Bearer", r.raw().headers().firstValue("www-authenticate").orElse(null));
    }

    @Test
    void tokenizesAsTheModelsTokenizer() throws Exception {
        String text = "In the beginning God created the heaven and the earth.";
        Reply r = post("/tokenize", JSON.writeValueAsString(java.util.Map.of("content", text, "add_special", true)));
        assertEquals(200, r.status(), r.raw().body());
        int[] ids = StreamSupport.stream(r.body().get("tokens").spliterator(), false).mapToInt(JsonNode::asInt).toArray();
        assertArrayEquals(model.tokenizer().encode(text, true), ids);

        Reply plain = post("/tokenize", JSON.writeValueAsString(java.util.Map.of("content", text)));
        assertArrayEquals(model.tokenizer().encode(text, false),
                StreamSupport.stream(plain.body().get("tokens").spliterator(), false).mapToInt(JsonNode::asInt).toArray());

        Reply pieces = post("/tokenize", "{\"content\": \"the earth\", \"with_pieces\": true}");
        StringBuilder joined = new StringBuilder();
        for (JsonNode p : pieces.body().get("tokens")) joined.append(p.get("piece").asText());
        assertEquals(model.tokenizer().decode(model.tokenizer().encode("the earth", false)), joined.toString());

        Reply back = post("/detokenize", JSON.writeValueAsString(java.util.Map.of("tokens", model.tokenizer().encode(text, false))));
        assertEquals(200, back.status());
        assertEquals(model.tokenizer().decode(model.tokenizer().encode(text, false)), back.body().get("content").asText());
    }

    @Test
    void refusesBadBodiesAndStaysUp() throws Exception {
        assertError(post("/tokenize", "{\"content\": "), 400, "malformed JSON");
        assertError(post("/tokenize", "not json"), 400, "malformed JSON");
        assertError(post("/tokenize", "{\"content\": \"a\"} trailing"), 400, "");
        assertError(post("/tokenize", "{\"content\": \"a\", \"colour\": 1}"), 400, "unknown field 'colour'");
        assertError(post("/tokenize", "{}"), 400, "'content'");
        assertError(post("/tokenize", "null"), 400, "null");
        assertError(post("/tokenize", null), 400, "JSON body");
        assertError(post("/tokenize", "[1, 2]"), 400, "invalid");
        assertError(post("/detokenize", "{\"tokens\": \"abc\"}"), 400, "'tokens'");
        assertError(post("/detokenize", "{\"tokens\": [1.5]}"), 400, "tokens");
        assertError(post("/detokenize", "{\"tokens\": [1, -1]}"), 400, "token id -1 at index 1");
        assertError(post("/detokenize", "{\"tokens\": [" + model.tokenizer().vocabSize() + "]}"), 400, "outside the vocabulary");
        assertError(post("/tokenize", "{\"content\": \"" + "a".repeat(5000) + "\"}"), 413, "4096 bytes");
        // Chunked (no Content-Length): the limit holds while reading.
        byte[] big = ("{\"content\": \"" + "b".repeat(5000) + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HttpRequest chunked = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/tokenize"))
                .header("Authorization", "Bearer " + KEY).POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build();
        HttpResponse<String> c = client.send(chunked, HttpResponse.BodyHandlers.ofString());
        assertError(new Reply(c.statusCode(), JSON.readTree(c.body()), c), 413, "4096 bytes");
        assertError(call("GET", "/v1/nothing", null, "Bearer " + KEY), 404, "no endpoint GET /v1/nothing");
        assertError(call("DELETE", "/tokenize", null, "Bearer " + KEY), 404, "no endpoint DELETE /tokenize");
        assertEquals(200, call("GET", "/health", null, null).status());
        assertEquals(200, post("/tokenize", "{\"content\": \"still here\"}").status());
    }
}
