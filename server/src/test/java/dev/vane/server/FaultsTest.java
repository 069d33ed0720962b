package dev.vane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.Model;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What happens when things go wrong: a client that leaves mid-stream frees its sequence, a full
 * queue answers 429 with Retry-After, and a graceful shutdown lets the stream in flight finish
 * while refusing new work with 503. Each holds its generation at a {@link Gate} while it acts, so
 * the tiny model cannot finish first on a fast machine.
 */
class FaultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Model model;
    private static HttpClient client;

    @BeforeAll
    static void load() throws Exception {
        model = EmbeddedModel.load();
        client = HttpClient.newHttpClient();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static byte[] chatBody(int maxTokens, boolean stream) throws Exception {
        return JSON.writeValueAsBytes(Map.of("messages", ChatCompletionsTest.CHAT_JSON, "max_tokens", maxTokens, "temperature", 0.8, "seed", 1,
                "stream", stream));
    }

    private static HttpRequest chat(VaneServer server, int maxTokens, boolean stream) throws Exception {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(chatBody(maxTokens, stream))).build();
    }

    // The longest reply the embedded model's context allows for the test chat.
    private static int longest() {
        String prompt = model.chatTemplate().orElse(dev.vane.model.chat.ChatTemplate.CHATML).render(ChatCompletionsTest.CHAT, true);
        int room = dev.vane.model.SessionOptions.defaults(model.config()).contextLength() - model.tokenizer().encode(prompt, true).length;
        return Math.min(ServerOptions.DEFAULT_MAX_TOKENS, room);
    }

    // The value of the one sample of name whose labels contain label (Prometheus text format).
    static double sample(String metrics, String name, String label) {
        List<String> hits = metrics.lines().filter(l -> l.startsWith(name + "{") && l.contains(label)).toList();
        assertEquals(1, hits.size(), () -> name + " " + label + " in:\n" + metrics);
        String line = hits.get(0);
        return Double.parseDouble(line.substring(line.lastIndexOf('}') + 1).trim().split(" ")[0]);
    }

    private static void awaitIdle(VaneServer server) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (server.generationsInFlight() > 0 && System.nanoTime() < until) Thread.sleep(5);
    }

    @Test
    void aClientLeavingMidStreamFreesItsSequence() throws Exception {
        Gate gate = new Gate();
        VaneServer server = VaneServer.start(model, gate.holding(ServerOptions.defaults("tiny").withPort(0).withScheduling(2, 4)));
        try (server; gate) {
            // A client on a plain socket, so that its leaving is done when close returns: SO_LINGER 0 resets the connection.
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                byte[] body = chatBody(longest(), true);
                OutputStream request = socket.getOutputStream();
                request.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                request.write(body);
                BufferedReader lines = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("HTTP/1.1 200 OK", lines.readLine());
                String line;
                while ((line = lines.readLine()) != null && !line.startsWith("data: ")) { }
                assertTrue(line != null, "the first chunk arrived");
                assertEquals(1, server.generationsInFlight(), "its generation runs (held at the gate)");
                socket.setSoLinger(true, 0);
            }  // the client goes away
            gate.open();
            awaitIdle(server);
            assertEquals(0, server.generationsInFlight(), "the server noticed and stopped generating");
            String metrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertEquals(1.0, sample(metrics, "vane_generations_total", "vane_stop_reason=\"cancelled\""), () -> "the metrics show it cancelled:\n" + metrics);
            assertEquals(0.0, sample(metrics, "vane_scheduler_active", ""), "and its slot free");
            // and it still serves the next client
            assertEquals(200, client.send(chat(server, 4, false), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    @Test
    void aFullQueueGets429WithRetryAfter() throws Exception {
        Gate gate = new Gate();
        VaneServer server = VaneServer.start(model, gate.holding(ServerOptions.defaults("tiny").withPort(0).withScheduling(1, 0)));
        try (server; gate) {
            HttpResponse<InputStream> first = client.send(chat(server, longest(), true), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, first.statusCode(), "the one slot is taken (held at the gate)");
            HttpResponse<String> second = client.send(chat(server, 4, false), HttpResponse.BodyHandlers.ofString());
            assertEquals(429, second.statusCode(), second.body());
            assertEquals("1", second.headers().firstValue("retry-after").orElse(null));
            assertEquals("queue_full", JSON.readTree(second.body()).get("error").get("code").asText());
            first.body().close();
        }
    }

    @Test
    void aDeadlinePassedInTheQueueGets504() throws Exception {
        // A deadline of a nanosecond has passed by the time the scheduler looks at the request.
        try (VaneServer server = VaneServer.start(model, ServerOptions.defaults("tiny").withPort(0).withRequestTimeout(Duration.ofNanos(1)))) {
            for (boolean stream : new boolean[] {false, true}) {
                HttpResponse<String> r = client.send(chat(server, 8, stream), HttpResponse.BodyHandlers.ofString());
                assertEquals(504, r.statusCode(), r.body());
                assertEquals("timeout", JSON.readTree(r.body()).get("error").get("code").asText());
            }
        }
    }

    @Test
    void shutdownDrainsTheStreamInFlightAndRefusesNewWork() throws Exception {
        try (Gate gate = new Gate()) {
            VaneServer server = VaneServer.start(model, gate.holding(ServerOptions.defaults("tiny").withPort(0).withScheduling(2, 4)));
            HttpResponse<InputStream> r = client.send(chat(server, longest(), true), HttpResponse.BodyHandlers.ofInputStream());
            BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
            assertTrue(lines.readLine().startsWith("data: "));
            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> server.shutdown(Duration.ofSeconds(60)));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            HttpResponse<String> health;
            do {
                health = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
            } while (health.statusCode() == 200 && System.nanoTime() < until);
            assertEquals(503, health.statusCode(), "health says draining");
            assertEquals(503, client.send(chat(server, 4, false), HttpResponse.BodyHandlers.ofString()).statusCode(), "new work is refused");
            assertEquals(1, server.generationsInFlight(), "the stream is still in flight (held at the gate)");
            gate.open();
            String last = null;
            for (String line; (line = lines.readLine()) != null; ) if (!line.isEmpty()) last = line;
            assertEquals("data: [DONE]", last, "the stream in flight ran to its end");
            assertTrue(drained.get(60, TimeUnit.SECONDS), "everything in flight ended within the grace period");
        }
    }
}
