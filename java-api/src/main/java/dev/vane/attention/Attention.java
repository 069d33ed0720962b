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
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;
import java.util.Objects;

/**
 * Scaled dot-product attention with a streaming softmax (the score matrix is never formed):
 * {@code out = softmax(q·kᵀ·scale + mask)·v} per head, for q, k, v and out as F32 tensors
 * {@code [tokens, heads, headDim]} (each token's heads contiguous, as the projections write
 * them). Query head h reads KV head {@code h / (heads / kvHeads)}: grouped-query attention,
 * multi-query with one KV head.
 *
 * <p>Two options of recent model families: logit soft-capping (Gemma 2), each score
 * {@code s = scale·q·k} becoming {@code softcap·tanh(s / softcap)} before the mask and the softmax,
 * and learned attention sinks (gpt-oss), one logit per query head that joins the head's softmax
 * denominator without a value: {@code out = Σ e^(s_j - m) v_j / (e^(sink_h - m) + Σ e^(s_j - m))}.
 *
 * <ul>
 *   <li>{@link #prefill}: causal; the queries are the last q-tokens of the k/v positions (all of
 *       them in a plain prefill, one or a few in decode); an optional sliding window.
 *   <li>{@link #cross}: every query sees every key; q and k/v may have different lengths (text
 *       attending to image patches).
 *   <li>{@link #decode}: causal over a {@link KvCache.Sequence} (paged, f32/f16/FP8 storage),
 *       optionally rotating keys by their cache position (streaming sequences); a windowed
 *       sequence ({@link KvCache#newWindowedSequence}) needs a sliding window no wider than its own.
 * </ul>
 */
public final class Attention {
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final float scale;
    private final long window;
    private final float softcap;
    private final Tensor sinks;

    /** scale 1/√headDim, no window. */
    public Attention(int heads, int kvHeads, int headDim) {
        this(heads, kvHeads, headDim, (float) (1 / Math.sqrt(headDim)), 0);
    }

    /**
     * No soft-capping, no sinks.
     *
     * @param scale  multiplies q·k before the softmax
     * @param window causal only: > 0 keeps, for a query at position p, the keys at p - window + 1 .. p
     */
    public Attention(int heads, int kvHeads, int headDim, float scale, long window) {
        this(heads, kvHeads, headDim, scale, window, 0f, null);
    }

    /**
     * @param scale   multiplies q·k before the softmax
     * @param window  causal only: > 0 keeps, for a query at position p, the keys at p - window + 1 .. p
     * @param softcap > 0: each score s = scale·q·k becomes softcap·tanh(s / softcap) before the mask
     *                and the softmax; 0: off
     * @param sinks   F32 [heads]: a logit per query head joining its softmax denominator without a
     *                value; or null. Read at every call (not copied): it must stay open while this
     *                attention is used, and hold finite values
     */
    public Attention(int heads, int kvHeads, int headDim, float scale, long window, float softcap, Tensor sinks) {
        if (heads < 1 || kvHeads < 1) throw new IllegalArgumentException("heads and kvHeads must be >= 1, got " + heads + " and " + kvHeads);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("kvHeads = " + kvHeads + " does not divide heads = " + heads
                    + " (each KV head serves heads / kvHeads query heads)");
        }
        if (headDim < 1 || headDim > 512) throw new IllegalArgumentException("headDim must be in 1..512, got " + headDim);
        if (!Float.isFinite(scale)) throw new IllegalArgumentException("scale must be finite, got " + scale);
        if (window < 0) throw new IllegalArgumentException("window must be >= 0 (0: none), got " + window);
        if (!(softcap >= 0) || Float.isInfinite(softcap)) {
            throw new IllegalArgumentException("softcap must be finite and >= 0 (0: off), got " + softcap);
        }
        if (sinks != null) {
            sinks.requireDType(DType.F32, "sinks");
            if (sinks.rank() != 1 || sinks.dim(0) != heads) {
                throw new IllegalArgumentException("sinks must be [" + heads + "] (one logit per query head), got " + sinks);
            }
            requireSinksOpen(sinks);
            Segments.requireNative(sinks.segment(), "sinks");
            Segments.requireFloatAligned(sinks.segment(), "sinks");
        }
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.scale = scale;
        this.window = window;
        this.softcap = softcap;
        this.sinks = sinks;
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

    /** The sliding window (0: none). */
    public long window() {
        return window;
    }

    /** The logit soft-cap (0: off). */
    public float softcap() {
        return softcap;
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
     * (for one query: length - 1). Over a windowed sequence this attention's window must be > 0 and
     * no wider than the sequence's, and every key the queries see must still be kept.
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
        if (seq.windowed()) {
            if (window <= 0 || window > seq.slideWindow()) {
                throw new IllegalArgumentException("a windowed sequence (window " + seq.slideWindow() + ") needs an attention with a window in 1.."
                        + seq.slideWindow() + ", this one has " + (window == 0 ? "none" : "window " + window));
            }
            long seen = Math.max(0, n - nq - window + 1);
            if (seen < seq.firstKept()) {
                throw new IllegalArgumentException("the first of the " + nq + " queries sees back to position " + seen
                        + ", but the windowed sequence keeps positions from " + seq.firstKept() + " on (at most spare + 1 queries at a time)");
            }
        }
        Segments.requireReadable(q.segment(), "q", q.segment().byteSize(), "its elements");
        Segments.requireNative(q.segment(), "q");
        Segments.requireWritable(out.segment(), "out", out.segment().byteSize(), "its elements");
        Segments.requireNative(out.segment(), "out");
        if (out.segment().asOverlappingSlice(q.segment()).isPresent()) throw new IllegalArgumentException("out overlaps q");
        checkSinks();
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
        NativeLayouts.ATTENTION_SOFTCAP.set(p, softcap);
        NativeLayouts.ATTENTION_SINKS.set(p, sinks == null ? MemorySegment.NULL : sinks.segment());
        return p;
    }

    // The sinks tensor is the caller's: still open, usable here, every value finite.
    private void checkSinks() {
        if (sinks == null) return;
        requireSinksOpen(sinks);
        Segments.requireReadable(sinks.segment(), "sinks", (long) heads * Float.BYTES, "one logit per query head");
        for (int h = 0; h < heads; h++) {
            float x = sinks.segment().getAtIndex(ValueLayout.JAVA_FLOAT, h);
            if (!Float.isFinite(x)) throw new IllegalArgumentException("sinks[" + h + "] = " + x + " is not finite");
        }
    }

    private static void requireSinksOpen(Tensor sinks) {
        if (!sinks.segment().scope().isAlive()) {
            throw new IllegalStateException("the sinks tensor is closed: it must stay open while the Attention that uses it is used");
        }
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
        checkSinks();
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
                + (window > 0 ? ", window=" + window : "") + (softcap > 0 ? ", softcap=" + softcap : "") + (sinks != null ? ", sinks" : "") + "]";
    }
}
