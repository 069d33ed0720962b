package dev.vane.model;

import dev.vane.attention.KvCache;

/**
 * A scheduler's shared KV block pool: one {@link KvCache} per layer, each of the same number of
 * blocks, from which the sequences it owns draw (and fork, sharing blocks). A sliding-window
 * layer's windowed sequences hold no more blocks than a full layer's would, so a request's
 * worst case counts in full-layer blocks ({@link #blocksFor}). Not thread-safe.
 */
final class KvPool implements AutoCloseable {
    private final KvCache[] layers;
    private final int blocks;

    KvPool(ModelConfig c, int blocks, KvCache.Storage storage) {
        this.blocks = blocks;
        requireFits(c, blocks, storage);
        layers = new KvCache[c.layers()];
        try {  // an allocation that fails frees what came before it
            for (int l = 0; l < layers.length; l++) layers[l] = new KvCache(c.kvHeads(), c.headDim(), Transformer.BLOCK_TOKENS, blocks, storage);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** Throws unless a pool of blocks per layer fits the memory ({@link KvBudget}); a scheduler checks before it starts. */
    static void requireFits(ModelConfig c, int blocks, KvCache.Storage storage) {
        int[] perLayer = new int[c.layers()];
        java.util.Arrays.fill(perLayer, blocks);
        KvBudget.require(c, perLayer, storage, "a scheduler's KV pool of " + (long) blocks * Transformer.BLOCK_TOKENS + " positions per layer",
                "give it fewer (SchedulerOptions.withPoolTokens, withCapacity or withContextLength) or FP8 storage (withKvStorage)");
    }

    /** Blocks holding n positions. */
    static int blocksFor(long positions) {
        return Transformer.blocksFor(positions, Transformer.BLOCK_TOKENS);
    }

    /** The pool per layer, for {@link Transformer#onPools}. */
    KvCache[] layers() {
        return layers.clone();
    }

    /** Blocks per layer. */
    int blocks() {
        return blocks;
    }

    /** The free blocks of the fullest layer. */
    int minFree() {
        int free = blocks;
        for (KvCache k : layers) free = Math.min(free, k.freeBlocks());
        return free;
    }

    /** The used blocks of the fullest layer. */
    int maxUsed() {
        return blocks - minFree();
    }

    @Override
    public void close() {
        for (KvCache k : layers) if (k != null) k.close();
    }
}
