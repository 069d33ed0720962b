package dev.vane.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Quantize and dequantize through libvane (the active CPU variant) against float64 references. */
class QuantizerTest {

    static List<int[]> shapes(QuantFormat f) {
        int g = f.blockElements();
        int[] cols = g == 1 ? new int[] {1, 7, 129, 300} : new int[] {g, 3 * g, 5 * g};
        List<int[]> shapes = new ArrayList<>();
        for (int rows : new int[] {1, 3, 17, 130}) for (int c : cols) shapes.add(new int[] {TestData.rows(f, rows), c});
        return shapes;
    }

    @ParameterizedTest
    @EnumSource(QuantFormat.class)
    void roundTripIsTheDocumentedLayoutAndWithinTolerance(QuantFormat f) {
        long seed = 1000 + f.id();
        for (int[] shape : shapes(f)) {
            int rows = shape[0], cols = shape[1];
            float[] x = TestData.weights(seed++, rows * cols);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment q = TestData.poisoned(arena, f.byteSize(rows, cols));
                Quantizer.quantize(f, TestData.floats(arena, x), rows, cols, q);
                MemorySegment y = TestData.poisonedFloats(arena, (long) rows * cols);
                Quantizer.dequantize(f, q, rows, cols, y);
                double[] reference = ReferenceDecoder.decode(f, q, rows, cols);
                for (int i = 0; i < x.length; i++) {
                    int r = i / cols, c = i % cols;
                    float got = y.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                    String where = f + " [" + rows + "x" + cols + "] at [" + r + ", " + c + "]";
                    // Native dequantization is the documented layout, to the bit (each format's
                    // dequantization is one exactly-rounded f32 operation).
                    assertEquals((float) reference[i], got, 0f, where + ": native vs reference decoder");
                    double err = Math.abs(reference[i] - x[i]);
                    double bound = Tolerances.bound(f, q, rows, cols, r, c, x);
                    if (!(err <= bound)) fail(where + ": x=" + x[i] + " -> " + reference[i] + ", error " + err + " > " + bound);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(QuantFormat.class)
    void arrayOverloadsMatchSegments(QuantFormat f) {
        int rows = TestData.rows(f, 5), cols = 2 * Math.max(f.blockElements(), 64);
        float[] x = TestData.weights(7, rows * cols);
        byte[] packed = Quantizer.quantize(f, x, rows, cols);
        assertEquals(f.byteSize(rows, cols), packed.length);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment q = Quantizer.quantize(f, TestData.floats(arena, x), rows, cols, arena);
            assertArrayEquals(q.toArray(ValueLayout.JAVA_BYTE), packed);
        }
        float[] back = Quantizer.dequantize(f, packed, rows, cols);
        assertEquals(x.length, back.length);
        for (float v : back) assertTrue(Float.isFinite(v));
    }

    @ParameterizedTest
    @EnumSource(QuantFormat.class)
    void edgeBlocks(QuantFormat f) {
        int g = Math.max(f.blockElements(), 32);
        // zeros; a constant; one huge value among tiny ones; subnormal f32 values; a negative
        // constant; values just above f32's smallest normal (mxfp4's exponent formula gives -1,
        // which ggml on x86 stores as e = 0xFF).
        float[][] blocks = new float[6][g];
        java.util.Arrays.fill(blocks[1], 0.75f);
        for (int i = 0; i < g; i++) blocks[2][i] = 1e-3f * (i - g / 2);
        blocks[2][3] = 1000f;
        for (int i = 0; i < g; i++) blocks[3][i] = Float.MIN_VALUE * (i + 1);
        java.util.Arrays.fill(blocks[4], -3.5f);
        for (int i = 0; i < g; i++) blocks[5][i] = Math.scalb(1f + (i % 7) / 16f, -126);
        int rows = f.rowGroup();  // the block in row 0, zero rows below it (q4_0x8)
        for (float[] b : blocks) {
            float[] m = java.util.Arrays.copyOf(b, rows * g);
            byte[] packed = Quantizer.quantize(f, m, rows, g);
            float[] back = Quantizer.dequantize(f, packed, rows, g);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment q = arena.allocateFrom(ValueLayout.JAVA_BYTE, packed);
                for (int c = 0; c < g; c++) {
                    double err = Math.abs(back[c] - (double) b[c]);
                    double bound = Tolerances.bound(f, q, rows, g, 0, c, m);
                    if (!(err <= bound)) fail(f + " edge block: x=" + b[c] + " -> " + back[c] + ", error " + err + " > " + bound);
                }
            }
        }
        // All zeros stay exactly zero, constants are exact where a level can hold them.
        float[] zeros = new float[rows * g];
        for (float v : Quantizer.dequantize(f, Quantizer.quantize(f, zeros, rows, g), rows, g)) assertEquals(0f, Math.abs(v));
    }

    /** q4_0x8 holds Q4_0's values: quantizing to it equals repacking Q4_0, and rows must come in eights. */
    @Test
    void q4_0x8IsRepackedQ4_0() {
        int rows = 24, cols = 96;
        float[] x = TestData.weights(5, rows * cols);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment q4 = Quantizer.quantize(QuantFormat.Q4_0, TestData.floats(arena, x), rows, cols, arena);
            MemorySegment x8 = Quantizer.quantize(QuantFormat.Q4_0_X8, TestData.floats(arena, x), rows, cols, arena);
            MemorySegment repacked = Quantizer.repack(QuantFormat.Q4_0, q4, rows, cols, QuantFormat.Q4_0_X8, arena);
            assertArrayEquals(x8.toArray(ValueLayout.JAVA_BYTE), repacked.toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(q4.toArray(ValueLayout.JAVA_BYTE), ReferenceDecoder.q4_0x8ToQ4_0(x8, rows, cols).toArray(ValueLayout.JAVA_BYTE));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QuantFormat.Q4_0_X8.byteSize(12, 32));
            assertTrue(e.getMessage().contains("rows = 12 is not a multiple of 8"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Quantizer.repack(QuantFormat.Q8_0, q4, 8, 32, QuantFormat.Q4_0_X8, arena));
            assertTrue(e.getMessage().contains("q8_0 to q4_0x8 is not supported"), e.getMessage());
        }
    }

    /**
     * q4_kx8 holds Q4_K's values: quantizing to it equals repacking Q4_K, every block reads back
     * as its Q4_K bytes (the layout vane.h documents), it takes 148 bytes per row and 256
     * columns, and rows must come in eights.
     */
    @Test
    void q4_kx8IsRepackedQ4_K() {
        int rows = 24, cols = 768;
        float[] x = TestData.weights(6, rows * cols);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment q4 = Quantizer.quantize(QuantFormat.Q4_K, TestData.floats(arena, x), rows, cols, arena);
            MemorySegment x8 = Quantizer.quantize(QuantFormat.Q4_K_X8, TestData.floats(arena, x), rows, cols, arena);
            MemorySegment repacked = Quantizer.repack(QuantFormat.Q4_K, q4, rows, cols, QuantFormat.Q4_K_X8, arena);
            assertEquals(rows * 3 * 148L, x8.byteSize());
            assertArrayEquals(x8.toArray(ValueLayout.JAVA_BYTE), repacked.toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(q4.toArray(ValueLayout.JAVA_BYTE), ReferenceDecoder.q4_kx8ToQ4_K(x8, rows, cols).toArray(ValueLayout.JAVA_BYTE));
            assertEquals(QuantFormat.Q4_K_X8, QuantFormat.Q4_K.repackedFormat());
            assertEquals(QuantFormat.Q4_0_X8, QuantFormat.Q4_0.repackedFormat());
            assertEquals(null, QuantFormat.Q4_K_X8.repackedFormat());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QuantFormat.Q4_K_X8.byteSize(12, 256));
            assertTrue(e.getMessage().contains("rows = 12 is not a multiple of 8"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Quantizer.repack(QuantFormat.Q4_0, q4, 8, 256, QuantFormat.Q4_K_X8, arena));
            assertTrue(e.getMessage().contains("q4_0 to q4_kx8 is not supported"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Quantizer.repack(QuantFormat.Q4_K, q4, 8, 256, QuantFormat.Q4_0_X8, arena));
            assertTrue(e.getMessage().contains("q4_k to q4_0x8 is not supported"), e.getMessage());
        }
    }

    /**
     * q6_kx8 holds Q6_K's values: quantizing to it equals repacking Q6_K, every block reads back
     * as its Q6_K bytes (the layout vane.h documents), it takes 210 bytes per row and 256
     * columns, as Q6_K, and rows must come in eights.
     */
    @Test
    void q6_kx8IsRepackedQ6_K() {
        int rows = 24, cols = 768;
        float[] x = TestData.weights(7, rows * cols);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment q6 = Quantizer.quantize(QuantFormat.Q6_K, TestData.floats(arena, x), rows, cols, arena);
            MemorySegment x8 = Quantizer.quantize(QuantFormat.Q6_K_X8, TestData.floats(arena, x), rows, cols, arena);
            MemorySegment repacked = Quantizer.repack(QuantFormat.Q6_K, q6, rows, cols, QuantFormat.Q6_K_X8, arena);
            assertEquals(rows * 3 * 210L, x8.byteSize());
            assertArrayEquals(x8.toArray(ValueLayout.JAVA_BYTE), repacked.toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(q6.toArray(ValueLayout.JAVA_BYTE), ReferenceDecoder.q6_kx8ToQ6_K(x8, rows, cols).toArray(ValueLayout.JAVA_BYTE));
            assertEquals(QuantFormat.Q6_K_X8, QuantFormat.Q6_K.repackedFormat());
            assertEquals(null, QuantFormat.Q6_K_X8.repackedFormat());
            assertEquals(8, QuantFormat.Q6_K_X8.rowGroup());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QuantFormat.Q6_K_X8.byteSize(12, 256));
            assertTrue(e.getMessage().contains("rows = 12 is not a multiple of 8"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Quantizer.repack(QuantFormat.Q4_K, q6, 8, 256, QuantFormat.Q6_K_X8, arena));
            assertTrue(e.getMessage().contains("q4_k to q6_kx8 is not supported"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Quantizer.repack(QuantFormat.Q6_K, q6, 8, 256, QuantFormat.Q4_K_X8, arena));
            assertTrue(e.getMessage().contains("q6_k to q4_kx8 is not supported"), e.getMessage());
        }
    }

    /** llama.cpp's Q4_0: fp16 d first, then byte j = code(x[j]) | code(x[j + 16]) << 4. */
    @Test
    void q4_0HandComputedBlock() {
        float[] x = new float[32];
        for (int j = 0; j < 32; j++) x[j] = j - 16;  // -16 .. 15
        // max |x| is at j = 0 (x = -16): d = -16 / -8 = 2.0 (fp16 0x4000), id = 0.5.
        // code = min(15, (int)(x * 0.5 + 8.5)): x = -16 -> 0, -15 -> 1 (0.5+... = 1.0), -14 -> 1,
        // j and j + 16 differ by 16 in x, i.e. by 8 in code.
        byte[] expected = new byte[18];
        expected[0] = 0x00;
        expected[1] = 0x40;
        for (int j = 0; j < 16; j++) {
            int lo = Math.min(15, (int) ((j - 16) * 0.5f + 8.5f));
            int hi = Math.min(15, (int) ((j) * 0.5f + 8.5f));
            expected[2 + j] = (byte) (lo | hi << 4);
        }
        // Spelled out: the first bytes are 0x80, 0x91, 0x91, 0xA2, ...
        assertEquals((byte) 0x80, expected[2]);
        assertEquals((byte) 0x91, expected[3]);
        assertEquals((byte) 0x91, expected[4]);
        assertEquals((byte) 0xA2, expected[5]);
        assertArrayEquals(expected, Quantizer.quantize(QuantFormat.Q4_0, x, 1, 32));
        float[] back = Quantizer.dequantize(QuantFormat.Q4_0, expected, 1, 32);
        assertEquals(-16f, back[0]);
        assertEquals(-14f, back[1]);  // code 1 -> (1 - 8) * 2
        assertEquals(14f, back[31]);  // code 15 -> 7 * 2
    }

    /** llama.cpp's Q8_0: fp16 d first, then 32 int8 values round(x / d) (half away from zero). */
    @Test
    void q8_0HandComputedBlock() {
        float[] x = new float[32];
        for (int j = 0; j < 32; j++) x[j] = (j - 8) * 0.5f;  // -4 .. 11.5
        // amax = 11.5, d = 11.5 / 127 = 0.0905511..., fp16(d) = 0x2DCC; id = 127 / 11.5.
        byte[] packed = Quantizer.quantize(QuantFormat.Q8_0, x, 1, 32);
        assertEquals(34, packed.length);
        assertEquals((byte) 0xCC, packed[0]);
        assertEquals((byte) 0x2D, packed[1]);
        assertEquals((byte) -44, packed[2]);   // -4 * 11.043 = -44.17 -> -44
        assertEquals((byte) 0, packed[2 + 8]);  // x = 0
        assertEquals((byte) 6, packed[2 + 9]);  // 0.5 * 11.043 = 5.52 -> 6
        assertEquals((byte) 127, packed[2 + 31]);
        float d = Float.float16ToFloat((short) 0x2DCC);
        assertEquals(127 * d, Quantizer.dequantize(QuantFormat.Q8_0, packed, 1, 32)[31], 0f);
    }

    @Test
    void quantizationIsDeterministicAcrossThreadCounts() {
        int rows = 300, cols = 256;
        float[] x = TestData.weights(99, rows * cols);
        int original = dev.vane.Vane.threads();
        try {
            // 700 x 300: the pool splits rows into 256-row chunks, cutting no 128-row scale tile.
            float[] wide = TestData.weights(98, 700 * 300);
            dev.vane.Vane.setThreads(1);
            byte[] one = Quantizer.quantize(QuantFormat.FP8_E4M3_B128, x, rows, cols);
            byte[] oneQ4 = Quantizer.quantize(QuantFormat.INT4_ASYM_G64, x, rows, cols);
            byte[] oneWide = Quantizer.quantize(QuantFormat.FP8_E4M3_B128, wide, 700, 300);
            dev.vane.Vane.setThreads(3);
            assertArrayEquals(one, Quantizer.quantize(QuantFormat.FP8_E4M3_B128, x, rows, cols));
            assertArrayEquals(oneQ4, Quantizer.quantize(QuantFormat.INT4_ASYM_G64, x, rows, cols));
            assertArrayEquals(oneWide, Quantizer.quantize(QuantFormat.FP8_E4M3_B128, wide, 700, 300));
        } finally {
            dev.vane.Vane.setThreads(original);
        }
    }

    /**
     * iq4_xsx8 holds IQ4_XS's values: quantizing to it equals repacking IQ4_XS, every block reads
     * back as its IQ4_XS bytes (the layout vane.h documents), it takes 138 bytes per row and 256
     * columns, and rows must come in eights.
     */
    @Test
    void iq4_xsx8IsRepackedIQ4_XS() {
        int rows = 24, cols = 768;
        float[] x = TestData.weights(7, rows * cols);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment iq = Quantizer.quantize(QuantFormat.IQ4_XS, TestData.floats(arena, x), rows, cols, arena);
            MemorySegment x8 = Quantizer.quantize(QuantFormat.IQ4_XS_X8, TestData.floats(arena, x), rows, cols, arena);
            MemorySegment repacked = Quantizer.repack(QuantFormat.IQ4_XS, iq, rows, cols, QuantFormat.IQ4_XS_X8, arena);
            assertEquals(rows * 3 * 138L, x8.byteSize());
            assertArrayEquals(x8.toArray(ValueLayout.JAVA_BYTE), repacked.toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(iq.toArray(ValueLayout.JAVA_BYTE), ReferenceDecoder.iq4_xsx8ToIQ4_XS(x8, rows, cols).toArray(ValueLayout.JAVA_BYTE));
            assertEquals(QuantFormat.IQ4_XS_X8, QuantFormat.IQ4_XS.repackedFormat());
            assertEquals(null, QuantFormat.IQ4_XS_X8.repackedFormat());
            assertEquals(8, QuantFormat.IQ4_XS_X8.rowGroup());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QuantFormat.IQ4_XS_X8.byteSize(12, 256));
            assertTrue(e.getMessage().contains("rows = 12 is not a multiple of 8"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Quantizer.repack(QuantFormat.Q4_K, iq, 8, 256, QuantFormat.IQ4_XS_X8, arena));
            assertTrue(e.getMessage().contains("q4_k to iq4_xsx8 is not supported"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Quantizer.repack(QuantFormat.IQ4_XS, iq, 8, 256, QuantFormat.Q4_K_X8, arena));
            assertTrue(e.getMessage().contains("iq4_xs to q4_kx8 is not supported"), e.getMessage());
        }
    }

    /**
     * iq4_nlx8 holds IQ4_NL's bytes in q4_0x8's layout: quantizing to it equals repacking IQ4_NL,
     * every row reads back as its IQ4_NL bytes, it takes IQ4_NL's 18 bytes per row and 32 columns,
     * and rows must come in eights.
     */
    @Test
    void iq4_nlx8IsRepackedIq4_NL() {
        int rows = 24, cols = 96;
        float[] x = TestData.weights(7, rows * cols);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nl = Quantizer.quantize(QuantFormat.IQ4_NL, TestData.floats(arena, x), rows, cols, arena);
            MemorySegment x8 = Quantizer.quantize(QuantFormat.IQ4_NL_X8, TestData.floats(arena, x), rows, cols, arena);
            MemorySegment repacked = Quantizer.repack(QuantFormat.IQ4_NL, nl, rows, cols, QuantFormat.IQ4_NL_X8, arena);
            assertEquals(rows * 3 * 18L, x8.byteSize());
            assertArrayEquals(x8.toArray(ValueLayout.JAVA_BYTE), repacked.toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(nl.toArray(ValueLayout.JAVA_BYTE), ReferenceDecoder.iq4_nlx8ToIq4_NL(x8, rows, cols).toArray(ValueLayout.JAVA_BYTE));
            for (int r = 0; r < rows; r++) {
                for (int b = 0; b < 3; b++) {
                    assertArrayEquals(nl.asSlice(((long) r * 3 + b) * 18, 18).toArray(ValueLayout.JAVA_BYTE),
                            ReferenceDecoder.iq4_nlx8Block(x8, cols, r, 32 * b + 5).toArray(ValueLayout.JAVA_BYTE));
                }
            }
            assertEquals(QuantFormat.IQ4_NL_X8, QuantFormat.IQ4_NL.repackedFormat());
            assertEquals(null, QuantFormat.IQ4_NL_X8.repackedFormat());
            assertEquals(8, QuantFormat.IQ4_NL_X8.rowGroup());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QuantFormat.IQ4_NL_X8.byteSize(12, 32));
            assertTrue(e.getMessage().contains("rows = 12 is not a multiple of 8"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Quantizer.repack(QuantFormat.Q4_0, nl, 8, 32, QuantFormat.IQ4_NL_X8, arena));
            assertTrue(e.getMessage().contains("q4_0 to iq4_nlx8 is not supported"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Quantizer.repack(QuantFormat.IQ4_NL, nl, 8, 32, QuantFormat.Q4_0_X8, arena));
            assertTrue(e.getMessage().contains("iq4_nl to q4_0x8 is not supported"), e.getMessage());
        }
    }
}
