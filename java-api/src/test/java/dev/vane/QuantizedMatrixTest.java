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

    /**
     * How a format's GEMM quantizes x (docs/FORMATS.md, "GEMM"): not at all (float formats), in
     * Vane's 32-blocks (f32 d), or as llama.cpp does for the type: q8_0 and q8_1 blocks of 32
     * (fp16 d; q8_1 adds s = fp16(d * sum q)) or q8_K blocks of 256 (f32 d).
     */
    enum Act {
        NONE(0), VANE(32), Q8_0(32), Q8_1(32), Q8_K(256);

        final int block;

        Act(int block) {
            this.block = block;
        }
    }

    static Act act(QuantFormat f) {
        return switch (f) {
            case F32, F16, BF16, FP8_E4M3_ROW, FP8_E4M3_B128 -> Act.NONE;
            case Q5_0, IQ4_NL, MXFP4, IQ4_NL_X8 -> Act.Q8_0;
            case Q4_1, Q5_1 -> Act.Q8_1;
            case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_XS, Q4_K_X8, Q6_K_X8, IQ4_XS_X8 -> Act.Q8_K;
            default -> Act.VANE;
        };
    }

    /** How far a value may be from its fp16 rounding (half an ulp: 2^-11 relative, 2^-25 below the normal range). */
    static double fp16Err(double v) {
        return Math.max(Math.abs(v) * 0x1p-11, 0x1p-25);
    }

    /** d_x of the block of x at offset: f32 amax / 127, as libvane computes it (q8_K: |1 / (-127 / m)|, the same to 2^-23). */
    static float actScale(float[] x, int offset, int block) {
        float amax = 0;
        for (int e = 0; e < block; e++) amax = Math.max(amax, Math.abs(x[offset + e]));
        return amax / 127f;
    }

    /**
     * Allowed |y - reference| for output row i, column j, the reference being Σ x·ŵ + bias in
     * float64 on the ORIGINAL x (docs/FORMATS.md, "GEMM").
     *
     * <p>Float formats: f32 accumulation of K products errs by at most about K · 2^-24 · Σ|x·w| in
     * any summation order (the gamma_K bound), plus one rounding of the bias add.
     *
     * <p>Integer formats quantize x per block to x̂ = d_x·q, d_x = amax/127, and compute x̂·Ŵᵀ in
     * f32. Activation term: per element |x - x̂| ≤ δ = d_x·(1/2 + 2^-16) (the 2^-16 for the
     * rounding of x/d_x), so at most Σ_blocks δ·Σ|ŵ|. Per activation format:
     * <ul>
     * <li>Vane's blocks of 32 and q8_K's of 256 (the K-quants, iq4_xs) keep d_x in f32: δ as above.
     * <li>q8_0 and q8_1 (q5_0, iq4_nl, mxfp4; q4_1, q5_1) choose q with the exact d_x, then store
     *     it as fp16: x̂ = fp16(d_x)·q, |q| ≤ 127, so δ grows by 127·|d_x - fp16(d_x)|.
     * <li>q8_1 also carries s = fp16(d_x·Σq), which q4_1 and q5_1 multiply by their minimum m in
     *     place of Σx̂ = fp16(d_x)·Σq: add |m|·|s - Σx̂| per block, at most
     *     |m|·(fp16Err(d_x·S) + 2^-24·d_x·S + S·fp16Err(d_x)) for S ≥ |Σq|, S = Σ|x|/d_x + 16 or
     *     32·127.
     * </ul>
     * f32 term: the integer block sums meet their scales in at most a few roundings each, and
     * the 2·K/32 (K-quants: 2·K/16, one scale and one minimum term per 16) terms are summed in
     * any order: at most (2·K/G + 8)·2^-24·Σ(|ŵ| + 2|m|)(|x| + δ), m being the element's block
     * minimum (0 for symmetric formats), plus the bias rounding.
     */
    static double tolerance(QuantFormat f, float[] x, int xOffset, float[] w, int wOffset, float[] mins, int k, double bias) {
        double s = 0, quant = 0;
        int terms;
        Act a = act(f);
        if (a == Act.NONE) {
            for (int c = 0; c < k; c++) s += Math.abs((double) x[xOffset + c] * w[wOffset + c]);
            terms = k + 2;
        } else {
            for (int b = 0; b < k / a.block; b++) {
                int at = a.block * b;
                double dx = actScale(x, xOffset + at, a.block), sw = 0, sx = 0;
                double delta = dx * (0.5 + 0x1p-16) + (a == Act.Q8_0 || a == Act.Q8_1 ? 127 * fp16Err(dx) : 0);
                for (int e = at; e < at + a.block; e++) {
                    sw += Math.abs(w[wOffset + e]);
                    sx += Math.abs(x[xOffset + e]);
                    s += (Math.abs(w[wOffset + e]) + 2 * Math.abs(mins[wOffset + e])) * (Math.abs(x[xOffset + e]) + delta);
                }
                quant += delta * sw;
                if (a == Act.Q8_1 && dx > 0) {
                    double sq = Math.min(32 * 127, sx / dx * (1 + 0x1p-20) + 16);
                    quant += Math.abs(mins[wOffset + at]) * (fp16Err(dx * sq) * (1 + 0x1p-20) + 0x1p-24 * dx * sq + sq * fp16Err(dx));
                }
            }
            terms = 2 * (k / (a == Act.Q8_K ? 16 : 32)) + 8;
        }
        return terms * 0x1p-24 * s + 0x1p-24 * Math.abs(bias) + quant + 1e-30;
    }

    /**
     * Each element's block minimum m (read from the packed bytes, docs/FORMATS.md): int4_asym's
     * and q4_1's / q5_1's fp16 m, q2_k's dmin·mn per 16, q4_k's / q5_k's dmin·mn per 32; else 0.
     */
    static float[] minima(QuantFormat f, byte[] packed, int n, int k) {
        float[] mins = new float[n * k];
        if (f == QuantFormat.Q4_K_X8) {  // vane.h: per 8 rows and 256 columns, dmin[8] at 16, the mins of sub-block s at 32 + 16s + 8
            for (int e = 0; e < n * k; e++) {
                int r = e / k, c = e % k, i = r % 8, base = ((r / 8) * (k / 256) + c / 256) * 1184;
                mins[e] = half(packed, base + 16 + 2 * i) * (packed[base + 32 + 16 * ((c % 256) / 32) + 8 + i] & 0xFF);
            }
            return mins;
        }
        int g = f.blockElements(), bb = f.blockBytes();
        for (int e = 0; e < n * k; e++) {
            int base = (e / g) * bb, j = e % g;
            mins[e] = switch (f) {
                case INT4_ASYM_G32, INT4_ASYM_G64, INT4_ASYM_G128, Q4_1, Q5_1 -> half(packed, base + 2);
                case Q2_K -> half(packed, base + 82) * ((packed[base + j / 16] & 0xFF) >> 4);
                case Q4_K, Q5_K -> {
                    int sb = j / 32, sc = base + 4;
                    int mn = sb < 4 ? packed[sc + sb + 4] & 63 : ((packed[sc + sb + 4] & 0xFF) >> 4) | ((packed[sc + sb] & 0xFF) >> 6) << 4;
                    yield half(packed, base + 2) * mn;
                }
                default -> 0f;
            };
        }
        return mins;
    }

    static float half(byte[] b, int at) {
        return Float.float16ToFloat((short) ((b[at] & 0xFF) | (b[at + 1] << 8)));
    }

    /**
     * x̂ of one row of x as llama.cpp's quantize_row_q8_{0,1,K}_ref make it (docs/FORMATS.md,
     * "GEMM"), as exact values; for q8_1 also each block's s into sOut. q8_0 / q8_1, per 32:
     * d = amax / 127, q = roundf(x · (1/d)) (half away from zero), x̂ = fp16(d) · q,
     * s = fp16(d · Σq). q8_K, per 256: iscale = -127 / m (m the first element of largest |x|),
     * q = min(127, round-half-even(iscale · x)), x̂ = (1 / iscale) · q.
     */
    static double[] llamaActivations(Act a, float[] x, int off, int k, double[] sOut) {
        double[] xq = new double[k];
        for (int b = 0; b < k / a.block; b++) {
            int at = off + a.block * b;
            if (a == Act.Q8_K) {
                float amax = 0, max = 0;
                for (int e = 0; e < 256; e++) {
                    if (Math.abs(x[at + e]) > amax) {
                        amax = Math.abs(x[at + e]);
                        max = x[at + e];
                    }
                }
                if (amax == 0) continue;
                float iscale = -127f / max, d = 1f / iscale;
                for (int e = 0; e < 256; e++) xq[256 * b + e] = (double) d * Math.min(127, (int) Math.rint(iscale * x[at + e]));
            } else {
                float amax = 0;
                for (int e = 0; e < 32; e++) amax = Math.max(amax, Math.abs(x[at + e]));
                float d = amax / 127f, id = d != 0 ? 1f / d : 0f;
                double dd = Float.float16ToFloat(Float.floatToFloat16(d));
                int sum = 0;
                for (int e = 0; e < 32; e++) {
                    float v = x[at + e] * id;
                    int q = (int) (Math.signum(v) * Math.floor(Math.abs((double) v) + 0.5));
                    sum += q;
                    xq[32 * b + e] = dd * q;
                }
                if (sOut != null) sOut[b] = Float.float16ToFloat(Float.floatToFloat16(sum * d));
            }
        }
        return xq;
    }

    /**
     * The formats whose x is quantized as llama.cpp does (Act.Q8_*): y against the exact
     * Σ x̂·ŵ + bias on llama.cpp's x̂ (q4_1 / q5_1: the minimum meets s, so
     * + Σ_blocks m·(s - Σx̂)), within the f32 term alone: (2·K/G + 8)·2^-24·S + 2^-24·|bias|,
     * S = Σ(|ŵ| + 2|m|)|x̂| + Σ_blocks |m·s|. An activation quantized otherwise (another block,
     * another rounding, d not rounded to fp16) is off by about d_x/2 per element, thousands of
     * times more.
     */
    static void checkAgainstLlamaActivations(QuantFormat f, byte[] packed, float[] x, float[] bias, Tensor y, int m, int n, int k) {
        Act a = act(f);
        if (a != Act.Q8_0 && a != Act.Q8_1 && a != Act.Q8_K) return;
        float[] w = Quantizer.dequantize(f, packed, n, k);
        float[] mins = minima(f, packed, n, k);
        int terms = 2 * (k / (a == Act.Q8_K ? 16 : 32)) + 8;
        for (int i = 0; i < m; i++) {
            double[] s = new double[k / 32];
            double[] xq = llamaActivations(a, x, i * k, k, s);
            for (int j = 0; j < n; j++) {
                double bj = bias == null ? 0 : bias[j], ref = bj, mag = 0;
                for (int c = 0; c < k; c++) {
                    ref += xq[c] * w[j * k + c];
                    mag += (Math.abs(w[j * k + c]) + 2 * Math.abs(mins[j * k + c])) * Math.abs(xq[c]);
                }
                if (a == Act.Q8_1) {
                    for (int b = 0; b < k / 32; b++) {
                        double mb = mins[j * k + 32 * b], sumx = 0;
                        for (int e = 32 * b; e < 32 * b + 32; e++) sumx += xq[e];
                        ref += mb * (s[b] - sumx);
                        mag += Math.abs(mb * s[b]);
                    }
                }
                double tol = terms * 0x1p-24 * mag + 0x1p-24 * Math.abs(bj) + 1e-30;
                float got = y.rank() == 1 ? y.get(j) : y.get(i, j);
                if (!(Math.abs(got - ref) <= tol)) {
                    fail(f + " m=" + m + " n=" + n + " k=" + k + ": y[" + i + ", " + j + "] = " + got + ", on llama.cpp's x̂ "
                            + ref + ", allowed " + tol + " (the f32 term)");
                }
            }
        }
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
                        byte[] packed = q.segment().toArray(ValueLayout.JAVA_BYTE);
                        checkAgainstReference(f, packed, x, bias, y, m, n, k);
                        checkAgainstLlamaActivations(f, packed, x, bias, y, m, n, k);
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
            assertMessage(assertThrows(IllegalArgumentException.class, () -> x8.repack(arena)), "matrices can be repacked");
        }
        try (Tensor w = Tensor.allocate(12, 64)) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> QuantizedMatrix.quantize(QuantFormat.Q4_0_X8, w)),
                    "rows = 12 is not a multiple of 8");
        }
    }

    /**
     * q4_kx8 (Q4_K repacked) gives Q4_K's products: both see the same q8_K activations x̂ and the
     * same integer sums, so they differ only in the order of the f32 operations, each within
     * (2·K/16 + 8)·2^-24·Σ(|ŵ| + 2|m|)|x̂| of the exact x̂·Ŵᵀ (checkAgainstLlamaActivations):
     * twice that apart. m = 9 and 40 run past the GEMV's 8 rows of x.
     */
    @Test
    void repackedQ4_KGivesTheSameProducts() {
        Random r = new Random(4);
        int n = 40, k = 512;
        try (Arena arena = Arena.ofConfined(); Tensor w = Tensor.of(normal(r, n * k), n, k);
             QuantizedMatrix q = QuantizedMatrix.quantize(QuantFormat.Q4_K, w)) {
            QuantizedMatrix x8 = q.repack(arena);
            assertEquals(QuantFormat.Q4_K_X8, x8.format());
            byte[] packed = q.segment().toArray(ValueLayout.JAVA_BYTE);
            float[] wd = Quantizer.dequantize(QuantFormat.Q4_K, packed, n, k), mins = minima(QuantFormat.Q4_K, packed, n, k);
            assertArrayEquals(mins, minima(QuantFormat.Q4_K_X8, x8.segment().toArray(ValueLayout.JAVA_BYTE), n, k));
            for (int m : new int[] {1, 3, 5, 8, 9, 40}) {
                try (Tensor x = Tensor.of(normal(r, m * k), m, k); Tensor a = q.multiply(x); Tensor b = x8.multiply(x)) {
                    float[] ya = a.toFloatArray(), yb = b.toFloatArray(), xs = x.toFloatArray();
                    for (int i = 0; i < m; i++) {
                        double[] xq = llamaActivations(Act.Q8_K, xs, i * k, k, null);
                        for (int j = 0; j < n; j++) {
                            double mag = 0;
                            for (int c = 0; c < k; c++) mag += (Math.abs(wd[j * k + c]) + 2 * Math.abs(mins[j * k + c])) * Math.abs(xq[c]);
                            double tol = 2 * (2 * (k / 16) + 8) * 0x1p-24 * mag + 1e-30;
                            assertEquals(ya[i * n + j], yb[i * n + j], tol, "m=" + m + " y[" + i + ", " + j + "]");
                        }
                    }
                }
            }
            assertMessage(assertThrows(IllegalArgumentException.class, () -> x8.repack(arena)), "matrices can be repacked");
        }
        try (Tensor w = Tensor.allocate(12, 256)) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> QuantizedMatrix.quantize(QuantFormat.Q4_K_X8, w)),
                    "rows = 12 is not a multiple of 8");
        }
    }

    /**
     * q6_kx8 (Q6_K repacked) gives Q6_K's products: the same q8_K activations x̂ and integer sums,
     * another order of the f32 operations, each within (2·K/16 + 8)·2^-24·Σ|ŵ||x̂| of the exact
     * x̂·Ŵᵀ: twice that apart. m = 9 and 40 run past the GEMV's 4 rows of x per pass.
     */
    @Test
    void repackedQ6_KGivesTheSameProducts() {
        Random r = new Random(6);
        int n = 40, k = 768;
        try (Arena arena = Arena.ofConfined(); Tensor w = Tensor.of(normal(r, n * k), n, k);
             QuantizedMatrix q = QuantizedMatrix.quantize(QuantFormat.Q6_K, w)) {
            QuantizedMatrix x8 = q.repack(arena);
            assertEquals(QuantFormat.Q6_K_X8, x8.format());
            float[] wd = Quantizer.dequantize(QuantFormat.Q6_K, q.segment().toArray(ValueLayout.JAVA_BYTE), n, k);
            assertArrayEquals(wd, Quantizer.dequantize(QuantFormat.Q6_K_X8, x8.segment().toArray(ValueLayout.JAVA_BYTE), n, k));
            for (int m : new int[] {1, 3, 5, 8, 9, 40}) {
                try (Tensor x = Tensor.of(normal(r, m * k), m, k); Tensor a = q.multiply(x); Tensor b = x8.multiply(x)) {
                    float[] ya = a.toFloatArray(), yb = b.toFloatArray(), xs = x.toFloatArray();
                    for (int i = 0; i < m; i++) {
                        double[] xq = llamaActivations(Act.Q8_K, xs, i * k, k, null);
                        for (int j = 0; j < n; j++) {
                            double mag = 0;
                            for (int c = 0; c < k; c++) mag += Math.abs(wd[j * k + c]) * Math.abs(xq[c]);
                            double tol = 2 * (2 * (k / 16) + 8) * 0x1p-24 * mag + 1e-30;
                            assertEquals(ya[i * n + j], yb[i * n + j], tol, "m=" + m + " y[" + i + ", " + j + "]");
                        }
                    }
                }
            }
            assertMessage(assertThrows(IllegalArgumentException.class, () -> x8.repack(arena)), "matrices can be repacked");
        }
        try (Tensor w = Tensor.allocate(12, 256)) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> QuantizedMatrix.quantize(QuantFormat.Q6_K_X8, w)),
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

    /**
     * iq4_xsx8 (IQ4_XS repacked) gives IQ4_XS's products: both see the same q8_K activations x̂ and
     * the same integer sums, so they differ only in the order of the f32 operations, each within
     * (2·K/16 + 8)·2^-24·Σ|ŵ||x̂| of the exact x̂·Ŵᵀ (checkAgainstLlamaActivations): twice that
     * apart. m = 9 and 40 run past the GEMV's 4 rows of x per pass.
     */
    @Test
    void repackedIQ4_XSGivesTheSameProducts() {
        Random r = new Random(6);
        int n = 40, k = 512;
        try (Arena arena = Arena.ofConfined(); Tensor w = Tensor.of(normal(r, n * k), n, k);
             QuantizedMatrix q = QuantizedMatrix.quantize(QuantFormat.IQ4_XS, w)) {
            QuantizedMatrix x8 = q.repack(arena);
            assertEquals(QuantFormat.IQ4_XS_X8, x8.format());
            assertEquals(n * 2 * 138L, x8.segment().byteSize());
            float[] wd = Quantizer.dequantize(QuantFormat.IQ4_XS, q.segment().toArray(ValueLayout.JAVA_BYTE), n, k);
            assertArrayEquals(wd, Quantizer.dequantize(QuantFormat.IQ4_XS_X8, x8.segment().toArray(ValueLayout.JAVA_BYTE), n, k));
            for (int m : new int[] {1, 3, 5, 8, 9, 40}) {
                try (Tensor x = Tensor.of(normal(r, m * k), m, k); Tensor a = q.multiply(x); Tensor b = x8.multiply(x)) {
                    float[] ya = a.toFloatArray(), yb = b.toFloatArray(), xs = x.toFloatArray();
                    for (int i = 0; i < m; i++) {
                        double[] xq = llamaActivations(Act.Q8_K, xs, i * k, k, null);
                        for (int j = 0; j < n; j++) {
                            double mag = 0;
                            for (int c = 0; c < k; c++) mag += Math.abs(wd[j * k + c]) * Math.abs(xq[c]);
                            double tol = 2 * (2 * (k / 16) + 8) * 0x1p-24 * mag + 1e-30;
                            assertEquals(ya[i * n + j], yb[i * n + j], tol, "m=" + m + " y[" + i + ", " + j + "]");
                        }
                    }
                }
            }
            assertMessage(assertThrows(IllegalArgumentException.class, () -> x8.repack(arena)), "matrices can be repacked");
        }
        try (Tensor w = Tensor.allocate(12, 256)) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> QuantizedMatrix.quantize(QuantFormat.IQ4_XS_X8, w)),
                    "rows = 12 is not a multiple of 8");
        }
    }

    /**
     * iq4_nlx8 (IQ4_NL repacked) gives IQ4_NL's products: both see the same q8_0 activations x̂
     * and the same integer sums, so they differ only in the order of the f32 operations, each
     * within (K/32 + 4)·2^-24·Σ|ŵ||x̂| of the exact x̂·Ŵᵀ: twice that apart. m = 5 and 40 run past
     * the GEMV's passes of 4 rows of x.
     */
    @Test
    void repackedIq4_NLGivesTheSameProducts() {
        Random r = new Random(6);
        int n = 40, k = 544;
        try (Arena arena = Arena.ofConfined(); Tensor w = Tensor.of(normal(r, n * k), n, k);
             QuantizedMatrix q = QuantizedMatrix.quantize(QuantFormat.IQ4_NL, w)) {
            QuantizedMatrix x8 = q.repack(arena);
            assertEquals(QuantFormat.IQ4_NL_X8, x8.format());
            float[] wd = Quantizer.dequantize(QuantFormat.IQ4_NL, q.segment().toArray(ValueLayout.JAVA_BYTE), n, k);
            assertArrayEquals(wd, Quantizer.dequantize(QuantFormat.IQ4_NL_X8, x8.segment().toArray(ValueLayout.JAVA_BYTE), n, k));
            for (int m : new int[] {1, 3, 4, 5, 9, 40}) {
                try (Tensor x = Tensor.of(normal(r, m * k), m, k); Tensor a = q.multiply(x); Tensor b = x8.multiply(x)) {
                    float[] ya = a.toFloatArray(), yb = b.toFloatArray(), xs = x.toFloatArray();
                    for (int i = 0; i < m; i++) {
                        double[] xq = llamaActivations(Act.Q8_0, xs, i * k, k, null);
                        for (int j = 0; j < n; j++) {
                            double mag = 0;
                            for (int c = 0; c < k; c++) mag += Math.abs(wd[j * k + c]) * Math.abs(xq[c]);
                            double tol = 2 * (k / 32 + 4) * 0x1p-24 * mag * 1.001 + 1e-30;
                            assertEquals(ya[i * n + j], yb[i * n + j], tol, "m=" + m + " y[" + i + ", " + j + "]");
                        }
                    }
                }
            }
            assertMessage(assertThrows(IllegalArgumentException.class, () -> x8.repack(arena)), "matrices can be repacked");
        }
        try (Tensor w = Tensor.allocate(12, 32)) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> QuantizedMatrix.quantize(QuantFormat.IQ4_NL_X8, w)),
                    "rows = 12 is not a multiple of 8");
        }
    }
}
