package dev.vane.server;

import dev.vane.model.Model;
import dev.vane.model.Scheduler;
import dev.vane.model.SchedulerOptions;
import io.helidon.http.HeaderNames;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An OpenAI-compatible HTTP server over one {@link Model}, on Helidon SE's web server (a virtual
 * thread per request). Endpoints: GET /health, GET /metrics (Prometheus), GET /v1/models,
 * POST /v1/chat/completions and POST /v1/completions (continuous batching on a {@link Scheduler},
 * streaming as server-sent events; checked by the guard policy when the options carry one),
 * POST /v1/embeddings, POST /tokenize, POST /detokenize. Every
 * refusal is an OpenAI-style error object with its status (400 for a
 * malformed or unknown body, 401 for a missing or wrong key, 404 for an unknown endpoint or
 * method, 413 past the body limit, 429 when the queue is full); an unexpected failure is a 500
 * with a generic message, logged here, never a stack trace.
 *
 * <pre>{@code
 * try (VaneServer server = VaneServer.start(model, ServerOptions.defaults("my-model"))) { ... }
 * }</pre>
 */
public final class VaneServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(VaneServer.class.getName());
    private static final String JSON = "application/json";

    private final Model model;
    private final ServerOptions options;
    private final TokenizeApi tokenize;
    private final Scheduler scheduler;
    private final CompletionsApi completions;
    private final ChatCompletionsApi chat;
    private final EmbeddingsApi embeddings;
    private final MetricsApi metrics;
    private final long created = Instant.now().getEpochSecond();
    private final WebServer server;
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean draining;

    private VaneServer(Model model, ServerOptions options) {
        this.model = model;
        this.options = options;
        this.tokenize = new TokenizeApi(model.tokenizer());
        SchedulerOptions scheduling = SchedulerOptions.defaults(model.config()).withCapacity(options.parallel()).withQueueCapacity(options.queue());
        this.scheduler = model.newScheduler(options.context() == 0 ? scheduling : scheduling.withContextLength(options.context()));
        GenerationParams.Limits limits = new GenerationParams.Limits(options.maxTokens(), scheduler.options().contextLength());
        this.metrics = new MetricsApi(model, scheduler, options.modelId());
        ServerGuard guard = new ServerGuard(options.policy(), options.policyBlock(), metrics.registry(), options.modelId());
        this.completions = new CompletionsApi(model, scheduler, options.modelId(), limits, options.requestTimeout(), guard);
        this.chat = new ChatCompletionsApi(model, scheduler, options.modelId(), limits, options.requestTimeout(), guard);
        this.embeddings = new EmbeddingsApi(model, options.modelId());
        this.server = WebServer.builder()
                .host(options.host())
                .port(options.port())
                .shutdownHook(false)  // the owner stops it (shutdown drains first); the JVM's own hook would cut streams
                .routing(this::routes)
                .build();
    }

    /** Binds and starts serving; the model stays the caller's (closing the server does not close it). */
    public static VaneServer start(Model model, ServerOptions options) {
        Objects.requireNonNull(model, "model must not be null");
        Objects.requireNonNull(options, "options must not be null");
        VaneServer s = new VaneServer(model, options);
        s.server.start();
        return s;
    }

    /** The port it listens on (the one picked when the options said 0). */
    public int port() {
        return server.port();
    }

    public ServerOptions options() {
        return options;
    }

    /**
     * A graceful stop (what {@code kill -TERM} does to {@code vane serve}): new requests get 503
     * and /health says "draining" (a load balancer takes the server out), the requests in flight
     * run to their end for up to grace, then the server closes (cancelling what still runs).
     * Returns whether everything in flight ended within grace.
     */
    public boolean shutdown(java.time.Duration grace) {
        draining = true;
        long until = System.nanoTime() + grace.toNanos();
        boolean drained;
        while (!(drained = inFlight.get() == 0) && System.nanoTime() < until) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
        return drained;
    }

    /** The scheduler's counters now (prompt cache, KV blocks, queue). */
    Scheduler.Stats schedulerStats() {
        return scheduler.stats();
    }

    /** Generations running or queued on the scheduler now. */
    int generationsInFlight() {
        return scheduler.active() + scheduler.queued();
    }

    @Override
    public void close() {
        scheduler.close();  // first: requests in flight end (cancelled), so no handler waits on the scheduler while the server stops
        server.stop();
        metrics.close();
    }

    private void routes(HttpRouting.Builder r) {
        r.addFilter((chain, req, res) -> {
            // /health and /metrics need no key (load balancers, scrapers); they answer while draining.
            boolean open = req.path().path().equals("/health") || req.path().path().equals("/metrics");
            if (!open) checkKey(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null));
            if (draining && !open) throw ApiError.unavailable("the server is shutting down");
            inFlight.incrementAndGet();
            try {
                chain.proceed();
            } finally {
                inFlight.decrementAndGet();
            }
        });
        r.get("/health", (req, res) -> send(res, draining ? 503 : 200, Map.of("status", draining ? "draining" : "ok")));
        r.get("/metrics", metrics::handle);
        r.get("/v1/models", (req, res) -> send(res, 200, Map.of("object", "list", "data", List.of(modelCard()))));
        r.post("/tokenize", json(TokenizeApi.TokenizeRequest.class, tokenize::tokenize));
        r.post("/detokenize", json(TokenizeApi.DetokenizeRequest.class, tokenize::detokenize));
        r.post("/v1/completions", (req, res) -> completions.handle(Json.read(body(req), CompletionsApi.CompletionRequest.class), res));
        r.post("/v1/chat/completions", (req, res) -> chat.handle(Json.read(body(req), ChatCompletionsApi.ChatRequest.class), res));
        r.post("/v1/embeddings", json(EmbeddingsApi.EmbeddingRequest.class, embeddings::handle));
        r.any((req, res) -> {
            throw ApiError.notFound("no endpoint " + req.prologue().method().text() + " " + req.path().path());
        });
        r.error(ApiError.class, (req, res, e) -> sendError(res, e));
        r.error(RequestException.class, (req, res, e) -> sendError(res, new ApiError(e.status().code(), "invalid_request_error", null, null,
                "the request could not be read")));
        r.error(Throwable.class, (req, res, e) -> {
            LOG.log(Level.WARNING, "request " + req.prologue().method().text() + " " + req.path().path() + " failed", e);
            sendError(res, new ApiError(500, "server_error", null, null, "the server failed to handle the request"));
        });
    }

    // Authorization: Bearer KEY, compared in constant time (MessageDigest.isEqual looks at every byte).
    private void checkKey(String authorization) {
        if (options.apiKey().isEmpty()) return;
        byte[] want = ("Bearer " + options.apiKey().get()).getBytes(StandardCharsets.UTF_8);
        byte[] got = authorization == null ? new byte[0] : authorization.getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(want, got))
            throw ApiError.unauthorized(authorization == null ? "this server needs an API key: send 'Authorization: Bearer KEY'" : "the API key is not valid");
    }

    private Map<String, Object> modelCard() {
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("id", options.modelId());
        card.put("object", "model");
        card.put("created", created);
        card.put("owned_by", "vane");
        card.put("context_length", scheduler.options().contextLength());
        card.put("chat_template", chat.template().llamaCppName());
        card.put("embedding_pooling", EmbeddingsApi.POOLING.name().toLowerCase(java.util.Locale.ROOT));
        card.put("embedding_length", model.config().dim());
        return card;
    }

    // A POST handler taking a JSON body of type T.
    private <T> Handler json(Class<T> type, Function<T, Object> handle) {
        return (req, res) -> send(res, 200, handle.apply(Json.read(body(req), type)));
    }

    private byte[] body(ServerRequest req) {
        if (!req.content().hasEntity()) return new byte[0];
        // The limit is checked here rather than by the web server's own, whose 413 is not JSON.
        if (req.headers().contentLength().orElse(0) > options.maxBodyBytes()) throw ApiError.tooLarge(options.maxBodyBytes());
        try (InputStream in = req.content().inputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, options.maxBodyBytes() + 1));
            if (body.length > options.maxBodyBytes()) throw ApiError.tooLarge(options.maxBodyBytes());
            return body;
        } catch (IOException e) {
            throw ApiError.invalidRequest(null, "the request body could not be read: " + e.getMessage());
        }
    }

    static void send(ServerResponse res, int status, Object body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, JSON);
        res.send(Json.write(body));
    }

    private static void sendError(ServerResponse res, ApiError e) {
        Map<String, Object> err = new LinkedHashMap<>();
        err.put("message", e.getMessage());
        err.put("type", e.type());
        err.put("param", e.param());
        err.put("code", e.code());
        if (e.status() == 401) res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
        if (e.status() == 429 || e.status() == 503) res.header(HeaderNames.RETRY_AFTER, "1");
        send(res, e.status(), Map.of("error", err));
    }
}
