package dev.vane.model;

import dev.vane.attention.KvCache;

/**
 * A session's KV cache and work size: up to contextLength positions (prompt and generated tokens
 * together) in kvStorage (F16 by default, as llama.cpp), and prompts run chunkTokens at a time.
 * The default context is the model's, capped at 4096 positions, whatever the model declares
 * (files declare 128k to 1M); a session whose caches would not fit the machine's memory (or
 * {@code -Dvane.kv.maxBytes}) is refused before any of it is allocated.
 */
public record SessionOptions(int contextLength, KvCache.Storage kvStorage, int chunkTokens) {
    public SessionOptions {
        if (contextLength < 1 || contextLength > 1 << 22) throw new IllegalArgumentException("contextLength must be in 1..2^22, got " + contextLength);
        java.util.Objects.requireNonNull(kvStorage, "kvStorage must not be null");
        if (chunkTokens < 1 || chunkTokens > 4096) throw new IllegalArgumentException("chunkTokens must be in 1..4096, got " + chunkTokens);
    }

    /** The model's context (at most 4096), an F16 cache, chunks of 256. */
    public static SessionOptions defaults(ModelConfig c) {
        return new SessionOptions(Math.min(c.contextLength(), 4096), KvCache.Storage.F16, 256);
    }

    public SessionOptions withContextLength(int n) {
        return new SessionOptions(n, kvStorage, chunkTokens);
    }

    public SessionOptions withKvStorage(KvCache.Storage s) {
        return new SessionOptions(contextLength, s, chunkTokens);
    }

    public SessionOptions withChunkTokens(int n) {
        return new SessionOptions(contextLength, kvStorage, n);
    }
}
