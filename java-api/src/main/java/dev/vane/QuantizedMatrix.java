package dev.vane;

import dev.vane.bindings.VaneNative;
import dev.vane.internal.LayerArgs;
import dev.vane.internal.Native;
import dev.vane.internal.Segments;
import dev.vane.quant.QuantFormat;
import dev.vane.quant.Quantizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A weight matrix W [rows = N outputs, cols = K inputs] in one of Vane's formats, multiplied as a
 * linear layer: {@code y = x · Wᵀ + bias}. Made by quantizing an f32 tensor, or by wrapping bytes
 * already in the format's layout (docs/FORMATS.md), such as a region of a memory-mapped model
 * file, without copying them.
 *
 * <p>With integer weight formats (q4_0, q8_0, int4_*, int8_*) the product quantizes each row of x
 * on the fly, per 32 values, to int8 (scale amax/127) and uses integer dot products, as
 * llama.cpp does; docs/FORMATS.md ("GEMM") gives the resulting error bound. A NaN or Inf in a
 * row of x then makes that whole output row NaN. Float formats (f32, f16, bf16, fp8) multiply
 * x as given.
 */
public final class QuantizedMatrix implements AutoCloseable {
    private final QuantFormat format;
    private final MemorySegment packed;
    private final long rows;
    private final long cols;
    private final Arena owned;

    private QuantizedMatrix(QuantFormat format, MemorySegment packed, long rows, long cols, Arena owned) {
        this.format = format;
        this.packed = packed;
        this.rows = rows;
        this.cols = cols;
        this.owned = owned;
    }

    /** Quantizes weights [N, K] into a matrix that owns its memory (free it with close()). */
    public static QuantizedMatrix quantize(QuantFormat format, Tensor weights) {
        Arena arena = NativeMemory.sharedArena();
        try {
            return quantize(format, weights, arena, arena);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** Quantizes weights [N, K] into memory of the caller's arena. */
    public static QuantizedMatrix quantize(QuantFormat format, Tensor weights, Arena arena) {
        Objects.requireNonNull(arena, "arena must not be null");
        return quantize(format, weights, arena, null);
    }

    private static QuantizedMatrix quantize(QuantFormat format, Tensor weights, Arena arena, Arena owned) {
        Objects.requireNonNull(format, "format must not be null");
        Objects.requireNonNull(weights, "weights must not be null");
        weights.requireDType(DType.F32, "weights");
        if (weights.rank() != 2) throw new IllegalArgumentException("weights must be [N, K], got " + weights);
        long n = weights.dim(0), k = weights.dim(1);
        MemorySegment packed = Quantizer.quantize(format, weights.segment(), n, k, arena);
        return new QuantizedMatrix(format, packed, n, k, owned);
    }

    /**
     * Wraps packed bytes (zero-copy) as a [rows, cols] matrix in format. The bytes stay owned by
     * the segment's arena, e.g. the one a model file was mapped into.
     */
    public static QuantizedMatrix wrap(QuantFormat format, MemorySegment packed, long rows, long cols) {
        Objects.requireNonNull(format, "format must not be null");
        long need = format.byteSize(rows, cols);
        Segments.requireReadable(packed, "packed", need, format.formatName() + " [" + rows + ", " + cols + "]");
        Segments.requireNative(packed, "packed");
        if (packed.address() % format.byteAlignment() != 0) {
            throw new IllegalArgumentException("packed " + format.formatName() + " bytes must start at a multiple of "
                    + format.byteAlignment() + " bytes; address " + packed.address() + " is not");
        }
        return new QuantizedMatrix(format, packed.asSlice(0, need), rows, cols, null);
    }

    /**
     * This Q4_0, Q4_K, Q6_K, IQ4_XS or IQ4_NL matrix repacked into {@link QuantFormat#repackedFormat()} ({@link QuantFormat#Q4_0_X8},
     * {@link QuantFormat#Q4_K_X8}, {@link QuantFormat#Q6_K_X8}, {@link QuantFormat#IQ4_XS_X8}, {@link QuantFormat#IQ4_NL_X8})
     * (same values; the GEMV reads them faster) in memory of the arena; rows must be a multiple of
     * 8. Do it once, at load.
     */
    public QuantizedMatrix repack(Arena arena) {
        QuantFormat to = format.repackedFormat();
        if (to == null) {
            throw new IllegalArgumentException("only q4_0, q4_k, q6_k, iq4_xs and iq4_nl matrices can be repacked (to q4_0x8, q4_kx8, q6_kx8, iq4_xsx8 and iq4_nlx8), this one is "
                    + format.formatName());
        }
        MemorySegment out = Quantizer.repack(format, packed, rows, cols, to, arena);
        return new QuantizedMatrix(to, out, rows, cols, null);
    }

    public QuantFormat format() {
        return format;
    }

    /** N, the output size. */
    public long rows() {
        return rows;
    }

    /** K, the input size. */
    public long cols() {
        return cols;
    }

    /** The packed bytes. */
    public MemorySegment segment() {
        return packed;
    }

    /** y = x · Wᵀ into a new tensor: x [M, K] gives [M, N]; x [K] gives [N]. The caller closes it. */
    public Tensor multiply(Tensor x) {
        Objects.requireNonNull(x, "x must not be null");
        x.requireDType(DType.F32, "x");
        long[] shape = x.rank() == 1 ? new long[] {rows} : new long[] {x.dim(0), rows};
        return LayerArgs.filled(shape, y -> multiply(x, null, y));
    }

    /** y = x · Wᵀ into y: [M, N] for x [M, K], or [N] for x [K]. */
    public void multiply(Tensor x, Tensor y) {
        multiply(x, null, y);
    }

    /** y = x · Wᵀ + bias, with bias [N] (or null). */
    public void multiply(Tensor x, Tensor bias, Tensor y) {
        Objects.requireNonNull(x, "x must not be null");
        Objects.requireNonNull(y, "y must not be null");
        x.requireDType(DType.F32, "x");
        y.requireDType(DType.F32, "y");
        if (bias != null) bias.requireDType(DType.F32, "bias");
        if (x.rank() > 2) throw new IllegalArgumentException("x must be [M, K] or [K], got " + x);
        long m = x.rank() == 1 ? 1 : x.dim(0);
        long k = x.dim(x.rank() - 1);
        if (k != cols) throw new IllegalArgumentException("x has K = " + k + " but the matrix is [" + rows + ", " + cols + "]");
        boolean shapeOk = x.rank() == 1 ? y.rank() == 1 && y.dim(0) == rows : y.rank() == 2 && y.dim(0) == m && y.dim(1) == rows;
        if (!shapeOk) {
            throw new IllegalArgumentException("y must be " + (x.rank() == 1 ? "[" + rows + "]" : "[" + m + ", " + rows + "]")
                    + " for x " + x + ", got " + y);
        }
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != rows)) {
            throw new IllegalArgumentException("bias must be [" + rows + "], got " + bias);
        }
        MemorySegment b = bias == null ? MemorySegment.NULL : bias.segment();
        Segments.requireReadable(packed, "the matrix", packed.byteSize(), "its weights");
        requireUsable(x, "x");
        requireUsable(y, "y");
        if (bias != null) requireUsable(bias, "bias");
        Segments.requireWritable(y.segment(), "y", y.segment().byteSize(), "its elements");
        Segments.requireDisjoint(x.segment(), y.segment());
        Segments.requireDisjoint(packed, y.segment());
        if (bias != null) Segments.requireDisjoint(bias.segment(), y.segment());
        try {
            Native.check((int) VaneNative.GEMM.invokeExact(format.id(), packed, packed.byteSize(), rows, cols,
                    x.segment(), cols, m, b, y.segment(), rows));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static void requireUsable(Tensor t, String name) {
        Segments.requireReadable(t.segment(), name, t.segment().byteSize(), "its elements");
        Segments.requireNative(t.segment(), name);
    }

    /** Frees the packed bytes if this matrix owns them (quantize without an arena). */
    @Override
    public void close() {
        if (owned != null) owned.close();
    }

    @Override
    public String toString() {
        return "QuantizedMatrix[" + rows + ", " + cols + "] " + format.formatName();
    }
}
