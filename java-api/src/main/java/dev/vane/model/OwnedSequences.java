package dev.vane.model;

import java.util.List;

/**
 * The sequences a {@link Scheduler} owns: drawn from one shared KV block pool per layer
 * (allocated with the first), forked from a cached or running sequence's prefix where the prompt
 * cache has one, and kept in it when they finish; with the admission rule's count of the blocks
 * the admitted requests may hold at most. Scheduler thread only, but for the counters
 * {@link #publish()} leaves for {@link Scheduler#stats()}.
 */
final class OwnedSequences implements AutoCloseable {
    /** A request's sequence, and how many of its prompt's tokens came from another one. */
    record Acquired(Session session, int reused) {}

    private final Model model;
    private final SchedulerOptions options;
    private final int poolBlocks;
    private final PromptCache cache;  // null: prompt caching off
    private KvPool pool;
    private int reserved;             // worst-case blocks of the admitted requests
    volatile int kvUsed, cachedSequences;
    volatile long lookups, hits, reused;

    OwnedSequences(Model model, SchedulerOptions options) {
        this.model = model;
        this.options = options;
        this.poolBlocks = KvPool.blocksFor(options.pooledPositions());
        this.cache = options.promptCache() ? new PromptCache() : null;
    }

    int poolBlocks() {
        return poolBlocks;
    }

    /**
     * Checks a request for a new sequence and returns the pool blocks it may hold at most (prompt
     * + maxTokens positions, at most the context).
     *
     * @throws IllegalArgumentException for an empty prompt, a token outside the vocabulary, a prompt
     *     longer than the context, or a worst case larger than the pool
     */
    int worstBlocks(int[] prompt, GenerationOptions o) {
        int ctx = options.contextLength(), vocab = model.config().vocab();
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt is empty: a new sequence has nothing to continue from");
        for (int id : prompt) if (id < 0 || id >= vocab) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + vocab);
        if (prompt.length > ctx) throw new IllegalArgumentException("the prompt's " + prompt.length + " tokens do not fit the context of " + ctx);
        long worst = Math.min(ctx, (long) prompt.length + o.maxTokens());
        int blocks = KvPool.blocksFor(worst);
        if (blocks > poolBlocks) {
            throw new IllegalArgumentException("the request may need " + worst + " KV positions (prompt " + prompt.length + " + maxTokens " + o.maxTokens()
                    + ", at most the context " + ctx + "): " + blocks + " blocks of " + Transformer.BLOCK_TOKENS + ", more than the pool's " + poolBlocks
                    + " (raise SchedulerOptions.poolTokens or lower maxTokens)");
        }
        return blocks;
    }

    /**
     * Admits a request of worst blocks if, with those already admitted, it fits the pool (the
     * pool then never runs out once the cached sequences are evicted); whether it did.
     */
    boolean reserve(int worst) {
        if (reserved + worst > poolBlocks) return false;
        reserved += worst;
        return true;
    }

    /**
     * A sequence for prompt: a fork of the longest reusable prefix among the cached sequences and
     * running (see {@link PromptCache}), or a new one; the caller runs the prompt from reused on.
     */
    Acquired acquire(int[] prompt, List<Session> running) {
        if (pool == null) pool = new KvPool(model.config(), poolBlocks, options.kvStorage());
        PromptCache.Match m = cache == null ? null : cache.lookup(prompt, running);
        if (m != null) return new Acquired(m.source().fork(m.length()), m.length());
        return new Acquired(new Session(model, Transformer.onPools(model.config(), model.weights(), options.contextLength(), pool.layers(),
                options.prefillChunk())), 0);
    }

    /**
     * Evicts cached sequences, oldest first, until every layer has need free blocks (or none is
     * left: the admission rule guarantees the room then).
     */
    void makeRoom(int need) {
        if (pool == null || cache == null) return;
        while (pool.minFree() < need && cache.evictOldest()) {}
    }

    /** The blocks a pass of n more positions for s may take: new blocks, and one copy of a shared last one. */
    static int blocksToAppend(Session s, int n) {
        long at = s.position();
        return KvPool.blocksFor(at + n) - KvPool.blocksFor(at) + 1;
    }

    /** A request of worst blocks ended: its sequence (if any) to the cache when keep, closed otherwise. */
    void release(Session s, int worst, boolean keep) {
        reserved -= worst;
        if (s == null) return;
        if (keep && cache != null) cache.add(s);
        else s.close();
    }

    /** The counters for stats(), from the scheduler thread. */
    void publish() {
        kvUsed = pool == null ? 0 : pool.maxUsed();
        if (cache == null) return;
        cachedSequences = cache.size();
        lookups = cache.lookups();
        hits = cache.hits();
        reused = cache.reusedTokens();
    }

    @Override
    public void close() {
        if (cache != null) cache.close();
        if (pool != null) pool.close();
    }

    @Override
    public String toString() {
        return "OwnedSequences[" + reserved + " of " + poolBlocks + " blocks reserved, " + kvUsed + " used, " + cache + "]";
    }
}
