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

    Transformer(ModelConfig c, ModelWeights w, int contextLength, KvCache.Storage storage, int maxChunk) {
        this.c = c;
        this.w = w;
        this.maxChunk = maxChunk;
        this.contextLength = contextLength;
        int blockTokens = 64;
        int blocks = (contextLength + blockTokens - 1) / blockTokens;
        caches = new KvCache[c.layers()];
        seqs = new KvCache.Sequence[c.layers()];
        act = new Activations(c, maxChunk, 1);
        try {  // an allocation that fails frees what came before it
            for (int l = 0; l < c.layers(); l++) {
                // A sliding-window layer keeps only its window (and a chunk to roll back).
                int windowBlocks = c.sliding(l) ? KvCache.windowBlocks(c.window(), maxChunk, blockTokens) : Integer.MAX_VALUE;
                boolean windowed = windowBlocks < blocks;
                caches[l] = new KvCache(c.kvHeads(), c.headDim(), blockTokens, windowed ? windowBlocks : blocks, storage);
                seqs[l] = windowed ? caches[l].newWindowedSequence(c.window(), maxChunk) : caches[l].newSequence();
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
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
        w.outputNorm().apply(xs, hs);
        w.output().multiply(hs, Tensor.wrap(out, n, c.vocab()));
        Forward.softcap(c, out, (long) n * c.vocab());
    }

    /** The final normalized hidden states of every token of the last forward (n of them) into out [n, dim]. */
    void allHidden(int n, MemorySegment out) {
        long d = c.dim();
        w.outputNorm().apply(Forward.view(act.x, n, d), Tensor.wrap(out, n, d));
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
        for (KvCache cache : caches) if (cache != null) cache.close();
        act.close();
    }
}
