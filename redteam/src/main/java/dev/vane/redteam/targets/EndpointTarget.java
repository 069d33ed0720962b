package dev.vane.redteam.targets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.model.chat.ChatMessage;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An OpenAI-compatible server's POST /v1/chat/completions (Vane's own, llama.cpp's, vLLM's...):
 * non-streaming requests with max_tokens, temperature and, when sampling, the case's seed. An HTTP
 * 4xx (other than 401/403) or 5xx is that case's error; 429 and 503 are retried three times (1, 2,
 * 4 s apart) first. An unreachable server or a refused key stops the run.
 */
public final class EndpointTarget implements Target {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long[] BACKOFF_MILLIS = {1000, 2000, 4000};

    private final URI uri;
    private final Optional<String> apiKey;
    private final Duration timeout;
    private final HttpClient client;
    private final String model;

    /**
     * @param url     the server ("http://host:8080"), its "/v1", or the full ".../v1/chat/completions"
     * @param model   the model name to request; empty: the first one GET /v1/models lists
     * @param timeout one request's limit
     */
    public EndpointTarget(String url, Optional<String> model, Optional<String> apiKey, Duration timeout) {
        this.uri = chatUri(url);
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey must not be null");
        this.timeout = Objects.requireNonNull(timeout, "timeout must not be null");
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("the timeout must be positive, got " + timeout);
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        this.model = model.isPresent() ? model.get() : firstModel();
    }

    /** The chat completions address for what a user gives. */
    static URI chatUri(String url) {
        Objects.requireNonNull(url, "url must not be null");
        String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        if (!u.endsWith("/chat/completions")) u = u.endsWith("/v1") ? u + "/chat/completions" : u + "/v1/chat/completions";
        URI uri;
        try {
            uri = new URI(u);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the endpoint must be an http(s) URL such as http://127.0.0.1:8080, got '" + url + "': " + e.getMessage(), e);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null)
            throw new IllegalArgumentException("the endpoint must be an http(s) URL such as http://127.0.0.1:8080, got '" + url + "'");
        return uri;
    }

    @Override public String describe() {
        return "endpoint " + uri;
    }

    @Override public String model() {
        return model;
    }

    @Override public Reply chat(List<ChatMessage> messages, Decoding decoding, long seed) {
        return complete(messages, decoding.maxTokens(), decoding.temperature(), seed);
    }

    /**
     * From the prompt token counts the server reports: a control token is one token where its
     * text, defanged, is several; so the smuggled texts were parsed when the defanged prompt is
     * at least 2 tokens longer per occurrence. (Text tokenized as text changes by at most about one
     * token per occurrence when a space is put in it.) Empty when the server reports no usage.
     */
    @Override public Optional<TokenEvidence> controlTokens(List<ChatMessage> sent, Reply reply, List<ChatMessage> defanged, int occurrences) {
        if (reply.failed() || reply.promptTokens() < 0) return Optional.empty();
        Reply d = complete(defanged, 1, 0, 0);
        if (d.failed() || d.promptTokens() < 0) return Optional.empty();
        int saved = d.promptTokens() - reply.promptTokens();
        return Optional.of(new TokenEvidence(occurrences > 0 && saved >= 2 * occurrences, "prompt tokens " + reply.promptTokens() + "; with the "
                + occurrences + " smuggled text(s) defanged: " + d.promptTokens()));
    }

    private Reply complete(List<ChatMessage> messages, int maxTokens, double temperature, long seed) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        ArrayNode ms = body.putArray("messages");
        for (ChatMessage m : messages) ms.addObject().put("role", m.role()).put("content", m.content());
        body.put("max_tokens", maxTokens);
        body.put("temperature", temperature);
        if (temperature > 0) body.put("seed", seed);
        body.put("stream", false);
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
        if (r == null) return Reply.failed("timed out after " + timeout.toSeconds() + " s");
        if (r.statusCode() != 200) return Reply.failed("HTTP " + r.statusCode() + ": " + errorMessage(r.body()));
        JsonNode b;
        try {
            b = JSON.readTree(r.body());
        } catch (IOException e) {
            return Reply.failed("the reply is not JSON: " + e.getMessage());
        }
        JsonNode choice = b.path("choices").path(0);
        JsonNode content = choice.path("message").path("content");
        if (!content.isTextual() && !content.isNull()) return Reply.failed("the reply has no choices[0].message.content: " + abbreviate(r.body()));
        JsonNode usage = b.path("usage");
        return Reply.of(content.isNull() ? "" : content.asText(), choice.path("finish_reason").asText("stop"), usage.path("prompt_tokens").asInt(-1),
                usage.path("completion_tokens").asInt(-1));
    }

    // One exchange with retries on 429/503; null after a timeout.
    private HttpResponse<String> send(HttpRequest.Builder request) {
        apiKey.ifPresent(k -> request.header("Authorization", "Bearer " + k));
        HttpRequest req = request.timeout(timeout).build();
        for (int attempt = 0; ; attempt++) {
            HttpResponse<String> r;
            try {
                r = client.send(req, HttpResponse.BodyHandlers.ofString());
            } catch (HttpTimeoutException e) {
                return null;
            } catch (ConnectException e) {
                throw new TargetException("cannot connect to " + uri + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()), e);
            } catch (IOException e) {
                throw new TargetException("the exchange with " + uri + " failed: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TargetException("interrupted while waiting for " + uri, e);
            }
            int s = r.statusCode();
            if (s == 401 || s == 403)
                throw new TargetException(uri + " refused the request (HTTP " + s + "): " + errorMessage(r.body()) + "; give its key with --api-key");
            if ((s == 429 || s == 503) && attempt < BACKOFF_MILLIS.length) {
                try {
                    Thread.sleep(BACKOFF_MILLIS[attempt]);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new TargetException("interrupted while waiting for " + uri, e);
                }
                continue;
            }
            return r;
        }
    }

    private String firstModel() {
        URI models = URI.create(uri.toString().replaceFirst("/chat/completions$", "/models"));
        HttpResponse<String> r = send(HttpRequest.newBuilder(models).GET());
        String hint = "; name the model with --endpoint-model";
        if (r == null) throw new TargetException("GET " + models + " timed out" + hint);
        if (r.statusCode() != 200) throw new TargetException("GET " + models + " answered HTTP " + r.statusCode() + ": " + errorMessage(r.body()) + hint);
        try {
            JsonNode id = JSON.readTree(r.body()).path("data").path(0).path("id");
            if (!id.isTextual()) throw new TargetException("GET " + models + " lists no model" + hint);
            return id.asText();
        } catch (IOException e) {
            throw new TargetException("GET " + models + " did not answer JSON: " + e.getMessage() + hint, e);
        }
    }

    // OpenAI's {"error": {"message": ...}}, else the body itself, shortened.
    private static String errorMessage(String body) {
        try {
            JsonNode m = JSON.readTree(body).path("error").path("message");
            if (m.isTextual()) return m.asText();
        } catch (IOException e) {
            // not JSON: the body itself says what went wrong
        }
        return abbreviate(body);
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }
}
