package dev.vane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.Model;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GET /metrics after completions on the embedded model: Prometheus' text format (or OpenMetrics
 * when asked), without the API key the completions need, counting the completions served and
 * the tokens their usage reported, beside the JVM's and process's meters.
 */
class MetricsTest {
    private static final String KEY = "metrics-test-key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Model model;
    private static VaneServer server;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        model = EmbeddedModel.load();
        server = VaneServer.start(model, ServerOptions.defaults("tiny").withPort(0).withApiKey(KEY));
        client = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
    }

    private static HttpResponse<String> get(String path, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET();
        if (accept != null) b.header("Accept", accept);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    // The value of the one sample whose line starts with name{ and contains every label given.
    static double sample(String scrape, String name, String... labels) {
        List<Double> found = new ArrayList<>();
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)", Pattern.MULTILINE);
        Matcher m = line.matcher(scrape);
        while (m.find()) {
            boolean all = true;
            for (String l : labels) all &= m.group(1).contains(l);
            if (all) found.add(Double.parseDouble(m.group(2)));
        }
        assertEquals(1, found.size(), () -> "one sample " + name + List.of(labels) + " in:\n" + scrape);
        return found.get(0);
    }

    @Test
    void metricsCountTheCompletionsServed() throws Exception {
        int prompt = 0, completion = 0;
        for (String p : new String[] {"And God said", "In the beginning"}) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/completions"))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + KEY)
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(java.util.Map.of("prompt", p, "max_tokens", 5)))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode usage = JSON.readTree(r.body()).get("usage");
            prompt += usage.get("prompt_tokens").asInt();
            completion += usage.get("completion_tokens").asInt();
        }

        HttpResponse<String> r = get("/metrics", null);  // no key: served all the same
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(MetricsApi.PROMETHEUS_TEXT, r.headers().firstValue("content-type").orElse(""));
        String s = r.body();
        assertTrue(s.contains("# TYPE gen_ai_server_request_duration_seconds histogram"), s);
        String tiny = "gen_ai_request_model=\"tiny\"";
        assertEquals(2, sample(s, "gen_ai_server_request_duration_seconds_count", tiny));
        assertEquals(2, sample(s, "gen_ai_server_time_to_first_token_seconds_count", tiny));
        assertEquals(prompt, sample(s, "gen_ai_client_token_usage_sum", tiny, "gen_ai_token_type=\"input\""));
        assertEquals(completion, sample(s, "gen_ai_client_token_usage_sum", tiny, "gen_ai_token_type=\"output\""));
        assertEquals(0, sample(s, "vane_scheduler_active", tiny));
        assertEquals(4, sample(s, "vane_scheduler_capacity", tiny));
        assertTrue(sample(s, "vane_decode_batch_size_count", tiny) >= 1);
        assertTrue(s.contains("jvm_memory_used_bytes{area=\"heap\""), "the JVM's meters too");
        assertTrue(s.contains("process_cpu_usage "), "the process's");
        assertTrue(s.contains("jvm_threads_live_threads "));

        HttpResponse<String> om = get("/metrics", "application/openmetrics-text;version=1.0.0;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
        assertEquals(200, om.statusCode());
        assertEquals(MetricsApi.OPENMETRICS_TEXT, om.headers().firstValue("content-type").orElse(""));
        assertTrue(om.body().strip().endsWith("# EOF"), "an OpenMetrics exposition ends with # EOF");
    }

    @Test
    void theOtherEndpointsStillNeedTheKey() throws Exception {
        assertEquals(401, get("/v1/models", null).statusCode());
    }
}
