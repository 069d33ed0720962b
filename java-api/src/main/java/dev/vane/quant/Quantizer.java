package dev.vane.quant;

import dev.vane.bindings.VaneNative;
import dev.vane.internal.Native;
import dev.vane.internal.Segments;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * Quantizes f32 matrices into Vane's weight formats and back, with libvane's kernels on the
 * native thread pool. Matrices are [rows, cols] row-major f32 in native byte order.
 *
 * <p>Quantization accepts finite values only ({@link dev.vane.VaneException} with
 * VANE_E_NON_FINITE names the first NaN/Inf); formats with fp16 scales reject weights whose scale
 * would overflow fp16 (VANE_E_OUT_OF_RANGE).
 */
public final class Quantizer {
    private Quantizer() {}

    /** Quantizes src[rows, cols] into dst, which must hold {@code format.byteSize(rows, cols)} bytes. */
    public static void quantize(QuantFormat format, MemorySegment src, long rows, long cols, MemorySegment dst) {
        Objects.requireNonNull(format, "format must not be null");
        long need = format.byteSize(rows, cols);
        String shape = "[" + rows + ", " + cols + "]";
        Segments.requireReadable(src, "src", Math.multiplyExact(rows * cols, 4L), "f32 " + shape);
        Segments.requireWritable(dst, "dst", need, format.formatName() + " " + shape);
        Segments.requireNative(src, "src");
        Segments.requireNative(dst, "dst");
        Segments.requireFloatAligned(src, "src");
        Segments.requireDisjoint(src, dst);
        try {
            Native.check((int) VaneNative.QUANT_QUANTIZE.invokeExact(format.id(), src, rows, cols, dst, dst.byteSize()));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Quantizes into a new segment of the arena. */
    public static MemorySegment quantize(QuantFormat format, MemorySegment src, long rows, long cols, Arena arena) {
        Objects.requireNonNull(arena, "arena must not be null");
        Objects.requireNonNull(format, "format must not be null");
        MemorySegment dst = arena.allocate(format.byteSize(rows, cols), 64);
        quantize(format, src, rows, cols, dst);
        return dst;
    }

    /**
     * Repacks src, a [rows, cols] matrix in {@code from}, into {@code to}'s layout of the same
     * values (a byte shuffle, no rounding), in a new segment of the arena. Supported: Q4_0 to
     * Q4_0_X8, Q4_K to Q4_K_X8, Q6_K to Q6_K_X8, IQ4_XS to IQ4_XS_X8 and IQ4_NL to IQ4_NL_X8
     * ({@link QuantFormat#repackedFormat()}; rows a multiple of 8), the load-time step that puts a
     * model file's tensors on the faster kernels.
     */
    public static MemorySegment repack(QuantFormat from, MemorySegment src, long rows, long cols, QuantFormat to, Arena arena) {
        Objects.requireNonNull(from, "from must not be null");
        Objects.requireNonNull(to, "to must not be null");
        Objects.requireNonNull(arena, "arena must not be null");
        if (from.repackedFormat() != to) {
            throw new IllegalArgumentException("repacking " + from.formatName() + " to " + to.formatName()
                    + " is not supported (supported: q4_0 -> q4_0x8, q4_k -> q4_kx8, q6_k -> q6_kx8, iq4_xs -> iq4_xsx8, iq4_nl -> iq4_nlx8)");
        }
        long in = from.byteSize(rows, cols);
        long out = to.byteSize(rows, cols);
        String shape = "[" + rows + ", " + cols + "]";
        Segments.requireReadable(src, "src", in, from.formatName() + " " + shape);
        Segments.requireNative(src, "src");
        MemorySegment dst = arena.allocate(out, 64);
        try {
            Native.check((int) VaneNative.QUANT_REPACK.invokeExact(from.id(), src, src.byteSize(), rows, cols, to.id(), dst, out));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        return dst;
    }

    /** Dequantizes src (a [rows, cols] matrix in format) into dst, rows*cols f32. */
    public static void dequantize(QuantFormat format, MemorySegment src, long rows, long cols, MemorySegment dst) {
        Objects.requireNonNull(format, "format must not be null");
        long need = format.byteSize(rows, cols);
        String shape = "[" + rows + ", " + cols + "]";
        Segments.requireReadable(src, "src", need, format.formatName() + " " + shape);
        Segments.requireWritable(dst, "dst", Math.multiplyExact(rows * cols, 4L), "f32 " + shape);
        Segments.requireNative(src, "src");
        Segments.requireNative(dst, "dst");
        Segments.requireFloatAligned(dst, "dst");
        Segments.requireDisjoint(src, dst);
        try {
            Native.check((int) VaneNative.QUANT_DEQUANTIZE.invokeExact(format.id(), src, src.byteSize(), rows, cols, dst));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * Checks that every scale of src (a packed [rows, cols] matrix in format: fp16 and f32 scales
     * and minimums, MXFP4's exponents) is finite, as a loader must before trusting a file's bytes.
     *
     * @throws dev.vane.VaneException (VANE_E_NON_FINITE) naming the first bad row and block
     */
    public static void checkScales(QuantFormat format, MemorySegment src, long rows, long cols) {
        Objects.requireNonNull(format, "format must not be null");
        long need = format.byteSize(rows, cols);
        Segments.requireReadable(src, "src", need, format.formatName() + " [" + rows + ", " + cols + "]");
        Segments.requireNative(src, "src");
        try {
            Native.check((int) VaneNative.QUANT_CHECK.invokeExact(format.id(), src, src.byteSize(), rows, cols));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Array convenience: quantizes src (rows*cols floats) and returns the packed bytes. */
    public static byte[] quantize(QuantFormat format, float[] src, int rows, int cols) {
        Objects.requireNonNull(format, "format must not be null");
        Objects.requireNonNull(src, "src must not be null");
        long need = format.byteSize(rows, cols);
        requireLength(src.length, (long) rows * cols, "src");
        if (need > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("result of " + need + " bytes does not fit a byte[]");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocateFrom(ValueLayout.JAVA_FLOAT, src);
            MemorySegment out = arena.allocate(need, 64);
            quantize(format, in, rows, cols, out);
            return out.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** Array convenience: dequantizes packed bytes into rows*cols floats. */
    public static float[] dequantize(QuantFormat format, byte[] src, int rows, int cols) {
        Objects.requireNonNull(format, "format must not be null");
        Objects.requireNonNull(src, "src must not be null");
        long need = format.byteSize(rows, cols);
        if ((long) rows * cols > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("[" + rows + ", " + cols + "] is too many floats for a float[]; use the MemorySegment overload");
        }
        if (src.length < need) {
            throw new IllegalArgumentException("src is too small: " + format.formatName() + " [" + rows + ", " + cols
                    + "] needs " + need + " bytes, the array has " + src.length);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(Math.max(need, 1), 64);
            MemorySegment.copy(src, 0, in, ValueLayout.JAVA_BYTE, 0, (int) need);
            MemorySegment out = arena.allocate(ValueLayout.JAVA_FLOAT, (long) rows * cols);
            dequantize(format, in.asSlice(0, need), rows, cols, out);
            return out.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    private static void requireLength(int length, long need, String name) {
        if (length != need) {
            throw new IllegalArgumentException(name + " has " + length + " floats but rows*cols = " + need);
        }
    }
}
