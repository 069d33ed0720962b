package dev.vane.model;

import dev.vane.QuantizedMatrix;
import dev.vane.RmsNorm;
import dev.vane.Tensor;
import dev.vane.quant.Quantizer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One forward pass over rows that may belong to several sequences: every matrix multiplies all
 * rows at once (one pass over the weights), while RoPE, the KV cache and attention work per
 * sequence. Each block: x += Wo·attention(rope(Wq·n(x)), rope(Wk·n(x)), Wv·n(x)); x += ffn(n(x))
 * (dense or a mixture of experts); logits = Wout·n(x) for the last row of each group that asks.
 */
final class Forward {
    private Forward() {}

    /**
     * Rows [row0, row0 + n) of a pass: the next n tokens of one sequence (the KV caches of
     * `seq`, at its next positions). With wantLogits, the last row's final hidden state and
     * logits go to the pass's next row of {@link Activations#last} and {@link Activations#logits}
     * (groups asking for them, in order).
     */
    record Group(Transformer seq, int row0, int n, boolean wantLogits) {}

    /**
     * Runs tokens[from .. from + n) as the rows of the groups (which cover them in order, each
     * sequence at most once), in buffers a (n <= a.rows). Positions are checked by the caller; a
     * failure leaves the caches to the caller's rollback.
     *
     * @throws IllegalStateException if the model is closed (nothing has run then)
     */
    static void run(ModelConfig c, ModelWeights w, Activations a, int[] tokens, int from, int n, Group[] groups) {
        w.inFlight().enter();  // the model's close waits until the pass is over
        try {
            pass(c, w, a, tokens, from, n, groups);
        } finally {
            w.inFlight().exit();
        }
    }

    private static void pass(ModelConfig c, ModelWeights w, Activations a, int[] tokens, int from, int n, Group[] groups) {
        long d = c.dim();
        long rowBytes = w.embedding().format().byteSize(1, d);
        for (int t = 0; t < n; t++) {
            int id = tokens[from + t];
            if (id < 0 || id >= c.vocab()) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + c.vocab());
            QuantizedMatrix e = w.embedding();
            MemorySegment row = a.x.asSlice(t * d * 4, d * 4);
            Quantizer.dequantize(e.format(), e.segment().asSlice(id * rowBytes, rowBytes), 1, d, row);
            if (c.embeddingScale() != 1f) scale(row, d, c.embeddingScale());
        }
        long[] pos0 = new long[groups.length];
        for (int g = 0; g < groups.length; g++) pos0[g] = groups[g].seq().position();
        Tensor xs = view(a.x, n, d), hs = view(a.h, n, d), ts = view(a.tmp, n, d);
        Tensor qs = view(a.q, n, c.qDim()), ks = view(a.k, n, c.kvDim()), vs = view(a.v, n, c.kvDim()), as = view(a.att, n, c.qDim());
        long qb = 4L * c.qDim(), kb = 4L * c.kvDim();
        for (int l = 0; l < c.layers(); l++) {
            ModelWeights.Layer L = w.layers().get(l);
            L.attnNorm().apply(xs, hs);
            boolean joined = L.wqkv() != null;
            Tensor bias = L.qkvBias();
            if (joined) {
                L.wqkv().multiply(hs, bias, view(a.qkv, n, c.qDim() + 2L * c.kvDim()));
            } else {
                L.wq().multiply(hs, slice(bias, 0, qb), qs);
                L.wk().multiply(hs, slice(bias, qb, kb), ks);
                L.wv().multiply(hs, slice(bias, qb + kb, kb), vs);
            }
            if (joined && n == 1) {
                // One token: q, k and v are contiguous pieces of the row; q and k rotate in one call.
                Transformer seq = groups[0].seq();
                Tensor lq = view(a.qkv.asSlice(0, qb), 1, c.heads(), c.headDim());
                Tensor lk = view(a.qkv.asSlice(qb, kb), 1, c.kvHeads(), c.headDim());
                Tensor lv = view(a.qkv.asSlice(qb + kb, kb), 1, c.kvHeads(), c.headDim());
                qkNorm(c, L, lq, lk, 1);
                seq.rope(l).apply(view(a.qkv, 1, c.heads() + c.kvHeads(), c.headDim()), pos0[0]);
                seq.sequence(l).append(lk, lv);
                seq.attention(l).decode(lq, seq.sequence(l), null, view(a.att, 1, c.heads(), c.headDim()));
            } else {
                if (joined) splitQkv(c, a, n);
                qkNorm(c, L, view(a.q, n, c.heads(), c.headDim()), view(a.k, n, c.kvHeads(), c.headDim()), n);
                for (int g = 0; g < groups.length; g++) {
                    Group G = groups[g];
                    Transformer seq = G.seq();
                    Tensor gq = rows(a.q, G, qb, c.heads(), c.headDim()), gk = rows(a.k, G, kb, c.kvHeads(), c.headDim());
                    seq.rope(l).apply(gq, pos0[g]);
                    seq.rope(l).apply(gk, pos0[g]);
                    seq.sequence(l).append(gk, rows(a.v, G, kb, c.kvHeads(), c.headDim()));
                    seq.attention(l).decode(gq, seq.sequence(l), null, rows(a.att, G, qb, c.heads(), c.headDim()));
                }
            }
            L.wo().multiply(as, L.woBias(), ts);
            if (L.attnPostNorm() != null) L.attnPostNorm().apply(ts, ts);
            RmsNorm.addInPlace(xs, ts);
            L.ffnNorm().apply(xs, hs);
            if (L.ffn() != null) L.ffn().forward(hs, ts);
            else L.moe().forward(hs, ts);
            if (L.ffnPostNorm() != null) L.ffnPostNorm().apply(ts, ts);
            RmsNorm.addInPlace(xs, ts);
        }
        int outs = 0;
        for (Group G : groups) {  // the last rows of the groups that ask, gathered into h (x stays whole for allLogits)
            if (!G.wantLogits()) continue;
            MemorySegment.copy(a.x, (long) (G.row0() + G.n() - 1) * d * 4, a.h, outs * d * 4, d * 4);
            outs++;
        }
        if (outs == 0) return;
        w.outputNorm().apply(view(a.h, outs, d), view(a.last, outs, d));
        w.output().multiply(view(a.last, outs, d), view(a.logits, outs, c.vocab()));
        softcap(c, a.logits, (long) outs * c.vocab());
    }

    // The rows of group G in buffer s (rowBytes a row), as [G.n, heads, headDim].
    private static Tensor rows(MemorySegment s, Group G, long rowBytes, int heads, int headDim) {
        return view(s.asSlice(G.row0() * rowBytes, G.n() * rowBytes), G.n(), heads, headDim);
    }

    // Qwen3 / Gemma 3: each head of q and k RMS-normalized over the head dimension, before RoPE.
    private static void qkNorm(ModelConfig c, ModelWeights.Layer L, Tensor q3, Tensor k3, int n) {
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
    static void softcap(ModelConfig c, MemorySegment s, long n) {
        float cap = c.finalSoftcap();
        if (cap == 0) return;
        for (long i = 0; i < n; i++) {
            float z = s.getAtIndex(ValueLayout.JAVA_FLOAT, i) * (1f / cap);
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) Math.tanh(z) * cap);
        }
    }

    // Rows of qkv [n, q + 2 kv] into q [n, q], k [n, kv], v [n, kv].
    private static void splitQkv(ModelConfig c, Activations a, int n) {
        long qb = 4L * c.qDim(), kb = 4L * c.kvDim(), row = qb + 2 * kb;
        for (int t = 0; t < n; t++) {
            MemorySegment.copy(a.qkv, t * row, a.q, t * qb, qb);
            MemorySegment.copy(a.qkv, t * row + qb, a.k, t * kb, kb);
            MemorySegment.copy(a.qkv, t * row + qb + kb, a.v, t * kb, kb);
        }
    }

    static Tensor view(MemorySegment s, long... shape) {
        return Tensor.wrap(s, shape);
    }
}
