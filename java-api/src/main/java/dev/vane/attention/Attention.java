package dev.vane.attention;

import dev.vane.DType;
import dev.vane.Tensor;
import dev.vane.bindings.NativeLayouts;
import dev.vane.bindings.VaneNative;
import dev.vane.internal.LayerArgs;
import dev.vane.internal.Native;
import dev.vane.internal.Segments;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.util.Objects;

/**
 * Scaled dot-product attention with a streaming softmax (the score matrix is never formed):
 * {@code out = softmax(q·kᵀ·scale + mask)·v} per head, for q, k, v and out as F32 tensors
 * {@code [tokens, heads, headDim]} (each token's heads contiguous, as the projections write
 * them). Query head h reads KV head {@code h / (heads / kvHeads)}: grouped-query attention,
 * multi-query with one KV head.
 *
 * <ul>
 *   <li>{@link #prefill}: causal; the queries are the last q-tokens of the k/v positions (all of
 *       them in a plain prefill, one or a few in decode); an optional sliding window.
 *   <li>{@link #cross}: every query sees every key; q and k/v may have different lengths (text
 *       attending to image patches).
 *   <li>{@link #decode}: causal over a {@link KvCache.Sequence} (paged, f32/f16/FP8 storage),
 *       optionally rotating keys by their cache position (streaming sequences).
 * </ul>
 */
public final class Attention {
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final float scale;
    private final long window;

    /** scale 1/√headDim, no window. */
    public Attention(int heads, int kvHeads, int headDim) {
        this(heads, kvHeads, headDim, (float) (1 / Math.sqrt(headDim)), 0);
    }

    /**
     * @param scale  multiplies q·k before the softmax
     * @param window causal only: > 0 keeps, for a query at position p, the keys at p - window + 1 .. p
     */
    public Attention(int heads, int kvHeads, int headDim, float scale, long window) {
        if (heads < 1 || kvHeads < 1) throw new IllegalArgumentException("heads and kvHeads must be >= 1, got " + heads + " and " + kvHeads);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("kvHeads = " + kvHeads + " does not divide heads = " + heads
                    + " (each KV head serves heads / kvHeads query heads)");
        }
        if (headDim < 1 || headDim > 512) throw new IllegalArgumentException("headDim must be in 1..512, got " + headDim);
        if (!Float.isFinite(scale)) throw new IllegalArgumentException("scale must be finite, got " + scale);
        if (window < 0) throw new IllegalArgumentException("window must be >= 0 (0: none), got " + window);
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.scale = scale;
        this.window = window;
    }

    public int heads() {
        return heads;
    }

    public int kvHeads() {
        return kvHeads;
    }

    public int headDim() {
        return headDim;
    }

    /** Causal attention into a new tensor shaped as q; the caller closes it. */
    public Tensor prefill(Tensor q, Tensor k, Tensor v) {
        return LayerArgs.filled(checkQ(q).shape(), out -> prefill(q, k, v, out));
    }

    /** Causal attention: q [nq, heads, headDim] are the last nq of the nkv positions of k, v [nkv, kvHeads, headDim]. */
    public void prefill(Tensor q, Tensor k, Tensor v, Tensor out) {
        run(q, k, v, out, true);
    }

    /** Cross-attention (no mask) into a new tensor shaped as q; the caller closes it. */
    public Tensor cross(Tensor q, Tensor k, Tensor v) {
        return LayerArgs.filled(checkQ(q).shape(), out -> cross(q, k, v, out));
    }

    /** Cross-attention: every query of q [nq, heads, headDim] over all of k, v [nkv, kvHeads, headDim]. */
    public void cross(Tensor q, Tensor k, Tensor v, Tensor out) {
        run(q, k, v, out, false);
    }

    /**
     * Decode (or chunked prefill) over a cached sequence: q [nq, heads, headDim] are the last nq
     * of the sequence's positions, causal, into a new tensor; the caller closes it.
     */
    public Tensor decode(Tensor q, KvCache.Sequence seq) {
        return decode(q, seq, null);
    }

    /** As {@link #decode(Tensor, KvCache.Sequence)}, each key first rotated by its cache position (rope may be null). */
    public Tensor decode(Tensor q, KvCache.Sequence seq, Rope rope) {
        return LayerArgs.filled(checkQ(q).shape(), out -> decode(q, seq, rope, out));
    }

    /**
     * Decode into out. With rope, the sequence holds unrotated keys and each is rotated by its
     * position in the cache (0 .. length - 1) at attention time: a streaming sequence's evictions
     * then shift positions without rewriting keys. q must already be rotated to its own positions
     * (for one query: length - 1).
     */
    public void decode(Tensor q, KvCache.Sequence seq, Rope rope, Tensor out) {
        Objects.requireNonNull(seq, "seq must not be null");
        Objects.requireNonNull(out, "out must not be null");
        long nq = checkQ(q).dim(0);
        requireShape(out, "out", heads);
        if (out.dim(0) != nq) throw new IllegalArgumentException("out must be shaped as q " + q + ", got " + out);
        KvCache cache = seq.cache();
        if (cache.kvHeads() != kvHeads || cache.headDim() != headDim) {
            throw new IllegalArgumentException("the cache holds " + cache.kvHeads() + " KV heads of " + cache.headDim() + ", this attention "
                    + kvHeads + " of " + headDim);
        }
        if (rope != null && rope.headDim() != headDim) {
            throw new IllegalArgumentException("rope is for head dim " + rope.headDim() + ", the attention's is " + headDim);
        }
        long n = seq.length();
        if (nq > n) throw new IllegalArgumentException("q has " + nq + " tokens but the sequence holds only " + n + " positions");
        Segments.requireReadable(q.segment(), "q", q.segment().byteSize(), "its elements");
        Segments.requireNative(q.segment(), "q");
        Segments.requireWritable(out.segment(), "out", out.segment().byteSize(), "its elements");
        Segments.requireNative(out.segment(), "out");
        if (out.segment().asOverlappingSlice(q.segment()).isPresent()) throw new IllegalArgumentException("out overlaps q");
        try (Arena call = Arena.ofConfined()) {
            MemorySegment p = params(call, true);
            MemorySegment table = seq.table(call);
            MemorySegment keyRope = MemorySegment.NULL, ropeTable = MemorySegment.NULL;
            if (rope != null) {
                keyRope = call.allocate(NativeLayouts.KEY_ROPE);
                ropeTable = rope.table(Math.max(n, 1));  // GC-managed: kept reachable until the call returns (below)
                NativeLayouts.KEY_ROPE_TABLE.set(keyRope, ropeTable);
                NativeLayouts.KEY_ROPE_POSITIONS.set(keyRope, Math.max(n, 1));
                NativeLayouts.KEY_ROPE_ROT_DIM.set(keyRope, (long) rope.rotDim());
                NativeLayouts.KEY_ROPE_NEOX.set(keyRope, rope.layout() == Rope.Layout.NEOX ? 1 : 0);
            }
            Native.check((int) VaneNative.ATTENTION_CACHED.invokeExact(p, q.segment(), nq, cache.struct(), table, (long) seq.blocks(), n,
                    keyRope, out.segment()));
            Reference.reachabilityFence(ropeTable);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    private MemorySegment params(Arena call, boolean causal) {
        MemorySegment p = call.allocate(NativeLayouts.ATTENTION_PARAMS);
        NativeLayouts.ATTENTION_N_HEADS.set(p, (long) heads);
        NativeLayouts.ATTENTION_N_KV_HEADS.set(p, (long) kvHeads);
        NativeLayouts.ATTENTION_HEAD_DIM.set(p, (long) headDim);
        NativeLayouts.ATTENTION_SCALE.set(p, scale);
        NativeLayouts.ATTENTION_CAUSAL.set(p, causal ? 1 : 0);
        NativeLayouts.ATTENTION_WINDOW.set(p, window);
        return p;
    }

    private Tensor checkQ(Tensor q) {
        Objects.requireNonNull(q, "q must not be null");
        requireShape(q, "q", heads);
        return q;
    }

    private void run(Tensor q, Tensor k, Tensor v, Tensor out, boolean causal) {
        Objects.requireNonNull(k, "k must not be null");
        Objects.requireNonNull(v, "v must not be null");
        Objects.requireNonNull(out, "out must not be null");
        long nq = checkQ(q).dim(0);
        requireShape(k, "k", kvHeads);
        requireShape(v, "v", kvHeads);
        requireShape(out, "out", heads);
        long nkv = k.dim(0);
        if (v.dim(0) != nkv) throw new IllegalArgumentException("k and v must have the same length, got " + k + " and " + v);
        if (out.dim(0) != nq) throw new IllegalArgumentException("out must be shaped as q " + q + ", got " + out);
        if (causal && nq > nkv) {
            throw new IllegalArgumentException("causal attention needs q no longer than k/v (the queries are the last " + nq
                    + " of the " + nkv + " positions)");
        }
        for (Tensor t : new Tensor[] {q, k, v}) {
            Segments.requireReadable(t.segment(), "a tensor", t.segment().byteSize(), "its elements");
            Segments.requireNative(t.segment(), "q, k and v");
        }
        Segments.requireWritable(out.segment(), "out", out.segment().byteSize(), "its elements");
        Segments.requireNative(out.segment(), "out");
        for (Tensor t : new Tensor[] {q, k, v}) {
            if (out.segment().asOverlappingSlice(t.segment()).isPresent()) throw new IllegalArgumentException("out overlaps q, k or v");
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment p = params(call, causal);
            Native.check((int) VaneNative.ATTENTION.invokeExact(p, q.segment(), nq, k.segment(), v.segment(), nkv, out.segment()));
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    private void requireShape(Tensor t, String name, int wantHeads) {
        t.requireDType(DType.F32, name);
        if (t.rank() != 3 || t.dim(1) != wantHeads || t.dim(2) != headDim) {
            throw new IllegalArgumentException(name + " must be [tokens, " + wantHeads + ", " + headDim + "], got " + t);
        }
    }

    @Override
    public String toString() {
        return "Attention[heads=" + heads + ", kvHeads=" + kvHeads + ", headDim=" + headDim + ", scale=" + scale
                + (window > 0 ? ", window=" + window : "") + "]";
    }
}
