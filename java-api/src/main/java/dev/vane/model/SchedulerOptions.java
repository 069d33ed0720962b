package dev.vane.model;

import dev.vane.attention.KvCache;
import java.util.Objects;

/**
 * A {@link Scheduler}'s settings: up to capacity generations stepped together with up to
 * queueCapacity more waiting; each of the sequences it owns ({@link Scheduler#submit(int[],
 * GenerationOptions, TokenListener)}) holds up to contextLength positions; a prompt runs at most
 * prefillChunk tokens a step, beside the other generations' next tokens; with promptCache, a
 * prompt that begins as a cached or running sequence does reuses its KV blocks.
 *
 * <p>The sequences it owns draw their KV blocks from one pool per layer of poolTokens positions
 * (0: room for (capacity + 1) × contextLength, one context's worth for cached prompts besides a
 * full context for every slot), stored as kvStorage. The pool is allocated with the first such
 * request; the callers' own sessions ({@link Scheduler#submit(Batch.Request)}) keep their own caches.
 *
 * @param capacity      generations stepped together, 1..256
 * @param queueCapacity requests that may wait beyond the free slots, >= 0
 * @param contextLength positions of one sequence it owns (prompt and generated tokens), 1..2^22
 * @param prefillChunk  most prompt tokens one step runs, 1..4096
 * @param promptCache   whether finished sequences are kept and shared prefixes reused
 * @param poolTokens    positions per layer in the shared pool, 0 for the default; >= 0
 * @param kvStorage     how the pool stores keys and values
 */
public record SchedulerOptions(int capacity, int queueCapacity, int contextLength, int prefillChunk, boolean promptCache, int poolTokens,
        KvCache.Storage kvStorage) {
    /**
     * The default prompt chunk. A chunk's pass is what the running generations wait for their next
     * token, so smaller chunks stall them less, while a matrix multiply needs enough rows to read
     * each weight once for many tokens. On the 0.5B Q4_0 benchmark model (2 shared cores), with 4
     * sequences decoding beside a 1000-token prompt, a chunk of 1024 (the whole prompt in one
     * pass, as before chunking) left them waiting 5.5 to 7.8 s for one token; 128 cut the longest
     * wait to 0.9 to 1.7 s and 64 to 0.3 to 0.8 s, the prompt's own time to first token within the
     * noise of that machine in every case; 128 keeps the prompt's rows in passes large enough for
     * the GEMM kernels while bounding the stall.
     */
    public static final int DEFAULT_PREFILL_CHUNK = 128;

    public SchedulerOptions {
        if (capacity < 1 || capacity > 256) throw new IllegalArgumentException("capacity must be in 1..256, got " + capacity);
        if (queueCapacity < 0) throw new IllegalArgumentException("queueCapacity must be >= 0, got " + queueCapacity);
        if (contextLength < 1 || contextLength > 1 << 22) throw new IllegalArgumentException("contextLength must be in 1..2^22, got " + contextLength);
        if (prefillChunk < 1 || prefillChunk > 4096) throw new IllegalArgumentException("prefillChunk must be in 1..4096, got " + prefillChunk);
        if (poolTokens < 0) throw new IllegalArgumentException("poolTokens must be >= 0 (0: the default), got " + poolTokens);
        Objects.requireNonNull(kvStorage, "kvStorage must not be null");
        if (poolTokens == 0 && (long) (capacity + 1) * contextLength > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the default pool, (capacity + 1) x contextLength = " + (capacity + 1) + " x " + contextLength
                    + " positions, is too large: set poolTokens");
        }
    }

    /** 4 slots, 64 waiting, the model's context (at most 4096), prompt chunks of 128, prompt caching on, the default pool, F16. */
    public static SchedulerOptions defaults(ModelConfig c) {
        return new SchedulerOptions(4, 64, Math.min(c.contextLength(), 4096), DEFAULT_PREFILL_CHUNK, true, 0, KvCache.Storage.F16);
    }

    /** Positions per layer in the shared pool: poolTokens, or the default for 0. */
    public int pooledPositions() {
        return poolTokens > 0 ? poolTokens : (capacity + 1) * contextLength;
    }

    public SchedulerOptions withCapacity(int n) {
        return new SchedulerOptions(n, queueCapacity, contextLength, prefillChunk, promptCache, poolTokens, kvStorage);
    }

    public SchedulerOptions withQueueCapacity(int n) {
        return new SchedulerOptions(capacity, n, contextLength, prefillChunk, promptCache, poolTokens, kvStorage);
    }

    public SchedulerOptions withContextLength(int n) {
        return new SchedulerOptions(capacity, queueCapacity, n, prefillChunk, promptCache, poolTokens, kvStorage);
    }

    public SchedulerOptions withPrefillChunk(int n) {
        return new SchedulerOptions(capacity, queueCapacity, contextLength, n, promptCache, poolTokens, kvStorage);
    }

    public SchedulerOptions withPromptCache(boolean on) {
        return new SchedulerOptions(capacity, queueCapacity, contextLength, prefillChunk, on, poolTokens, kvStorage);
    }

    public SchedulerOptions withPoolTokens(int n) {
        return new SchedulerOptions(capacity, queueCapacity, contextLength, prefillChunk, promptCache, n, kvStorage);
    }

    public SchedulerOptions withKvStorage(KvCache.Storage s) {
        return new SchedulerOptions(capacity, queueCapacity, contextLength, prefillChunk, promptCache, poolTokens, s);
    }
}
