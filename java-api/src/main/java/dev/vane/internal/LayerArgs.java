package dev.vane.internal;

import dev.vane.DType;
import dev.vane.FeedForward;
import dev.vane.QuantizedMatrix;
import dev.vane.Tensor;
import dev.vane.bindings.NativeLayouts;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** Checks and native structs shared by the layers built on QuantizedMatrix. Internal. */
public final class LayerArgs {
    private LayerArgs() {}

    /** Writes a vane_matrix for m at offset of struct. */
    public static void writeMatrix(MemorySegment struct, long offset, QuantizedMatrix m) {
        MemorySegment at = struct.asSlice(offset, NativeLayouts.MATRIX.byteSize());
        NativeLayouts.MATRIX_FORMAT.set(at, m.format().id());
        NativeLayouts.MATRIX_DATA.set(at, m.segment());
        NativeLayouts.MATRIX_BYTES.set(at, m.segment().byteSize());
    }

    /** Writes a vane_ffn for f at offset of struct: its matrices, activation and biases. */
    public static void writeFfn(MemorySegment struct, long offset, FeedForward f) {
        long m = NativeLayouts.MATRIX.byteSize();
        writeMatrix(struct, offset, f.gate());
        writeMatrix(struct, offset + m, f.up());
        writeMatrix(struct, offset + 2 * m, f.down());
        MemorySegment at = struct.asSlice(offset, NativeLayouts.FFN.byteSize());
        NativeLayouts.FFN_ACTIVATION.set(at, f.activation().id());
        NativeLayouts.FFN_ALPHA.set(at, f.alpha());
        NativeLayouts.FFN_LIMIT.set(at, f.limit());
        NativeLayouts.FFN_GATE_BIAS.set(at, address(f.gateBias()));
        NativeLayouts.FFN_UP_BIAS.set(at, address(f.upBias()));
        NativeLayouts.FFN_DOWN_BIAS.set(at, address(f.downBias()));
    }

    /** The tensor's memory, or NULL for none. */
    public static MemorySegment address(Tensor t) {
        return t == null ? MemorySegment.NULL : t.segment();
    }

    /** Every matrix and bias of f must still be alive; name prefixes the message ("expert 3 "). */
    public static void requireAlive(FeedForward f, String name) {
        requireAlive(f.gate(), name + "gate");
        requireAlive(f.up(), name + "up");
        requireAlive(f.down(), name + "down");
        if (f.gateBias() != null) requireAlive(f.gateBias(), name + "gate bias");
        if (f.upBias() != null) requireAlive(f.upBias(), name + "up bias");
        if (f.downBias() != null) requireAlive(f.downBias(), name + "down bias");
    }

    /** A tensor native code holds the address of must still be alive and usable by this thread. */
    public static void requireAlive(Tensor t, String name) {
        Segments.requireReadable(t.segment(), name, t.segment().byteSize(), "its elements");
    }

    /**
     * A per-row vector a layer holds (a bias, a gate): F32 [length], native memory, alive. Null
     * passes (none). Returns t.
     */
    public static Tensor vector(Tensor t, long length, String name, String expected) {
        if (t == null) return null;
        if (t.dtype() != DType.F32 || t.rank() != 1 || t.dim(0) != length) {
            throw new IllegalArgumentException(name + " must be F32 [" + expected + "] = [" + length + "], got " + t);
        }
        Segments.requireReadable(t.segment(), name, t.segment().byteSize(), "its elements");
        Segments.requireNative(t.segment(), name);
        return t;
    }

    /** The matrix's memory must still be alive (its arena open) and usable by this thread. */
    public static void requireAlive(QuantizedMatrix m, String name) {
        Segments.requireReadable(m.segment(), name, m.segment().byteSize(), "its weights");
    }

    /**
     * Rows of activations: x is F32 [T, dim] or [dim] (T = 1), native, alive. Returns T.
     */
    public static long rows(Tensor x, long dim, String name) {
        x.requireDType(DType.F32, name);
        boolean ok = (x.rank() == 1 || x.rank() == 2) && x.dim(x.rank() - 1) == dim;
        if (!ok) throw new IllegalArgumentException(name + " must be [T, " + dim + "] or [" + dim + "], got " + x);
        Segments.requireReadable(x.segment(), name, x.segment().byteSize(), "its elements");
        Segments.requireNative(x.segment(), name);
        return x.rank() == 1 ? 1 : x.dim(0);
    }

    /**
     * A new F32 tensor shaped as x (checked by {@link #rows}), filled by `into`; closed again if
     * that throws. The caller owns it.
     */
    public static Tensor newOutput(Tensor x, long dim, java.util.function.Consumer<Tensor> into) {
        java.util.Objects.requireNonNull(x, "x must not be null");
        rows(x, dim, "x");
        return filled(x.shape(), into);
    }

    /** A new F32 tensor of this shape, filled by `into`; closed again if that throws. The caller owns it. */
    public static Tensor filled(long[] shape, java.util.function.Consumer<Tensor> into) {
        Tensor y = Tensor.allocate(shape);
        try {
            into.accept(y);
            return y;
        } catch (RuntimeException | Error e) {
            y.close();
            throw e;
        }
    }

    /** y must have x's shape, be F32, native, writable and disjoint from x. */
    public static void requireOutput(Tensor x, Tensor y) {
        y.requireDType(DType.F32, "y");
        if (!Arrays.equals(x.shape(), y.shape())) throw new IllegalArgumentException("y must be shaped as x " + x + ", got " + y);
        Segments.requireWritable(y.segment(), "y", y.segment().byteSize(), "its elements");
        Segments.requireNative(y.segment(), "y");
        Segments.requireDisjoint(x.segment(), y.segment());
    }
}
