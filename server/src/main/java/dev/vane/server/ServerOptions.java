package dev.vane.server;

import dev.vane.guard.Policy;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link VaneServer} listens and what it accepts. Defaults are the safe ones: loopback only,
 * no API key, 1 MiB request bodies.
 *
 * @param host the address to bind (127.0.0.1 unless a deployment says otherwise)
 * @param port the TCP port; 0 picks a free one ({@link VaneServer#port()} says which)
 * @param apiKey when present, every request but /health must carry {@code Authorization: Bearer KEY}
 * @param maxBodyBytes the largest request body accepted; larger ones get 413
 * @param modelId the model's name in /v1/models and in responses
 * @param parallel the most generations stepped together (the scheduler's batch)
 * @param queue the most requests waiting for a slot; more get 429
 * @param maxTokens the most tokens one request may generate (a larger max_tokens gets 400; without
 *     one, a chat completion runs to this cap or the context's end)
 * @param context positions per request (prompt and reply together), or 0 for the model's own
 *     context up to 4096 ({@link dev.vane.model.SchedulerOptions#defaults})
 * @param requestTimeout a request's deadline from its arrival: one still waiting for a slot then
 *     gets 504, one generating stops there (finish_reason "length")
 * @param policy when present, every chat message's content and every prompt is checked as input
 *     (REDACT rewrites what the model sees, BLOCK refuses the request as policyBlock says), and the
 *     generated text streams through the policy's output rules (docs/GUARD.md)
 * @param policyBlock how a request whose input is blocked is answered
 */
public record ServerOptions(String host, int port, Optional<String> apiKey, long maxBodyBytes, String modelId, int parallel, int queue,
                            int maxTokens, int context, java.time.Duration requestTimeout, Optional<Policy> policy, PolicyBlock policyBlock) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final long DEFAULT_MAX_BODY_BYTES = 1 << 20;
    public static final int DEFAULT_PARALLEL = 4;
    public static final int DEFAULT_QUEUE = 64;
    public static final int DEFAULT_MAX_TOKENS = 2048;
    public static final java.time.Duration DEFAULT_REQUEST_TIMEOUT = java.time.Duration.ofMinutes(10);

    public ServerOptions {
        Objects.requireNonNull(host, "host must not be null");
        Objects.requireNonNull(apiKey, "apiKey must not be null (Optional.empty() for none)");
        Objects.requireNonNull(modelId, "modelId must not be null");
        if (host.isBlank()) throw new IllegalArgumentException("host must not be blank");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        if (apiKey.isPresent() && apiKey.get().isBlank()) throw new IllegalArgumentException("apiKey must not be blank");
        if (maxBodyBytes < 1) throw new IllegalArgumentException("maxBodyBytes must be at least 1, got " + maxBodyBytes);
        if (modelId.isBlank()) throw new IllegalArgumentException("modelId must not be blank");
        if (parallel < 1 || parallel > 256) throw new IllegalArgumentException("parallel must be in 1..256, got " + parallel);
        if (queue < 0) throw new IllegalArgumentException("queue must be >= 0, got " + queue);
        if (maxTokens < 1) throw new IllegalArgumentException("maxTokens must be at least 1, got " + maxTokens);
        Objects.requireNonNull(requestTimeout, "requestTimeout must not be null");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) throw new IllegalArgumentException("requestTimeout must be positive, got " + requestTimeout);
        if (context < 0 || context > 1 << 22) throw new IllegalArgumentException("context must be in 0..2^22 (0: the model's), got " + context);
        Objects.requireNonNull(policy, "policy must not be null (Optional.empty() for none)");
        Objects.requireNonNull(policyBlock, "policyBlock must not be null (PolicyBlock.ERROR or PolicyBlock.REFUSAL)");
    }

    /** No guard policy. */
    public ServerOptions(String host, int port, Optional<String> apiKey, long maxBodyBytes, String modelId, int parallel, int queue,
                         int maxTokens, int context, java.time.Duration requestTimeout) {
        this(host, port, apiKey, maxBodyBytes, modelId, parallel, queue, maxTokens, context, requestTimeout, Optional.empty(), PolicyBlock.ERROR);
    }

    /** Loopback on the default port, no key, the default body limit. */
    public static ServerOptions defaults(String modelId) {
        return new ServerOptions(DEFAULT_HOST, DEFAULT_PORT, Optional.empty(), DEFAULT_MAX_BODY_BYTES, modelId, DEFAULT_PARALLEL, DEFAULT_QUEUE, DEFAULT_MAX_TOKENS, 0, DEFAULT_REQUEST_TIMEOUT);
    }

    public ServerOptions withHost(String host) {
        return new ServerOptions(host, port, apiKey, maxBodyBytes, modelId, parallel, queue, maxTokens, context, requestTimeout, policy, policyBlock);
    }

    public ServerOptions withPort(int port) {
        return new ServerOptions(host, port, apiKey, maxBodyBytes, modelId, parallel, queue, maxTokens, context, requestTimeout, policy, policyBlock);
    }

    public ServerOptions withApiKey(String key) {
        return new ServerOptions(host, port, Optional.of(key), maxBodyBytes, modelId, parallel, queue, maxTokens, context, requestTimeout, policy, policyBlock);
    }

    public ServerOptions withScheduling(int parallel, int queue) {
        return new ServerOptions(host, port, apiKey, maxBodyBytes, modelId, parallel, queue, maxTokens, context, requestTimeout, policy, policyBlock);
    }

    public ServerOptions withRequestTimeout(java.time.Duration timeout) {
        return new ServerOptions(host, port, apiKey, maxBodyBytes, modelId, parallel, queue, maxTokens, context, timeout, policy, policyBlock);
    }

    public ServerOptions withContext(int context) {
        return new ServerOptions(host, port, apiKey, maxBodyBytes, modelId, parallel, queue, maxTokens, context, requestTimeout, policy, policyBlock);
    }

    public ServerOptions withMaxTokens(int maxTokens) {
        return new ServerOptions(host, port, apiKey, maxBodyBytes, modelId, parallel, queue, maxTokens, context, requestTimeout, policy, policyBlock);
    }

    /** Guards every request with policy; a blocked input is answered as block says. */
    public ServerOptions withPolicy(Policy policy, PolicyBlock block) {
        return new ServerOptions(host, port, apiKey, maxBodyBytes, modelId, parallel, queue, maxTokens, context, requestTimeout,
                Optional.of(Objects.requireNonNull(policy, "policy must not be null")), block);
    }

    public ServerOptions withMaxBodyBytes(long bytes) {
        return new ServerOptions(host, port, apiKey, bytes, modelId, parallel, queue, maxTokens, context, requestTimeout, policy, policyBlock);
    }
}
