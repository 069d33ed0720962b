package dev.vane;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vane.quant.QuantFormat;
import dev.vane.quant.Quantizer;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * y = x · Wᵀ + bias through QuantizedMatrix against a float64 reference on the dequantized weights
 * and the original x, within the error each format allows (integer formats quantize x).
 */
class QuantizedMatrixTest {

    static float[] normal(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    static boolean isIntegerFormat(QuantFormat f) {
        return (f.id() >= QuantFormat.INT4_SYM_G32.id() && f.id() <= QuantFormat.Q8_0.id()) || f == QuantFormat.Q4_0_X8;
    }

    static boolean isAsymmetric(QuantFormat f) {
        return f == QuantFormat.INT4_ASYM_G32 || f == QuantFormat.INT4_ASYM_G64 || f == QuantFormat.INT4_ASYM_G128;
    }

    /** d_x of the 32-element block of x at offset: f32 amax / 127, as libvane computes it. */
    static float actScale(float[] x, int offset) {
        float amax = 0;
        for (int e = 0; e < 32; e++) amax = Math.max(amax, Math.abs(x[offset + e]));
        return amax / 127f;
    }

    /**
     * Allowed |y - reference| for output row i, column j, the reference being Σ x·ŵ + bias in
     * float64 on the ORIGINAL x (docs/FORMATS.md, "GEMM").
     *
     * <p>Float formats: f32 accumulation of K products errs by at most about K · 2^-24 · Σ|x·w| in
     * any summation order (the gamma_K bound), plus one rounding of the bias add.
     *
     * <p>Integer formats quantize x per block of 32 to x̂ = d_x·q, d_x = amax/127, and compute
     * x̂·Ŵᵀ in f32. Activation term: |x - x̂| ≤ d_x/2 per element (plus 2^-16·d_x for the rounding
     * of x/d_x), so at most Σ_blocks d_x·(1/2 + 2^-16)·Σ|ŵ|. f32 term: two roundings per block
     * product and the sum of 2·K/32 terms, at most (2·K/32 + 8)·2^-24·Σ(|ŵ| + 2|m|)(|x| + d_x),
     * m being an int4_asym block's minimum (0 otherwise), plus the bias rounding.
     */
    static double tolerance(QuantFormat f, float[] x, int xOffset, float[] w, int wOffset, float[] mins, int k, double bias) {
        double s = 0, quant = 0;
        int terms;
        if (!isIntegerFormat(f)) {
            for (int c = 0; c < k; c++) s += Math.abs((double) x[xOffset + c] * w[wOffset + c]);
            terms = k + 2;
        } else {
            for (int b = 0; b < k / 32; b++) {
                double dx = actScale(x, xOffset + 32 * b), sw = 0;
                for (int e = 32 * b; e < 32 * b + 32; e++) {
                    sw += Math.abs(w[wOffset + e]);
                    s += (Math.abs(w[wOffset + e]) + 2 * Math.abs(mins[wOffset + e])) * (Math.abs(x[xOffset + e]) + dx);
                }
                quant += dx * (0.5 + 0x1p-16) * sw;
            }
            terms = 2 * (k / 32) + 8;
        }
        return terms * 0x1p-24 * s + 0x1p-24 * Math.abs(bias) + quant + 1e-30;
    }

    /** Each element's block minimum m for int4_asym formats (read from the packed bytes), else 0. */
    static float[] minima(QuantFormat f, byte[] packed, int n, int k) {
        float[] mins = new float[n * k];
        if (isAsymmetric(f)) {
            for (int e = 0; e < n * k; e++) {
                int at = (e / f.blockElements()) * f.blockBytes() + 2;
                mins[e] = Float.float16ToFloat((short) ((packed[at] & 0xFF) | (packed[at + 1] << 8)));
            }
        }
        return mins;
    }

    static void checkAgainstReference(QuantFormat f, byte[] packed, float[] x, float[] bias, Tensor y, int m, int n, int k) {
        float[] wDequantized = Quantizer.dequantize(f, packed, n, k);
        float[] mins = minima(f, packed, n, k);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double ref = bias == null ? 0 : bias[j];
                for (int c = 0; c < k; c++) ref += (double) x[i * k + c] * wDequantized[j * k + c];
                float got = y.rank() == 1 ? y.get(j) : y.get(i, j);
                double tol = tolerance(f, x, i * k, wDequantized, j * k, mins, k, bias == null ? 0 : bias[j]);
                if (!(Math.abs(got - ref) <= tol)) {
                    fail(f + " m=" + m + " n=" + n + " k=" + k + ": y[" + i + ", " + j + "] = " + got + ", reference " + ref
                            + ", allowed " + tol);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(QuantFormat.class)
    void everyFormatMatchesTheFloat64Reference(QuantFormat f) {
        Random r = new Random(f.id());
        int g = Math.max(f.blockElements(), 1);
        int original = Vane.threads();
        try {
            for (int threads : new int[] {1, 2}) {
                Vane.setThreads(threads);
                for (int[] mnk : new int[][] {{1, 37, g == 1 ? 131 : 3 * g}, {3, 19, 2 * Math.max(g, 64)}, {17, 65, g == 1 ? 96 : g}}) {
                    int m = mnk[0], n = (mnk[1] + f.rowGroup() - 1) / f.rowGroup() * f.rowGroup(), k = mnk[2];
                    float[] w = normal(r, n * k), x = normal(r, m * k), bias = normal(r, n);
                    try (Tensor wt = Tensor.of(w, n, k); QuantizedMatrix q = QuantizedMatrix.quantize(f, wt);
                         Tensor xt = Tensor.of(x, m, k); Tensor bt = Tensor.of(bias, n); Tensor y = Tensor.allocate(m, n)) {
                        y.segment().fill((byte) 0xFF);  // NaN poison: every output must be written
                        q.multiply(xt, bt, y);
                        checkAgainstReference(f, q.segment().toArray(ValueLayout.JAVA_BYTE), x, bias, y, m, n, k);
                    }
                }
            }
        } finally {
            Vane.setThreads(original);
        }
    }

    @Test
    void repackedQ4_0GivesTheSameProducts() {
        Random r = new Random(3);
        int n = 40, k = 256;
        try (Arena arena = Arena.ofConfined(); Tensor w = Tensor.of(normal(r, n * k), n, k);
             QuantizedMatrix q = QuantizedMatrix.quantize(QuantFormat.Q4_0, w)) {
            QuantizedMatrix x8 = q.repack(arena);
            assertEquals(QuantFormat.Q4_0_X8, x8.format());
            for (int m : new int[] {1, 3, 5, 9, 40}) {
                try (Tensor x = Tensor.of(normal(r, m * k), m, k); Tensor a = q.multiply(x); Tensor b = x8.multiply(x)) {
                    float[] ya = a.toFloatArray(), yb = b.toFloatArray();
                    float[] wd = Quantizer.dequantize(QuantFormat.Q4_0, q.segment().toArray(ValueLayout.JAVA_BYTE), n, k);
                    float[] xs = x.toFloatArray();
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            // Same values, another summation order: within twice the f32 term.
                            double tol = tolerance(QuantFormat.Q4_0, xs, i * k, wd, j * k, new float[n * k], k, 0);
                            assertEquals(ya[i * n + j], yb[i * n + j], tol, "m=" + m + " y[" + i + ", " + j + "]");
                        }
                    }
                }
            }
            assertMessage(assertThrows(IllegalArgumentException.class, () -> x8.repack(arena)), "only q4_0 matrices can be repacked");
        }
        try (Tensor w = Tensor.allocate(12, 64)) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> QuantizedMatrix.quantize(QuantFormat.Q4_0_X8, w)),
                    "rows = 12 is not a multiple of 8");
        }
    }

    @Test
    void vectorInputAndNewOutput() {
        Random r = new Random(5);
        int n = 7, k = 64;
        float[] w = normal(r, n * k), x = normal(r, k);
        try (Tensor wt = Tensor.of(w, n, k); QuantizedMatrix q = QuantizedMatrix.quantize(QuantFormat.Q8_0, wt);
             Tensor xt = Tensor.of(x, k); Tensor y = q.multiply(xt)) {
            assertArrayEquals(new long[] {n}, y.shape());
            checkAgainstReference(QuantFormat.Q8_0, q.segment().toArray(ValueLayout.JAVA_BYTE), x, null, y, 1, n, k);
        }
    }

    /** The zero-copy path: packed bytes written to a file, mapped, wrapped, multiplied. */
    @Test
    void wrapsAMappedFileRegion(@TempDir Path dir) throws IOException {
        Random r = new Random(6);
        int n = 33, k = 256, m = 4;
        QuantFormat f = QuantFormat.INT4_ASYM_G128;
        float[] w = normal(r, n * k), x = normal(r, m * k);
        byte[] packed = Quantizer.quantize(f, w, n, k);
        Path file = dir.resolve("weights.bin");
        byte[] withHeader = new byte[64 + packed.length];  // the tensor sits at offset 64, as in a model file
        System.arraycopy(packed, 0, withHeader, 64, packed.length);
        Files.write(file, withHeader);
        try (Arena arena = Arena.ofShared(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, withHeader.length, arena);
            QuantizedMatrix q = QuantizedMatrix.wrap(f, mapped.asSlice(64), n, k);
            assertEquals(mapped.address() + 64, q.segment().address(), "no copy");
            try (Tensor xt = Tensor.of(x, m, k); Tensor y = q.multiply(xt)) {
                checkAgainstReference(f, packed, x, null, y, m, n, k);
            }
        }
    }

    @Test
    void badInput() {
        try (Arena arena = Arena.ofConfined(); Tensor w = Tensor.allocate(8, 64);
             QuantizedMatrix q = QuantizedMatrix.quantize(QuantFormat.Q4_0, w)) {
            Tensor x = Tensor.allocate(arena, 2, 64);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> q.multiply(Tensor.allocate(arena, 2, 32))),
                    "x has K = 32 but the matrix is [8, 64]");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> q.multiply(x, Tensor.allocate(arena, 2, 7))), "y must be [2, 8]");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> q.multiply(x, Tensor.allocate(arena, 3), Tensor.allocate(arena, 2, 8))),
                    "bias must be [8]");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> q.multiply(Tensor.allocate(arena, 2, 2, 64))), "x must be [M, K] or [K]");
            Tensor closed = Tensor.allocate(2, 64);
            closed.close();
            assertMessage(assertThrows(IllegalStateException.class, () -> q.multiply(closed)), "closed");
            // y aliasing x.
            Tensor big = Tensor.allocate(arena, 2, 64);
            Tensor alias = Tensor.wrap(big.segment(), 2, 8);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> q.multiply(big, alias)), "overlap");
            // Wrapping: too few bytes, misaligned bytes, heap memory, K not a multiple of the block.
            MemorySegment bytes = arena.allocate(1024, 64);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> QuantizedMatrix.wrap(QuantFormat.Q4_0, bytes, 100, 64)),
                    "packed is too small");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> QuantizedMatrix.wrap(QuantFormat.Q4_0, bytes.asSlice(1), 8, 64)),
                    "must start at a multiple of 2 bytes");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> QuantizedMatrix.wrap(QuantFormat.INT8_G32, bytes.asSlice(2), 4, 64)),
                    "multiple of 4 bytes");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> QuantizedMatrix.wrap(QuantFormat.Q4_0, MemorySegment.ofArray(new byte[1024]), 8, 64)),
                    "must be native memory");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> QuantizedMatrix.wrap(QuantFormat.Q4_0, bytes, 8, 48)),
                    "not a multiple of the q4_0 block size 32");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> QuantizedMatrix.quantize(QuantFormat.Q4_0, Tensor.allocate(arena, 64))),
                    "weights must be [N, K]");
            // Wrong dtype: the kernels take F32 activations, bias, output and source weights.
            assertMessage(assertThrows(IllegalArgumentException.class, () -> q.multiply(Tensor.allocate(arena, DType.F16, 2, 64))),
                    "x must be F32, got Tensor[2, 64] F16 (convert it to F32 first)");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> q.multiply(x, Tensor.allocate(arena, DType.I32, 2, 8))),
                    "y must be F32, got Tensor[2, 8] I32");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> q.multiply(x, Tensor.allocate(arena, DType.BF16, 8), Tensor.allocate(arena, 2, 8))), "bias must be F32");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> QuantizedMatrix.quantize(QuantFormat.Q4_0, Tensor.allocate(arena, DType.BF16, 8, 64))), "weights must be F32");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3)), "data has 5 floats");
            assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> x.get(2, 0)), "outside shape");
        }
        // A matrix whose arena is closed.
        Arena arena = Arena.ofConfined();
        QuantizedMatrix gone = QuantizedMatrix.wrap(QuantFormat.F32, arena.allocate(4 * 64, 64), 1, 64);
        arena.close();
        try (Tensor x = Tensor.allocate(64)) {
            assertMessage(assertThrows(IllegalStateException.class, () -> gone.multiply(x)), "closed");
        }
    }

    private static void assertMessage(Throwable e, String part) {
        assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks '" + part + "'");
    }
}
