package dev.vane.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** FP8 against the OCP 8-bit floating point specification, in Java and through libvane. */
class Fp8Test {

    /** A format described only by the spec's parameters. */
    record Spec(String name, int expBits, int manBits, int bias, double max, boolean ieeeSpecials) {
        /** The value of a code, written straight from the spec in double arithmetic. */
        double value(int code) {
            int s = code >> 7, e = (code >> manBits) & ((1 << expBits) - 1), m = code & ((1 << manBits) - 1);
            double sign = s == 1 ? -1.0 : 1.0;
            boolean allOnes = e == (1 << expBits) - 1;
            if (ieeeSpecials && allOnes) return m == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
            if (!ieeeSpecials && allOnes && m == (1 << manBits) - 1) return Double.NaN;
            if (e == 0) return sign * Math.pow(2, 1 - bias) * (m / Math.pow(2, manBits));
            return sign * Math.pow(2, e - bias) * (1 + m / Math.pow(2, manBits));
        }

        /** Nearest finite code by exhaustive search; ties to the even code; saturating; NaN -> 0x7F|sign. */
        int nearest(float x) {
            int sign = (Float.floatToRawIntBits(x) >>> 31) << 7;
            if (Float.isNaN(x)) return sign | 0x7F;
            double ax = Math.min(Math.abs((double) x), max);
            int best = -1;
            double bestErr = Double.POSITIVE_INFINITY;
            for (int c = 0; c < 128; c++) {
                double v = value(c);
                if (!Double.isFinite(v)) continue;
                double err = Math.abs(v - ax);
                if (err < bestErr || (err == bestErr && (c & 1) == 0)) {
                    best = c;
                    bestErr = err;
                }
            }
            return sign | best;
        }
    }

    static final Spec E4M3 = new Spec("E4M3", 4, 3, 7, 448, false);
    static final Spec E5M2 = new Spec("E5M2", 5, 2, 15, 57344, true);

    @Test
    void every256CodesDecodeAsTheSpecSays() {
        for (int c = 0; c < 256; c++) {
            assertSame(E4M3.value(c), Fp8.decodeE4M3((byte) c), "E4M3 code " + c);
            assertSame(E5M2.value(c), Fp8.decodeE5M2((byte) c), "E5M2 code " + c);
        }
        // Anchors from the spec's tables.
        assertEquals(448f, Fp8.decodeE4M3((byte) 0x7E));
        assertEquals(-448f, Fp8.decodeE4M3((byte) 0xFE));
        assertTrue(Float.isNaN(Fp8.decodeE4M3((byte) 0x7F)) && Float.isNaN(Fp8.decodeE4M3((byte) 0xFF)));
        assertEquals(0x1p-6f, Fp8.decodeE4M3((byte) 0x08));
        assertEquals(0x1p-9f, Fp8.decodeE4M3((byte) 0x01));
        assertEquals(57344f, Fp8.decodeE5M2((byte) 0x7B));
        assertEquals(Float.POSITIVE_INFINITY, Fp8.decodeE5M2((byte) 0x7C));
        assertEquals(Float.NEGATIVE_INFINITY, Fp8.decodeE5M2((byte) 0xFC));
        assertTrue(Float.isNaN(Fp8.decodeE5M2((byte) 0x7D)));
        assertEquals(0x1p-16f, Fp8.decodeE5M2((byte) 0x01));
        assertEquals(0x1p-14f, Fp8.decodeE5M2((byte) 0x04));
    }

    @Test
    void nativeDecodeMatchesJavaForAllCodes() {
        byte[] codes = new byte[256];
        for (int c = 0; c < 256; c++) codes[c] = (byte) c;
        float[] e4 = Fp8.decodeE4M3(codes), e5 = Fp8.decodeE5M2(codes);
        for (int c = 0; c < 256; c++) {
            // Bit for bit, NaN sign and payload included.
            assertEquals(Float.floatToRawIntBits(Fp8.decodeE4M3((byte) c)), Float.floatToRawIntBits(e4[c]), "E4M3 native decode of " + c);
            assertEquals(Float.floatToRawIntBits(Fp8.decodeE5M2((byte) c)), Float.floatToRawIntBits(e5[c]), "E5M2 native decode of " + c);
        }
        assertEquals(0xFFC00000, Float.floatToRawIntBits(Fp8.decodeE4M3((byte) 0xFF)));
        assertEquals(0x7FE00000, Float.floatToRawIntBits(Fp8.decodeE5M2((byte) 0x7D)));
    }

    @Test
    void ocpEncodingCases() {
        // Saturation: the midpoint 464 between 448 and the (NaN) code above ties down, past it saturates.
        assertEquals((byte) 0x7E, Fp8.encodeE4M3(464f));
        assertEquals((byte) 0x7E, Fp8.encodeE4M3(1e6f));
        assertEquals((byte) 0x7E, Fp8.encodeE4M3(480f));
        assertEquals((byte) 0x7E, Fp8.encodeE4M3(Float.POSITIVE_INFINITY));
        assertEquals((byte) 0xFE, Fp8.encodeE4M3(Float.NEGATIVE_INFINITY));
        assertEquals((byte) 0x7B, Fp8.encodeE5M2(57344f));
        assertEquals((byte) 0x7B, Fp8.encodeE5M2(61440f));
        assertEquals((byte) 0x7B, Fp8.encodeE5M2(Float.POSITIVE_INFINITY));
        assertEquals((byte) 0xFB, Fp8.encodeE5M2(-1e30f));
        // Ties to even: 1.0625 lies between 1.0 (0x38, even) and 1.125 (0x39).
        assertEquals((byte) 0x38, Fp8.encodeE4M3(1.0625f));
        assertEquals((byte) 0x3A, Fp8.encodeE4M3(1.1875f));  // between 0x39 and 0x3A (even)
        // Subnormals: 2^-10 is half the smallest subnormal -> 0 (even); 1.5 * 2^-10 -> 2^-9.
        assertEquals((byte) 0x00, Fp8.encodeE4M3(0x1p-10f));
        assertEquals((byte) 0x01, Fp8.encodeE4M3(1.5f * 0x1p-10f));
        assertEquals((byte) 0x02, Fp8.encodeE4M3(0x1.8p-9f));  // 1.5 steps -> 2 (even)
        assertEquals((byte) 0x08, Fp8.encodeE4M3(0x1.fp-7f));  // rounds up into the smallest normal
        assertEquals((byte) 0x80, Fp8.encodeE4M3(-0.0f));
        // NaN keeps its sign, whatever the payload.
        assertEquals((byte) 0x7F, Fp8.encodeE4M3(Float.NaN));
        assertEquals((byte) 0xFF, Fp8.encodeE4M3(Float.intBitsToFloat(0xFFC00001)));
        assertEquals((byte) 0x7F, Fp8.encodeE5M2(Float.intBitsToFloat(0x7F800001)));
    }

    @Test
    void javaEncodeEqualsExhaustiveNearestSearch() {
        for (float x : interestingFloats(20_000)) {
            check(E4M3, x, Fp8.encodeE4M3(x));
            check(E5M2, x, Fp8.encodeE5M2(x));
        }
    }

    @Test
    void nativeEncodeEqualsJavaOnManyFloats() {
        float[] xs = interestingFloats(2_000_000);
        compareBulk(xs, Fp8::encodeE4M3, Fp8::encodeE4M3, "E4M3");
        compareBulk(xs, Fp8::encodeE5M2, Fp8::encodeE5M2, "E5M2");
    }

    @Test
    void segmentBulkPathsWriteEveryElementAndNothingMore() {
        int n = 1001;  // odd: exercises the SIMD tail
        float[] xs = interestingFloats(n);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocateFrom(ValueLayout.JAVA_FLOAT, xs);
            MemorySegment codes = TestData.poisoned(arena, n + 16);
            Fp8.encodeE4M3(src, codes, n);
            for (int i = 0; i < n; i++) assertEquals(Fp8.encodeE4M3(xs[i]), codes.get(ValueLayout.JAVA_BYTE, i), "code " + i);
            for (int i = n; i < n + 16; i++) assertEquals((byte) 0xA5, codes.get(ValueLayout.JAVA_BYTE, i), "guard " + i);
            MemorySegment back = TestData.poisonedFloats(arena, n + 4);
            Fp8.decodeE4M3(codes, back, n);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(Fp8.decodeE4M3(codes.get(ValueLayout.JAVA_BYTE, i))),
                        Float.floatToRawIntBits(back.getAtIndex(ValueLayout.JAVA_FLOAT, i)), "value " + i);
            }
            for (int i = n; i < n + 4; i++) assertTrue(Float.isNaN(back.getAtIndex(ValueLayout.JAVA_FLOAT, i)), "guard " + i);
        }
    }

    @Test
    void largeArraysAndSegmentsTakeTheSamePath() {
        // 200k elements: arrays go in critical slices of 64k, native segments in one pooled call.
        float[] xs = interestingFloats(200_000);
        byte[] fromArray = Fp8.encodeE5M2(xs);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocateFrom(ValueLayout.JAVA_FLOAT, xs);
            MemorySegment dst = TestData.poisoned(arena, xs.length);
            Fp8.encodeE5M2(src, dst, xs.length);
            assertArrayEquals(fromArray, dst.toArray(ValueLayout.JAVA_BYTE));
            MemorySegment back = TestData.poisonedFloats(arena, xs.length);
            Fp8.decodeE5M2(dst, back, xs.length);
            float[] arrayBack = Fp8.decodeE5M2(fromArray);
            for (int i = 0; i < xs.length; i++) {
                assertEquals(Float.floatToRawIntBits(arrayBack[i]), Float.floatToRawIntBits(back.getAtIndex(ValueLayout.JAVA_FLOAT, i)), "value " + i);
            }
        }
        for (int i = 0; i < xs.length; i++) assertEquals(Fp8.encodeE5M2(xs[i]), fromArray[i], "code " + i);
    }

    @Test
    void roundTripOfEveryFiniteCode() {
        for (int c = 0; c < 256; c++) {
            if (Double.isFinite(E4M3.value(c))) assertEquals((byte) c, Fp8.encodeE4M3(Fp8.decodeE4M3((byte) c)), "E4M3 " + c);
            if (Double.isFinite(E5M2.value(c))) assertEquals((byte) c, Fp8.encodeE5M2(Fp8.decodeE5M2((byte) c)), "E5M2 " + c);
        }
    }

    static void compareBulk(float[] xs, Function<float[], byte[]> bulk, Function<Float, Byte> scalar, String name) {
        byte[] got = bulk.apply(xs);
        byte[] want = new byte[xs.length];
        for (int i = 0; i < xs.length; i++) want[i] = scalar.apply(xs[i]);
        for (int i = 0; i < xs.length; i++) {
            if (got[i] != want[i]) {
                fail(name + ": native encodes " + xs[i] + " (0x" + Integer.toHexString(Float.floatToRawIntBits(xs[i]))
                        + ") as 0x" + Integer.toHexString(got[i] & 0xFF) + ", Java as 0x" + Integer.toHexString(want[i] & 0xFF));
            }
        }
        assertArrayEquals(want, got);
    }

    /**
     * Random bit patterns, every midpoint between adjacent codes of both formats and the floats
     * either side of it, the subnormal range, zeros, infinities and NaN payloads.
     */
    static float[] interestingFloats(int randomCount) {
        java.util.ArrayList<Float> list = new java.util.ArrayList<>();
        for (Spec spec : new Spec[] {E4M3, E5M2}) {
            for (int c = 0; c < 127; c++) {
                double a = spec.value(c), b = spec.value(c + 1);
                if (!Double.isFinite(a)) continue;
                float mid = Double.isFinite(b) ? (float) ((a + b) / 2) : (float) (a * 1.0 + (a - spec.value(c - 1)) / 2);
                for (float v : new float[] {(float) a, mid, Math.nextUp(mid), Math.nextDown(mid)}) {
                    list.add(v);
                    list.add(-v);
                }
            }
        }
        for (float v : new float[] {0f, -0f, Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
                Float.intBitsToFloat(0x7F800001), Float.intBitsToFloat(0xFFFFFFFF), 464f, 480f, 1e6f, 61440f}) {
            list.add(v);
        }
        Random r = new Random(8);
        float[] xs = new float[list.size() + randomCount];
        for (int i = 0; i < list.size(); i++) xs[i] = list.get(i);
        for (int i = list.size(); i < xs.length; i++) {
            xs[i] = switch (i % 3) {
                case 0 -> Float.intBitsToFloat(r.nextInt());           // any bit pattern
                case 1 -> (float) (r.nextGaussian() * 100);            // the working range
                default -> (float) (r.nextGaussian() * 0x1p-8);        // the subnormal range
            };
        }
        return xs;
    }

    private static void check(Spec spec, float x, byte got) {
        int want = spec.nearest(x);
        if ((got & 0xFF) != want) {
            fail(spec.name() + ": " + x + " encodes to 0x" + Integer.toHexString(got & 0xFF) + ", nearest is 0x" + Integer.toHexString(want));
        }
    }

    private static void assertSame(double want, float got, String what) {
        if (Double.isNaN(want)) assertTrue(Float.isNaN(got), what + ": expected NaN, got " + got);
        else assertEquals((float) want, got, 0f, what);
    }
}
