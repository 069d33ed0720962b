package dev.vane.quant;

import dev.vane.bindings.VaneNative;
import dev.vane.internal.Native;
import dev.vane.internal.Segments;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The OCP 8-bit floating point formats.
 *
 * <ul>
 *   <li>E4M3 ("E4M3FN"): bias 7, no infinities, S.1111.111 is NaN, largest finite 448.
 *   <li>E5M2: bias 15, IEEE infinities and NaNs, largest finite 57344.
 * </ul>
 *
 * Encoding rounds to nearest, ties to even; finite values past the largest finite value and
 * infinities saturate to ±max; NaN encodes as 0x7F with the input's sign. Decoding is exact.
 * The scalar methods run in Java; the bulk methods run libvane's SIMD kernels and give the same
 * bits.
 */
public final class Fp8 {
    private Fp8() {}

    static final int E4M3 = 0;
    static final int E5M2 = 1;

    private static final float[] E4M3_VALUES = table(4, 3, 7, false);
    private static final float[] E5M2_VALUES = table(5, 2, 15, true);
    private static final int E4M3_MAX_BITS = Float.floatToRawIntBits(448f);
    private static final int E5M2_MAX_BITS = Float.floatToRawIntBits(57344f);

    public static byte encodeE4M3(float x) {
        return encode(x, 3, 7, E4M3_MAX_BITS, 0x7E);
    }

    public static float decodeE4M3(byte code) {
        return E4M3_VALUES[code & 0xFF];
    }

    public static byte encodeE5M2(float x) {
        return encode(x, 2, 15, E5M2_MAX_BITS, 0x7B);
    }

    public static float decodeE5M2(byte code) {
        return E5M2_VALUES[code & 0xFF];
    }

    /** Encodes count floats of src (f32, native byte order) into count codes of dst. */
    public static void encodeE4M3(MemorySegment src, MemorySegment dst, long count) {
        bulkEncode(E4M3, src, dst, count);
    }

    public static void encodeE5M2(MemorySegment src, MemorySegment dst, long count) {
        bulkEncode(E5M2, src, dst, count);
    }

    /** Decodes count codes of src into count floats of dst. */
    public static void decodeE4M3(MemorySegment src, MemorySegment dst, long count) {
        bulkDecode(E4M3, src, dst, count);
    }

    public static void decodeE5M2(MemorySegment src, MemorySegment dst, long count) {
        bulkDecode(E5M2, src, dst, count);
    }

    public static byte[] encodeE4M3(float[] src) {
        return encodeArray(E4M3, src);
    }

    public static byte[] encodeE5M2(float[] src) {
        return encodeArray(E5M2, src);
    }

    public static float[] decodeE4M3(byte[] src) {
        return decodeArray(E4M3, src);
    }

    public static float[] decodeE5M2(byte[] src) {
        return decodeArray(E5M2, src);
    }

    private static byte[] encodeArray(int kind, float[] src) {
        if (src == null) throw new NullPointerException("src must not be null");
        byte[] dst = new byte[src.length];
        bulkEncode(kind, MemorySegment.ofArray(src), MemorySegment.ofArray(dst), src.length);
        return dst;
    }

    private static float[] decodeArray(int kind, byte[] src) {
        if (src == null) throw new NullPointerException("src must not be null");
        float[] dst = new float[src.length];
        bulkDecode(kind, MemorySegment.ofArray(src), MemorySegment.ofArray(dst), src.length);
        return dst;
    }

    private static void bulkEncode(int kind, MemorySegment src, MemorySegment dst, long count) {
        requireCount(count);
        Segments.requireReadable(src, "src", Math.multiplyExact(count, 4L), count + " floats");
        Segments.requireWritable(dst, "dst", count, count + " fp8 codes");
        Segments.requireFloatAligned(src, "src");
        Segments.requireDisjoint(src, dst);
        convert(VaneNative.FP8_ENCODE, VaneNative.FP8_ENCODE_CRITICAL, kind, src, 4, dst, 1, count);
    }

    private static void bulkDecode(int kind, MemorySegment src, MemorySegment dst, long count) {
        requireCount(count);
        Segments.requireReadable(src, "src", count, count + " fp8 codes");
        Segments.requireWritable(dst, "dst", Math.multiplyExact(count, 4L), count + " floats");
        Segments.requireFloatAligned(dst, "dst");
        Segments.requireDisjoint(src, dst);
        convert(VaneNative.FP8_DECODE, VaneNative.FP8_DECODE_CRITICAL, kind, src, 1, dst, 4, count);
    }

    /**
     * Native segments go in one call on the thread pool. Heap segments (arrays) can only be
     * passed to critical calls, which stall the JVM's safepoints while they run, so they go in
     * short slices.
     */
    private static void convert(MethodHandle whole, MethodHandle critical, int kind, MemorySegment src,
                                int srcBytes, MemorySegment dst, int dstBytes, long count) {
        try {
            if (src.isNative() && dst.isNative()) {
                Native.check((int) whole.invokeExact(kind, src, dst, count));
                return;
            }
            for (long done = 0; done < count; done += VaneNative.FP8_CRITICAL_MAX) {
                long n = Math.min(VaneNative.FP8_CRITICAL_MAX, count - done);
                MemorySegment s = src.asSlice(done * srcBytes, n * srcBytes);
                MemorySegment d = dst.asSlice(done * dstBytes, n * dstBytes);
                Native.check((int) critical.invokeExact(kind, s, d, n));
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static void requireCount(long count) {
        if (count < 0) throw new IllegalArgumentException("count must be >= 0, got " + count);
    }

    /**
     * Round to nearest even with saturation. Normal results: round the f32 mantissa to the
     * target's width by adding half an ulp (plus the lsb, for ties to even) and re-bias the
     * exponent; a carry into the exponent is the correct rounding. Subnormal results: scale so one
     * subnormal step is 1.0 (exact, a power of two) and round to an integer.
     */
    private static byte encode(float x, int manBits, int bias, int maxBits, int maxCode) {
        int bits = Float.floatToRawIntBits(x);
        int sign = (bits >>> 24) & 0x80;
        int a = bits & 0x7FFFFFFF;
        if (a > 0x7F800000) return (byte) (sign | 0x7F);
        if (a > maxBits) return (byte) (sign | maxCode);
        int code;
        if (a >= (128 - bias) << 23) {
            int shift = 23 - manBits;
            int rounded = a + (1 << (shift - 1)) - 1 + ((a >> shift) & 1);
            code = (rounded >> shift) - ((127 - bias) << manBits);
        } else {
            code = (int) Math.rint(Float.intBitsToFloat(a) * Math.scalb(1.0f, bias + manBits - 1));
        }
        return (byte) (sign | code);
    }

    /** The value of every code: (-1)^s * 2^(e - bias) * (1 + m / 2^M), subnormals at e = 0. */
    private static float[] table(int expBits, int manBits, int bias, boolean ieeeSpecials) {
        float[] t = new float[256];
        int expMax = (1 << expBits) - 1;
        for (int c = 0; c < 256; c++) {
            int e = (c >> manBits) & expMax;
            int m = c & ((1 << manBits) - 1);
            double sign = (c & 0x80) != 0 ? -1 : 1;
            double v;
            if (ieeeSpecials && e == expMax && m != 0) {
                t[c] = nan(c, m << (23 - manBits));  // E5M2: the payload, widened as fp16 NaNs are
                continue;
            } else if (!ieeeSpecials && e == expMax && m == (1 << manBits) - 1) {
                t[c] = nan(c, 0);
                continue;
            } else if (ieeeSpecials && e == expMax) {
                v = Double.POSITIVE_INFINITY;
            } else if (e == 0) {
                v = Math.scalb((double) m / (1 << manBits), 1 - bias);
            } else {
                v = Math.scalb(1.0 + (double) m / (1 << manBits), e - bias);
            }
            t[c] = (float) (sign * v);
        }
        return t;
    }

    /** The quiet NaN libvane's decoders produce: the code's sign, the quiet bit, the payload. */
    private static float nan(int code, int payload) {
        return Float.intBitsToFloat(((code & 0x80) << 24) | 0x7FC00000 | payload);
    }
}
