package dev.vane.attention;

import dev.vane.DType;
import dev.vane.Tensor;
import dev.vane.bindings.NativeLayouts;
import dev.vane.bindings.VaneNative;
import dev.vane.internal.Native;
import dev.vane.internal.Segments;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * Rotary position embedding, applied in place to q or k ({@code [tokens, heads, headDim]} F32):
 * in each head the first rotDim dimensions rotate in pairs by {@code (position / linearScale) ·
 * base^(-2i / rotDim)}; pairs are adjacent dimensions ({@link Layout#NORMAL}, llama.cpp's default
 * for Llama GGUF files) or the two halves ({@link Layout#NEOX}).
 */
public final class Rope {
    /** How the rotated dimensions pair up. */
    public enum Layout {
        /** (2i, 2i + 1) */
        NORMAL,
        /** (i, i + rotDim / 2) */
        NEOX
    }

    private final int headDim;
    private final int rotDim;
    private final float base;
    private final float linearScale;
    private final Layout layout;

    /** Every dimension rotated, no scaling. */
    public Rope(int headDim, float base, Layout layout) {
        this(headDim, headDim, base, 1.0f, layout);
    }

    public Rope(int headDim, int rotDim, float base, float linearScale, Layout layout) {
        if (headDim < 1 || headDim > 4096) throw new IllegalArgumentException("headDim must be in 1..4096, got " + headDim);
        if (rotDim < 0 || rotDim > headDim || rotDim % 2 != 0) {
            throw new IllegalArgumentException("rotDim must be even and in 0..headDim = " + headDim + ", got " + rotDim);
        }
        if (!(base > 1) || !Float.isFinite(base)) throw new IllegalArgumentException("base must be finite and > 1, got " + base);
        if (!(linearScale > 0) || !Float.isFinite(linearScale)) {
            throw new IllegalArgumentException("linearScale must be finite and > 0, got " + linearScale);
        }
        this.headDim = headDim;
        this.rotDim = rotDim;
        this.base = base;
        this.linearScale = linearScale;
        this.layout = Objects.requireNonNull(layout, "layout must not be null");
    }

    /** Rotates token t of x to positions[t]. */
    public void apply(Tensor x, long[] positions) {
        Objects.requireNonNull(x, "x must not be null");
        Objects.requireNonNull(positions, "positions must not be null");
        x.requireDType(DType.F32, "x");
        if (x.rank() != 3 || x.dim(2) != headDim) throw new IllegalArgumentException("x must be [tokens, heads, " + headDim + "], got " + x);
        if (positions.length != x.dim(0)) {
            throw new IllegalArgumentException("one position per token: x has " + x.dim(0) + " tokens, positions " + positions.length);
        }
        for (int t = 0; t < positions.length; t++) {
            if (positions[t] < 0) throw new IllegalArgumentException("positions must be >= 0, token " + t + " has " + positions[t]);
        }
        Segments.requireWritable(x.segment(), "x", x.segment().byteSize(), "its elements");
        Segments.requireNative(x.segment(), "x");
        try (Arena call = Arena.ofConfined()) {
            MemorySegment p = call.allocate(NativeLayouts.ROPE_PARAMS);
            NativeLayouts.ROPE_N_HEADS.set(p, x.dim(1));
            NativeLayouts.ROPE_HEAD_DIM.set(p, (long) headDim);
            NativeLayouts.ROPE_ROT_DIM.set(p, (long) rotDim);
            NativeLayouts.ROPE_BASE.set(p, base);
            NativeLayouts.ROPE_LINEAR_SCALE.set(p, linearScale);
            NativeLayouts.ROPE_NEOX.set(p, layout == Layout.NEOX ? 1 : 0);
            MemorySegment pos = call.allocateFrom(ValueLayout.JAVA_LONG, positions);
            Native.check((int) VaneNative.ROPE.invokeExact(p, x.segment(), x.dim(0), x.dim(1) * headDim, pos));
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** Rotates consecutive tokens of x to positions first, first + 1, ... */
    public void apply(Tensor x, long first) {
        Objects.requireNonNull(x, "x must not be null");
        if (first < 0) throw new IllegalArgumentException("positions must be >= 0, got " + first);
        long[] positions = new long[(int) Math.min(x.dim(0), Integer.MAX_VALUE - 8)];
        for (int t = 0; t < positions.length; t++) positions[t] = first + t;
        apply(x, positions);
    }

    private MemorySegment table = MemorySegment.NULL;  // cos/sin of positions 0 .. tablePositions - 1
    private long tablePositions;

    /**
     * The cos/sin table (vane_rope_table) of at least positions 0 .. positions - 1, computed once
     * and grown as needed (GC-managed memory).
     */
    synchronized MemorySegment table(long positions) {
        if (positions > tablePositions) {
            long n = Math.max(positions, 2 * tablePositions);
            MemorySegment t = Arena.ofAuto().allocate(ValueLayout.JAVA_FLOAT, Math.max(1, n * rotDim));
            try (Arena call = Arena.ofConfined()) {
                MemorySegment p = call.allocate(NativeLayouts.ROPE_PARAMS);
                NativeLayouts.ROPE_N_HEADS.set(p, 1L);
                NativeLayouts.ROPE_HEAD_DIM.set(p, (long) headDim);
                NativeLayouts.ROPE_ROT_DIM.set(p, (long) rotDim);
                NativeLayouts.ROPE_BASE.set(p, base);
                NativeLayouts.ROPE_LINEAR_SCALE.set(p, linearScale);
                NativeLayouts.ROPE_NEOX.set(p, layout == Layout.NEOX ? 1 : 0);
                Native.check((int) VaneNative.ROPE_TABLE.invokeExact(p, n, t));
            } catch (Throwable e) {
                throw Native.rethrow(e);
            }
            table = t;
            tablePositions = n;
        }
        return table;
    }

    int headDim() {
        return headDim;
    }

    int rotDim() {
        return rotDim;
    }

    Layout layout() {
        return layout;
    }

    @Override
    public String toString() {
        return "Rope[headDim=" + headDim + ", rotDim=" + rotDim + ", base=" + base + ", linearScale=" + linearScale + ", " + layout + "]";
    }
}
