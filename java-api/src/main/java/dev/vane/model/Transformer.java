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
    private final Attention attention;
    private final Rope rope;
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
                caches[l] = new KvCache(c.kvHeads(), c.headDim(), blockTokens, blocks, storage);
                seqs[l] = caches[l].newSequence();
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
        attention = new Attention(c.heads(), c.kvHeads(), c.headDim());
        rope = new Rope(c.headDim(), c.ropeDim(), c.ropeBase(), c.ropeLinearScale(), c.ropeLayout());
        rowBytes = w.embedding().format().byteSize(1, d);
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
            Quantizer.dequantize(e.format(), e.segment().asSlice(id * rowBytes, rowBytes), 1, d, x.asSlice(t * d * 4, d * 4));
        }
        Tensor xs = view(x, n, d), hs = view(h, n, d), ts = view(tmp, n, d);
        Tensor qs = view(q, n, c.qDim()), ks = view(k, n, c.kvDim()), vs = view(v, n, c.kvDim()), as = view(att, n, c.qDim());
        Tensor q3 = view(q, n, c.heads(), c.headDim()), k3 = view(k, n, c.kvHeads(), c.headDim());
        Tensor v3 = view(v, n, c.kvHeads(), c.headDim()), a3 = view(att, n, c.heads(), c.headDim());
        for (int l = 0; l < c.layers(); l++) {
            ModelWeights.Layer L = w.layers().get(l);
            L.attnNorm().apply(xs, hs);
            boolean joined = L.wqkv() != null;
            if (joined) {
                L.wqkv().multiply(hs, view(qkv, n, c.qDim() + 2L * c.kvDim()));
            } else {
                L.wq().multiply(hs, qs);
                L.wk().multiply(hs, ks);
                L.wv().multiply(hs, vs);
            }
            Tensor lq = q3, lk = k3, lv = v3;
            if (joined && n == 1) {
                // One token: q, k and v are contiguous pieces of the row; q and k rotate in one call.
                long qb = 4L * c.qDim(), kb = 4L * c.kvDim();
                rope.apply(view(qkv, 1, c.heads() + c.kvHeads(), c.headDim()), pos0);
                lq = view(qkv.asSlice(0, qb), 1, c.heads(), c.headDim());
                lk = view(qkv.asSlice(qb, kb), 1, c.kvHeads(), c.headDim());
                lv = view(qkv.asSlice(qb + kb, kb), 1, c.kvHeads(), c.headDim());
            } else {
                if (joined) splitQkv(n);
                rope.apply(q3, pos0);
                rope.apply(k3, pos0);
            }
            seqs[l].append(lk, lv);
            attention.decode(lq, seqs[l], null, a3);
            L.wo().multiply(as, ts);
            RmsNorm.addInPlace(xs, ts);
            L.ffnNorm().apply(xs, hs);
            if (L.ffn() != null) L.ffn().forward(hs, ts);
            else L.moe().forward(hs, ts);
            RmsNorm.addInPlace(xs, ts);
        }
        if (wantLogits) {
            Tensor lastIn = Tensor.wrap(x.asSlice((n - 1) * d * 4, d * 4), d);
            Tensor lastOut = view(last, d);
            w.outputNorm().apply(lastIn, lastOut);
            w.output().multiply(lastOut, view(logits, c.vocab()));
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
