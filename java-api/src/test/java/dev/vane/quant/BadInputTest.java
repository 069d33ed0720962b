package dev.vane.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.Vane;
import dev.vane.VaneException;
import dev.vane.bindings.VaneStatus;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every bad argument gets a clear exception before or from native code; nothing crashes. */
class BadInputTest {

    private static void assertMessage(Throwable e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
    }

    @Test
    void nullArguments() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(4 * 64);
            MemorySegment q = arena.allocate(1024);
            assertMessage(assertThrows(NullPointerException.class, () -> Quantizer.quantize(QuantFormat.Q4_0, null, 1, 64, q)), "src");
            assertMessage(assertThrows(NullPointerException.class, () -> Quantizer.quantize(QuantFormat.Q4_0, x, 1, 64, (MemorySegment) null)), "dst");
            assertMessage(assertThrows(NullPointerException.class, () -> Quantizer.quantize(null, x, 1, 64, q)), "format");
            assertMessage(assertThrows(NullPointerException.class, () -> Quantizer.dequantize(QuantFormat.Q8_0, (byte[]) null, 1, 32)), "src");
            assertMessage(assertThrows(NullPointerException.class, () -> Fp8.encodeE4M3((float[]) null)), "src");
            assertMessage(assertThrows(NullPointerException.class, () -> Fp8.decodeE5M2(null, x, 1)), "src");
        }
    }

    @Test
    void closedSegments() {
        Arena arena = Arena.ofConfined();
        MemorySegment x = arena.allocate(4 * 64);
        MemorySegment q = arena.allocate(1024);
        arena.close();
        try (Arena live = Arena.ofConfined()) {
            MemorySegment liveQ = live.allocate(1024);
            MemorySegment liveX = live.allocate(4 * 64);
            assertMessage(assertThrows(IllegalStateException.class, () -> Quantizer.quantize(QuantFormat.Q4_0, x, 1, 64, liveQ)), "src", "closed");
            assertMessage(assertThrows(IllegalStateException.class, () -> Quantizer.quantize(QuantFormat.Q4_0, liveX, 1, 64, q)), "dst", "closed");
            assertMessage(assertThrows(IllegalStateException.class, () -> Fp8.encodeE4M3(x, liveQ, 8)), "src", "closed");
            assertMessage(assertThrows(IllegalStateException.class, () -> Quantizer.dequantize(QuantFormat.Q8_0, liveQ, 1, 32, x)), "dst", "closed");
        }
    }

    @Test
    void segmentOfAnotherThread() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(4 * 64);
            MemorySegment q = arena.allocate(1024);
            Throwable e = CompletableFuture.supplyAsync(() -> {
                try {
                    Quantizer.quantize(QuantFormat.Q4_0, x, 1, 64, q);
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            }).get();
            assertTrue(e instanceof IllegalStateException, String.valueOf(e));
            assertMessage(e, "another thread");
        }
    }

    @Test
    void sizesThatDoNotMatch() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(4 * 64);
            MemorySegment small = arena.allocate(17);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(QuantFormat.Q4_0, x, 1, 64, small)),
                    "dst is too small", "q4_0 [1, 64] needs 36 bytes", "has 17");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(QuantFormat.Q4_0, x, 2, 64, arena.allocate(100))),
                    "src is too small", "needs 512 bytes");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Quantizer.dequantize(QuantFormat.Q8_0, small, 1, 32, x)),
                    "src is too small", "needs 34 bytes");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(QuantFormat.Q8_0, new float[31], 1, 32)),
                    "src has 31 floats but rows*cols = 32");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Quantizer.dequantize(QuantFormat.Q8_0, new byte[33], 1, 32)),
                    "needs 34 bytes", "has 33");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Fp8.encodeE4M3(x, small, 18)), "dst is too small");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Fp8.encodeE4M3(x, small, -1)), "count must be >= 0");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(QuantFormat.F32, x, -1, 4, small)), "rows and cols must be >= 0");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> QuantFormat.F32.byteSize(1L << 40, 1L << 40)), "too large");
        }
    }

    @ParameterizedTest
    @EnumSource(value = QuantFormat.class, names = {"Q4_0", "Q8_0", "INT4_SYM_G64", "INT4_ASYM_G128", "INT8_G32", "INT8_G128", "Q4_1", "Q5_0",
            "Q2_K", "Q4_K", "Q6_K", "IQ4_NL", "IQ4_XS", "MXFP4"})
    void colsNotDivisibleByTheGroup(QuantFormat f) {
        int cols = f.blockElements() + 1;
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(f, new float[cols], 1, cols)),
                "cols (K) = " + cols + " is not a multiple of the " + f.formatName() + " block size " + f.blockElements());
        assertMessage(assertThrows(IllegalArgumentException.class, () -> f.byteSize(3, cols)), "not a multiple");
    }

    @ParameterizedTest
    @EnumSource(QuantFormat.class)
    void nonFiniteInputIsRejectedWithItsPosition(QuantFormat f) {
        int cols = Math.max(f.blockElements(), 32), rows = TestData.rows(f, 3);
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] x = TestData.weights(3, rows * cols);
            x[cols + 5] = bad;
            VaneException e = assertThrows(VaneException.class, () -> Quantizer.quantize(f, x, rows, cols));
            assertEquals(VaneStatus.NON_FINITE, e.status());
            assertMessage(e, "VANE_E_NON_FINITE", Float.isNaN(bad) ? "NaN" : "Inf", "at [1, 5]", f.formatName());
        }
    }

    @ParameterizedTest
    @EnumSource(value = QuantFormat.class, names = {"Q4_0", "Q8_0", "INT4_SYM_G32", "INT4_ASYM_G64", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K",
            "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"})
    void scalesThatOverflowFp16AreRejected(QuantFormat f) {
        // One 1e9 among zeros: every fp16 scale above is at least 1e9 / (32 * 128) > 65504
        // (q6_k's d = 1e9 / 32 / 128, the smallest). MXFP4's E8M0 exponent holds it (e = 154).
        int cols = f.blockElements();
        float[] x = new float[cols];
        x[0] = 1e9f;
        VaneException e = assertThrows(VaneException.class, () -> Quantizer.quantize(f, x, 1, cols));
        assertEquals(VaneStatus.OUT_OF_RANGE, e.status());
        assertMessage(e, "fp16 scale");
        // The f32-scaled formats, and mxfp4's power of two, take it.
        float[] big = new float[32];
        big[0] = 1e9f;
        float back = Quantizer.dequantize(QuantFormat.MXFP4, Quantizer.quantize(QuantFormat.MXFP4, big, 1, 32), 1, 32)[0];
        // e = floor(log2 1e9) - 2 + 127 = 154: scale 2^27, 1e9 = 7.45 * 2^27 clamps to E2M1's largest, 6.
        assertEquals(Math.scalb(6f, 27), back);
        assertEquals(1e9f, Quantizer.dequantize(QuantFormat.INT8_G32, Quantizer.quantize(QuantFormat.INT8_G32, new float[] {1e9f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 1, 32), 1, 32)[0], 1e9f * 1e-6f);
    }

    @Test
    void readOnlyAndHeapSegments() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(4 * 32);
            MemorySegment q = arena.allocate(64).asReadOnly();
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(QuantFormat.Q8_0, x, 1, 32, q)), "dst is read-only");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Fp8.decodeE4M3(arena.allocate(8), arena.allocate(32).asReadOnly(), 8)), "read-only");
            MemorySegment heap = MemorySegment.ofArray(new float[32]);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(QuantFormat.Q8_0, heap, 1, 32, arena.allocate(64))),
                    "src must be native memory");
            // FP8 bulk calls take heap segments (they run as short critical calls).
            byte[] poisoned = new byte[32];
            java.util.Arrays.fill(poisoned, (byte) 0x5A);
            MemorySegment codes = MemorySegment.ofArray(poisoned);
            MemorySegment ones = MemorySegment.ofArray(new float[32]).fill((byte) 0);
            for (int i = 0; i < 32; i++) ones.setAtIndex(ValueLayout.JAVA_FLOAT, i, 1.0f);
            Fp8.encodeE4M3(ones, codes, 32);
            for (byte b : poisoned) assertEquals((byte) 0x38, b);  // 1.0 in E4M3
        }
    }

    @Test
    void overlappingBuffersAreRejected() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4096, 64);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Fp8.decodeE4M3(buf, buf, 1024)), "overlap");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Fp8.encodeE4M3(buf, buf.asSlice(100), 512)), "overlap");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Quantizer.dequantize(QuantFormat.F16, buf, 4, 128, buf)), "overlap");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(QuantFormat.Q8_0, buf, 1, 32, buf.asSlice(64))), "overlap");
        }
    }

    @Test
    void misalignedFloatsAreRejected() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment odd = arena.allocate(4 * 64 + 1, 64).asSlice(1);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(QuantFormat.Q8_0, odd, 1, 32, arena.allocate(64))),
                    "src holds f32 values but its address is not 4-byte aligned");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Quantizer.dequantize(QuantFormat.Q8_0, arena.allocate(34), 1, 32, odd)),
                    "dst holds f32");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Fp8.encodeE4M3(MemorySegment.ofArray(new byte[64]).asSlice(1), arena.allocate(8), 8)),
                    "not 4-byte aligned");
        }
    }

    @Test
    void planarQueriesOnBlockFormatsAndOversizedArrays() {
        assertMessage(assertThrows(IllegalStateException.class, () -> QuantFormat.Q4_0.scaleCount(1, 32)), "only FP8 formats are planar");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> QuantFormat.FP8_E4M3_ROW.scaleCount(-5, 3)), "must be >= 0");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Quantizer.dequantize(QuantFormat.INT4_SYM_G128, new byte[66], 70_000, 70_016)),
                "too many floats for a float[]");
    }

    @Test
    void badThreadCounts() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Vane.setThreads(0)), "threads must be >= 1");
        VaneException e = assertThrows(VaneException.class, () -> Vane.setThreads(5000));
        assertEquals(VaneStatus.INVALID_ARGUMENT, e.status());
        assertMessage(e, "threads must be in [1, 1024]");
    }
}
