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
 * One session's forward pass: activation buffers for up to {@link #maxChunk} tokens at a time,
 * and a KV cache per layer. Each block: x += Wo·attention(rope(Wq·n(x)), rope(Wk·n(x)), Wv·n(x));
 * x += ffn(n(x)) (dense SwiGLU or a mixture of experts); logits = Wout·n(x) for the last token.
 * Not thread-safe.
 */
final class Transformer implements AutoCloseable {
    private final ModelConfig c;
    private final ModelWeights w;
    private final int maxChunk;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment x, h, qkv, q, k, v, att, tmp, last, logits;
    private final KvCache[] caches;
    private final KvCache.Sequence[] seqs;
    private final Attention[] attention;  // per layer: its window and sinks
    private final Rope[] rope;            // per layer: sliding-window layers may have their own base
    private final long rowBytes;
    private final int contextLength;

    Transformer(ModelConfig c, ModelWeights w, int contextLength, KvCache.Storage storage, int maxChunk) {
        this.c = c;
        this.w = w;
        this.maxChunk = maxChunk;
        this.contextLength = contextLength;
        long d = c.dim();
        int blockTokens = 64;
        int blocks = (contextLength + blockTokens - 1) / blockTokens;
        caches = new KvCache[c.layers()];
        seqs = new KvCache.Sequence[c.layers()];
        try {  // an allocation that fails frees what came before it
            x = buffer(maxChunk * d);
            h = buffer(maxChunk * d);
            qkv = buffer((long) maxChunk * (c.qDim() + 2L * c.kvDim()));
            q = buffer((long) maxChunk * c.qDim());
            k = buffer((long) maxChunk * c.kvDim());
            v = buffer((long) maxChunk * c.kvDim());
            att = buffer((long) maxChunk * c.qDim());
            tmp = buffer(maxChunk * d);
            last = buffer(d);
            logits = buffer(c.vocab());
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
        rowBytes = w.embedding().format().byteSize(1, d);
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

    private MemorySegment buffer(long floats) {
        return arena.allocate(floats * 4, 64);
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
        if (pos0 + n > contextLength) {
            throw new IllegalStateException("the session's context is full: " + pos0 + " positions cached + " + n + " new > its " + contextLength
                    + " (open the session with a longer context, or truncate it)");
        }
        try {
            run(tokens, from, n, pos0, wantLogits);
        } catch (RuntimeException | Error e) {
            truncate(pos0);  // every layer's cache back to where this chunk started
            throw e;
        }
    }

    int contextLength() {
        return contextLength;
    }

    private void run(int[] tokens, int from, int n, long pos0, boolean wantLogits) {
        long d = c.dim();
        for (int t = 0; t < n; t++) {
            int id = tokens[from + t];
            if (id < 0 || id >= c.vocab()) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + c.vocab());
            QuantizedMatrix e = w.embedding();
            MemorySegment row = x.asSlice(t * d * 4, d * 4);
            Quantizer.dequantize(e.format(), e.segment().asSlice(id * rowBytes, rowBytes), 1, d, row);
            if (c.embeddingScale() != 1f) scale(row, d, c.embeddingScale());
        }
        Tensor xs = view(x, n, d), hs = view(h, n, d), ts = view(tmp, n, d);
        Tensor qs = view(q, n, c.qDim()), ks = view(k, n, c.kvDim()), vs = view(v, n, c.kvDim()), as = view(att, n, c.qDim());
        Tensor q3 = view(q, n, c.heads(), c.headDim()), k3 = view(k, n, c.kvHeads(), c.headDim());
        Tensor v3 = view(v, n, c.kvHeads(), c.headDim()), a3 = view(att, n, c.heads(), c.headDim());
        long qb = 4L * c.qDim(), kb = 4L * c.kvDim();
        for (int l = 0; l < c.layers(); l++) {
            ModelWeights.Layer L = w.layers().get(l);
            L.attnNorm().apply(xs, hs);
            boolean joined = L.wqkv() != null;
            Tensor bias = L.qkvBias();
            if (joined) {
                L.wqkv().multiply(hs, bias, view(qkv, n, c.qDim() + 2L * c.kvDim()));
            } else {
                L.wq().multiply(hs, slice(bias, 0, qb), qs);
                L.wk().multiply(hs, slice(bias, qb, kb), ks);
                L.wv().multiply(hs, slice(bias, qb + kb, kb), vs);
            }
            Tensor lq = q3, lk = k3, lv = v3;
            if (joined && n == 1) {
                // One token: q, k and v are contiguous pieces of the row; q and k rotate in one call.
                lq = view(qkv.asSlice(0, qb), 1, c.heads(), c.headDim());
                lk = view(qkv.asSlice(qb, kb), 1, c.kvHeads(), c.headDim());
                lv = view(qkv.asSlice(qb + kb, kb), 1, c.kvHeads(), c.headDim());
                qkNorm(L, lq, lk, 1);
                rope[l].apply(view(qkv, 1, c.heads() + c.kvHeads(), c.headDim()), pos0);
            } else {
                if (joined) splitQkv(n);
                qkNorm(L, q3, k3, n);
                rope[l].apply(q3, pos0);
                rope[l].apply(k3, pos0);
            }
            seqs[l].append(lk, lv);
            attention[l].decode(lq, seqs[l], null, a3);
            L.wo().multiply(as, L.woBias(), ts);
            if (L.attnPostNorm() != null) L.attnPostNorm().apply(ts, ts);
            RmsNorm.addInPlace(xs, ts);
            L.ffnNorm().apply(xs, hs);
            if (L.ffn() != null) L.ffn().forward(hs, ts);
            else L.moe().forward(hs, ts);
            if (L.ffnPostNorm() != null) L.ffnPostNorm().apply(ts, ts);
            RmsNorm.addInPlace(xs, ts);
        }
        if (wantLogits) {
            Tensor lastIn = Tensor.wrap(x.asSlice((n - 1) * d * 4, d * 4), d);
            Tensor lastOut = view(last, d);
            w.outputNorm().apply(lastIn, lastOut);
            w.output().multiply(lastOut, view(logits, c.vocab()));
            softcap(logits, c.vocab());
        }
    }

    // Qwen3 / Gemma 3: each head of q and k RMS-normalized over the head dimension, before RoPE.
    private void qkNorm(ModelWeights.Layer L, Tensor q3, Tensor k3, int n) {
        if (L.qNorm() == null) return;
        Tensor qh = view(q3.segment(), (long) n * c.heads(), c.headDim()), kh = view(k3.segment(), (long) n * c.kvHeads(), c.headDim());
        L.qNorm().apply(qh, qh);
        L.kNorm().apply(kh, kh);
    }

    private static Tensor slice(Tensor bias, long offset, long bytes) {
        return bias == null ? null : Tensor.wrap(bias.segment().asSlice(offset, bytes), bytes / 4);
    }

    private static void scale(MemorySegment s, long n, float f) {
        for (long i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, s.getAtIndex(ValueLayout.JAVA_FLOAT, i) * f);
    }

    // Gemma 2's final soft-capping: logit -> cap * tanh(logit / cap), in f32 as llama.cpp's scale, tanh, scale.
    private void softcap(MemorySegment s, long n) {
        float cap = c.finalSoftcap();
        if (cap == 0) return;
        for (long i = 0; i < n; i++) {
            float z = s.getAtIndex(ValueLayout.JAVA_FLOAT, i) * (1f / cap);
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) Math.tanh(z) * cap);
        }
    }

    // Rows of qkv [n, q + 2 kv] into q [n, q], k [n, kv], v [n, kv].
    private void splitQkv(int n) {
        long qb = 4L * c.qDim(), kb = 4L * c.kvDim(), row = qb + 2 * kb;
        for (int t = 0; t < n; t++) {
            MemorySegment.copy(qkv, t * row, q, t * qb, qb);
            MemorySegment.copy(qkv, t * row + qb, k, t * kb, kb);
            MemorySegment.copy(qkv, t * row + qb + kb, v, t * kb, kb);
        }
    }

    private static Tensor view(MemorySegment s, long... shape) {
        return Tensor.wrap(s, shape);
    }

    /**
     * The logits of every token of the last forward (n of them) into out [n, vocab]: the final
     * norm and the output matrix over all rows, not only the last (scoring text, perplexity).
     */
    void allLogits(int n, MemorySegment out) {
        long d = c.dim();
        Tensor xs = view(x, n, d), hs = view(h, n, d);
        w.outputNorm().apply(xs, hs);
        w.output().multiply(hs, Tensor.wrap(out, n, c.vocab()));
        softcap(out, (long) n * c.vocab());
    }

    /** The last forward's final normalized hidden state of its last token (dim floats). */
    MemorySegment lastHidden() {
        return last;
    }

    float[] logitsArray() {
        return logits.toArray(ValueLayout.JAVA_FLOAT);
    }

    @Override
    public void close() {
        for (KvCache.Sequence s : seqs) if (s != null) s.close();
        for (KvCache cache : caches) if (cache != null) cache.close();
        arena.close();
    }
}
