package dev.vane.model;

import dev.vane.QuantizedMatrix;
import dev.vane.RmsNorm;
import dev.vane.Tensor;
import dev.vane.attention.Attention;
import dev.vane.attention.KvCache;
import dev.vane.attention.Rope;
import dev.vane.quant.Quantizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One session's sequence state: a KV cache per layer with its attention and RoPE, and buffers
 * ({@link Activations}) for up to {@link #maxChunk} of its tokens at a time; {@link Forward} runs
 * the layers, over this sequence alone or with others ({@link Batch}). Not thread-safe.
 */
final class Transformer implements AutoCloseable {
    private final ModelConfig c;
    private final ModelWeights w;
    private final int maxChunk;
    private final Activations act;
    private final KvCache[] caches;
    private final KvCache.Sequence[] seqs;
    private final Attention[] attention;  // per layer: its window and sinks
    private final Rope[] rope;            // per layer: sliding-window layers may have their own base
    private final int contextLength;

    private final boolean ownsCaches;     // false: the caches are a pool shared with other sequences (a scheduler's)

    /** A sequence with a KV cache of its own per layer, sized for contextLength positions; prompts run maxChunk at a time. */
    Transformer(ModelConfig c, ModelWeights w, int contextLength, KvCache.Storage storage, int maxChunk) {
        this(c, w, contextLength, maxChunk, ownCaches(c, contextLength, storage, maxChunk), true, maxChunk);
    }

    /**
     * A sequence in pools it does not own (one per layer, shared with other sequences, not closed
     * with this one): its passes run in a {@link Batch}, appending at most spare + 1 tokens at a
     * time; its own forward runs one token at a time.
     */
    static Transformer onPools(ModelConfig c, ModelWeights w, int contextLength, KvCache[] pools, int spare) {
        if (pools.length != c.layers()) throw new IllegalArgumentException("one pool per layer: " + c.layers() + " layers, " + pools.length + " pools");
        return new Transformer(c, w, contextLength, 1, pools, false, spare);
    }

    private Transformer(ModelConfig c, ModelWeights w, int contextLength, int maxChunk, KvCache[] caches, boolean ownsCaches, int spare) {
        this.c = c;
        this.w = w;
        this.maxChunk = maxChunk;
        this.contextLength = contextLength;
        this.caches = caches;
        this.ownsCaches = ownsCaches;
        seqs = new KvCache.Sequence[c.layers()];
        Activations a = null;
        try {  // an allocation that fails frees what came before it
            a = new Activations(c, maxChunk, 1);
            int blocks = blocksFor(contextLength, caches[0].blockTokens());
            for (int l = 0; l < c.layers(); l++) seqs[l] = windowed(c, l, spare, blocks, caches[l].blockTokens())
                    ? caches[l].newWindowedSequence(c.window(), spare) : caches[l].newSequence();
        } catch (RuntimeException | Error e) {
            act = a;
            close();
            throw e;
        }
        act = a;
        attention = new Attention[c.layers()];
        rope = new Rope[c.layers()];
        Rope.Scaling global = c.rope().scaling().withFreqFactors(ropeFactors(c, w, contextLength));
        Rope.Scaling local = new Rope.Scaling(c.rope().swaFreqScale(), null, global.extFactor(), global.attnFactor(), global.betaFast(), global.betaSlow(),
                global.origContext());
        Rope globalRope = new Rope(c.headDim(), c.ropeDim(), c.ropeBase(), c.ropeLayout(), global);
        Rope localRope = new Rope(c.headDim(), c.ropeDim(), c.rope().swaBase(), c.ropeLayout(), local);
        for (int l = 0; l < c.layers(); l++) {
            boolean sliding = c.sliding(l);
            attention[l] = new Attention(c.heads(), c.kvHeads(), c.headDim(), c.attentionScale(), sliding ? c.window() : 0, c.attnSoftcap(),
                    w.layers().get(l).sinks());
            rope[l] = sliding ? localRope : globalRope;
        }
    }

    // A fork: the same pools, attention and RoPE, the given sequences, buffers of its own.
    private Transformer(Transformer parent, KvCache.Sequence[] seqs) {
        this.c = parent.c;
        this.w = parent.w;
        this.maxChunk = parent.maxChunk;
        this.contextLength = parent.contextLength;
        this.caches = parent.caches;
        this.ownsCaches = false;
        this.seqs = seqs;
        this.attention = parent.attention;
        this.rope = parent.rope;
        Activations a;
        try {
            a = new Activations(c, maxChunk, 1);
        } catch (RuntimeException | Error e) {
            for (KvCache.Sequence s : seqs) s.close();
            throw e;
        }
        this.act = a;
    }

    /** Positions per KV block (64). */
    static final int BLOCK_TOKENS = 64;

    static int blocksFor(long positions, int blockTokens) {
        return (int) ((positions + blockTokens - 1) / blockTokens);
    }

    // Whether layer l keeps only its window (and a chunk to roll back): a sliding-window layer
    // whose window takes fewer blocks than the context.
    static boolean windowed(ModelConfig c, int l, int spare, int contextBlocks, int blockTokens) {
        return c.sliding(l) && KvCache.windowBlocks(c.window(), spare, blockTokens) < contextBlocks;
    }

    // A cache per layer for one sequence of contextLength positions (a windowed layer: its window's blocks).
    private static KvCache[] ownCaches(ModelConfig c, int contextLength, KvCache.Storage storage, int maxChunk) {
        int blocks = blocksFor(contextLength, BLOCK_TOKENS);
        int[] perLayer = new int[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            perLayer[l] = windowed(c, l, maxChunk, blocks, BLOCK_TOKENS) ? KvCache.windowBlocks(c.window(), maxChunk, BLOCK_TOKENS) : blocks;
        }
        KvBudget.require(c, perLayer, storage, "a session of " + contextLength + " positions",
                "open it with a shorter context (SessionOptions.withContextLength) or FP8 storage (withKvStorage)");
        KvCache[] caches = new KvCache[c.layers()];
        try {
            for (int l = 0; l < c.layers(); l++) caches[l] = new KvCache(c.kvHeads(), c.headDim(), BLOCK_TOKENS, perLayer[l], storage);
        } catch (RuntimeException | Error e) {
            for (KvCache k : caches) if (k != null) k.close();
            throw e;
        }
        return caches;
    }

    /**
     * A new sequence sharing this one's first length positions (copy-on-write: either one writing
     * into a shared block copies it), in the same pools; it does not own them.
     *
     * @throws IllegalStateException if a windowed layer no longer holds position length - 1's block
     *     ({@link #reusable(long)} says whether it can)
     */
    Transformer fork(long length) {
        if (length < 0 || length > position()) throw new IllegalArgumentException("can fork 0.." + position() + " positions, not " + length);
        KvCache.Sequence[] forks = new KvCache.Sequence[seqs.length];
        try {
            for (int l = 0; l < seqs.length; l++) {
                forks[l] = seqs[l].fork();
                forks[l].truncate(length);
            }
        } catch (RuntimeException | Error e) {
            for (KvCache.Sequence s : forks) if (s != null) s.close();
            throw e;
        }
        return new Transformer(this, forks);
    }

    /**
     * The first position every layer still holds: 0, or past the blocks a sliding-window layer gave
     * back; a fork keeps at least this many positions.
     */
    long firstKept() {
        long k = 0;
        for (KvCache.Sequence s : seqs) k = Math.max(k, s.firstKept());
        return k;
    }

    // Per-pair frequency factors: the file's rope_freqs (Llama 3.1+), or Phi-3's long or short
    // LongRoPE factors by whether the context passes the original one (as llama.cpp picks them),
    // or those the config computed (a checkpoint's llama3 rope_scaling); null for none.
    private static float[] ropeFactors(ModelConfig c, ModelWeights w, int contextLength) {
        if (w.ropeFactors() != null) return w.ropeFactors();
        float[] longOrShort = contextLength > c.rope().scaling().origContext() ? w.ropeLong() : w.ropeShort();
        if (longOrShort != null) return longOrShort;
        return c.rope().scaling().freqFactors();
    }

    /** Positions cached so far (the next token's position). */
    long position() {
        return seqs[0].length();
    }

    /** Forgets cached positions from `length` on. */
    void truncate(long length) {
        for (KvCache.Sequence s : seqs) s.truncate(length);
    }

    int maxChunk() {
        return maxChunk;
    }

    /**
     * Runs tokens[from .. from + n) (n <= maxChunk) at the next positions; with wantLogits, the
     * last token's logits are then in {@link #logits()}.
     */
    void forward(int[] tokens, int from, int n, boolean wantLogits) {
        long pos0 = position();
        if (n < 1 || n > maxChunk) throw new IllegalArgumentException("a chunk is 1.." + maxChunk + " tokens, got " + n);
        requireRoom(n);
        try {
            Forward.run(c, w, act, tokens, from, n, new Forward.Group[] {new Forward.Group(this, 0, n, wantLogits)});
        } catch (RuntimeException | Error e) {
            truncate(pos0);  // every layer's cache back to where this chunk started
            throw e;
        }
    }

    /** Throws unless n more positions fit in the context. */
    void requireRoom(int n) {
        long pos0 = position();
        if (pos0 + n > contextLength) {
            throw new IllegalStateException("the session's context is full: " + pos0 + " positions cached + " + n + " new > its " + contextLength
                    + " (open the session with a longer context, or truncate it)");
        }
    }

    int contextLength() {
        return contextLength;
    }

    KvCache.Sequence sequence(int layer) {
        return seqs[layer];
    }

    Attention attention(int layer) {
        return attention[layer];
    }

    Rope rope(int layer) {
        return rope[layer];
    }

    /** The buffers of this sequence's own passes; after a pass with logits, row 0 of last and logits holds them. */
    Activations activations() {
        return act;
    }

    /**
     * The logits of every token of the last forward (n of them) into out [n, vocab]: the final
     * norm and the output matrix over all rows, not only the last (scoring text, perplexity).
     */
    void allLogits(int n, MemorySegment out) {
        long d = c.dim();
        Tensor xs = Forward.view(act.x, n, d), hs = Forward.view(act.h, n, d);
        w.inFlight().enter();
        try {
            w.outputNorm().apply(xs, hs);
            w.output().multiply(hs, Tensor.wrap(out, n, c.vocab()));
        } finally {
            w.inFlight().exit();
        }
        Forward.softcap(c, out, (long) n * c.vocab());
    }

    /** The final normalized hidden states of every token of the last forward (n of them) into out [n, dim]. */
    void allHidden(int n, MemorySegment out) {
        long d = c.dim();
        w.inFlight().enter();
        try {
            w.outputNorm().apply(Forward.view(act.x, n, d), Tensor.wrap(out, n, d));
        } finally {
            w.inFlight().exit();
        }
    }

    /** The last forward's final normalized hidden state of its last token (dim floats). */
    MemorySegment lastHidden() {
        return act.last.asSlice(0, c.dim() * 4);
    }

    float[] logitsArray() {
        return act.logits.toArray(ValueLayout.JAVA_FLOAT);
    }

    @Override
    public void close() {
        for (KvCache.Sequence s : seqs) if (s != null) s.close();
        if (ownsCaches) for (KvCache cache : caches) if (cache != null) cache.close();
        if (act != null) act.close();
    }
}
