package dev.vane.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.Tensor;
import dev.vane.bindings.NativeLayouts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Rope against a float64 rotation. The reference forms each angle twice: exactly in double, and
 * in float32 in the order vane.h defines (llama.cpp's: the power by repeated multiplication,
 * freq factors, freqScale, YaRN's mix); the two must agree within the f32 formation's error,
 * (2i + 8) float ulps of the angle for pair i, and the native result must match the rotation by
 * the f32 angle, its cosine, sine and mscale in double, within 2e-6 of mscale (|a| + |b|) (the
 * f32 rotation with f32 cos/sin). (The native tests check the same against ggml's own op bit for
 * bit.)
 */
class RopeTest {
    private static final long[] POSITIONS = {0, 1, 3, 100, 4095, 4096, 70000, 131071, 131072};

    @Test
    void rotatesPairsToTheirPositions() {
        for (Rope.Layout layout : Rope.Layout.values()) {
            check(new Rope(16, 12, 500000f, 2f, layout), 16, 12, 500000f, layout, Rope.Scaling.linear(2f), 4);
            check(new Rope(64, 10000f, layout), 64, 64, 10000f, layout, Rope.Scaling.NONE, 5);
        }
    }

    @Test
    void llama3FreqFactorsRotate() {
        float[] f = Rope.llama3FreqFactors(128, 500000f, 8f, 1f, 4f, 8192);
        Rope.Scaling s = Rope.Scaling.NONE.withFreqFactors(f);
        check(new Rope(128, 128, 500000f, Rope.Layout.NORMAL, s), 128, 128, 500000f, Rope.Layout.NORMAL, s, 6);
    }

    @Test
    void phi3LongRopeFactorsAndAttnFactor() {
        SplittableRandom r = new SplittableRandom(7);
        float[] f = new float[48];
        for (int i = 0; i < f.length; i++) f[i] = (float) (1 + 59 * Math.pow(i / 47.0, 2) + 0.3 * r.nextDouble());
        float attn = (float) Math.sqrt(1 + Math.log(32) / Math.log(4096));
        Rope.Scaling s = new Rope.Scaling(1f, f, 0f, attn, 0f, 0f, 0);
        check(new Rope(96, 96, 10000f, Rope.Layout.NEOX, s), 96, 96, 10000f, Rope.Layout.NEOX, s, 8);
    }

    @Test
    void yarnAsGptOssAndQwen() {
        // gpt-oss: factor 32 over 4096 trained positions, betas 32 / 1, base 150000, head 64.
        Rope.Scaling oss = Rope.Scaling.yarn(32f, 4096, 32f, 1f, Rope.yarnAttnFactor(32f, 1f, 0f));
        check(new Rope(64, 64, 150000f, Rope.Layout.NEOX, oss), 64, 64, 150000f, Rope.Layout.NEOX, oss, 9);
        // Qwen with rope_scaling yarn factor 4 over 32768, base 1e6, and a partial rotation with factors.
        Rope.Scaling qwen = Rope.Scaling.yarn(4f, 32768, 32f, 1f, 1f);
        check(new Rope(128, 128, 1000000f, Rope.Layout.NEOX, qwen), 128, 128, 1000000f, Rope.Layout.NEOX, qwen, 10);
        float[] f = Rope.llama3FreqFactors(64, 1000000f, 8f, 1f, 4f, 8192);
        Rope.Scaling mixed = new Rope.Scaling(0.25f, f, 0.5f, 1.1f, 16f, 2f, 8192);
        check(new Rope(96, 64, 1000000f, Rope.Layout.NORMAL, mixed), 96, 64, 1000000f, Rope.Layout.NORMAL, mixed, 11);
    }

    /** Keys rotated at attention time from the scaled table against keys rotated before they are cached. */
    @Test
    void keyRopeCarriesTheScaling() {
        int heads = 4, kvHeads = 2, d = 64, n = 90;
        SplittableRandom r = new SplittableRandom(12);
        Rope rope = new Rope(d, d, 150000f, Rope.Layout.NEOX, Rope.Scaling.yarn(32f, 4096, 32f, 1f, Rope.yarnAttnFactor(32f, 1f, 0f)));
        Attention att = new Attention(heads, kvHeads, d);
        try (Arena arena = Arena.ofConfined(); KvCache cache = new KvCache(kvHeads, d, 16, 16, KvCache.Storage.F32);
             KvCache.Sequence plain = cache.newSequence(); KvCache.Sequence rotated = cache.newSequence()) {
            Tensor k = AttentionTest.random(arena, r, n, kvHeads, d), v = AttentionTest.random(arena, r, n, kvHeads, d);
            plain.append(k, v);
            Tensor kr = Tensor.allocate(arena, n, kvHeads, d);
            kr.segment().copyFrom(k.segment());
            rope.apply(kr, 0);
            rotated.append(kr, v);
            Tensor q = AttentionTest.random(arena, r, 1, heads, d);
            rope.apply(q, n - 1);
            try (Tensor got = att.decode(q, plain, rope); Tensor want = att.decode(q, rotated)) {
                float[] g = got.toFloatArray(), w = want.toFloatArray();
                for (int e = 0; e < g.length; e++) assertEquals(w[e], g[e], 2e-5 * (1 + Math.abs(w[e])), "output " + e);
            }
        }
    }

    /**
     * llama3FreqFactors against the formula in double, in Hugging Face's form (the scaled inverse
     * frequency, factor = inv_freq / inv_freq_llama), for Llama 3.1 8B's and 3.2's settings: 1 for
     * pairs 0..28, 8 (32) for 35..63, the smooth band between.
     */
    @Test
    void llama3FreqFactorsFollowTheFormula() {
        for (float factor : new float[] {8f, 32f}) {
            float[] f = Rope.llama3FreqFactors(128, 500000f, factor, 1f, 4f, 8192);
            assertEquals(64, f.length);
            for (int i = 0; i < 64; i++) {
                double inv = Math.pow(500000.0, -2.0 * i / 128), wavelen = 2 * Math.PI / inv;
                double scaled;
                if (wavelen < 8192 / 4.0) scaled = inv;
                else if (wavelen > 8192 / 1.0) scaled = inv / factor;
                else {
                    double smooth = (8192 / wavelen - 1) / (4 - 1);
                    scaled = (1 - smooth) * inv / factor + smooth * inv;
                }
                double want = inv / scaled;
                if (i <= 28) assertEquals(1f, f[i], 0f, "pair " + i);
                else if (i >= 35) assertEquals(factor, f[i], 0f, "pair " + i);
                else assertTrue(f[i] > 1f && f[i] < factor, "pair " + i + " in the smooth band: " + f[i]);
                assertEquals(want, f[i], 4e-7 * want, "factor " + factor + " pair " + i);
            }
        }
        // The smooth band bit for bit as the converter's expression computes it with torch's float32
        // tensors (run once with torch 1.13; pairs 29..34, the rest exactly 1 and the factor).
        int[][] torchBits = {
            {1067093717, 1069995594, 1073852189, 1076654894, 1080806094, 1084767238},   // factor 8 (Llama 3.1)
            {1067324011, 1070816962, 1074902218, 1079161967, 1084587449, 1092266734}};  // factor 32 (Llama 3.2)
        for (int k = 0; k < 2; k++) {
            float[] f = Rope.llama3FreqFactors(128, 500000f, k == 0 ? 8f : 32f, 1f, 4f, 8192);
            for (int i = 29; i <= 34; i++) {
                assertEquals(torchBits[k][i - 29], Float.floatToIntBits(f[i]), "converter's bits, factor " + (k == 0 ? 8 : 32) + " pair " + i
                        + ": " + f[i] + " vs " + Float.intBitsToFloat(torchBits[k][i - 29]));
            }
        }
        // Increasing across the band, and a different trained context moves it.
        float[] f = Rope.llama3FreqFactors(64, 10000f, 4f, 1f, 4f, 2048);
        for (int i = 1; i < f.length; i++) assertTrue(f[i] >= f[i - 1], "monotone at " + i);
        assertEquals(1f, f[0], 0f);
        assertEquals(4f, f[31], 0f);
    }

    /** llama.cpp's derivation: get_mscale(factor) over its own 1 + 0.1 ln factor, times the file's attn factor. */
    @Test
    void yarnAttnFactorCancelsGgmlsCorrection() {
        float l32 = (float) Math.log(32);
        assertEquals((0.1f * l32 + 1f) * (1f / (1f + 0.1f * l32)), Rope.yarnAttnFactor(32f, 1f, 0f), 0f);
        assertEquals(1f, Rope.yarnAttnFactor(32f, 1f, 0f), 1e-7f, "the correction cancels");
        assertEquals(1.25f * Rope.yarnAttnFactor(4f, 1f, 0f), Rope.yarnAttnFactor(4f, 1.25f, 0f), 1e-7f);
        // With rope.scaling.yarn_log_multiplier k: get_mscale(f, 1) / get_mscale(f, k), then the cancellation.
        double m1 = 1 + 0.1 * Math.log(40), mk = 1 + 0.1 * 0.707 * Math.log(40);
        assertEquals(m1 / mk / m1, Rope.yarnAttnFactor(40f, 1f, 0.707f), 1e-6);
        // factor <= 1: no magnitude correction, the cancellation as llama.cpp computes it
        assertEquals(1.0 / (1 + 0.1 * Math.log(0.5)), Rope.yarnAttnFactor(0.5f, 1f, 0f), 1e-6);
        // ggml multiplies by 1 + 0.1 ln(1 / freqScale): the mscale it ends up with is get_mscale(factor)
        float fs = 1f / 32f;
        assertEquals(1 + 0.1 * Math.log(32), Rope.yarnAttnFactor(32f, 1f, 0f) * (1f + 0.1f * (float) Math.log(1f / fs)), 1e-6);
    }

    @Test
    void scalingValuesAndCopies() {
        Rope.Scaling lin = Rope.Scaling.linear(4f);
        assertEquals(0.25f, lin.freqScale());
        assertEquals(0f, lin.extFactor());
        assertEquals(1f, lin.attnFactor());
        assertNull(lin.freqFactors());
        Rope.Scaling y = Rope.Scaling.yarn(32f, 4096, 32f, 1f, 0.9f);
        assertEquals(1f / 32f, y.freqScale());
        assertEquals(1f, y.extFactor());
        assertEquals(0.9f, y.attnFactor());
        assertEquals(32f, y.betaFast());
        assertEquals(1f, y.betaSlow());
        assertEquals(4096, y.origContext());
        float[] f = {1f, 2f, 3f};
        Rope.Scaling withF = y.withFreqFactors(f);
        f[0] = 99f;
        assertArrayEquals(new float[] {1f, 2f, 3f}, withF.freqFactors(), "the factors were copied in");
        float[] out = withF.freqFactors();
        out[1] = 99f;
        assertArrayEquals(new float[] {1f, 2f, 3f}, withF.freqFactors(), "and are copied out");
        assertNotSame(withF.freqFactors(), withF.freqFactors());
        assertEquals(withF, y.withFreqFactors(new float[] {1f, 2f, 3f}), "equal by the factors' values");
        assertEquals(withF.hashCode(), y.withFreqFactors(new float[] {1f, 2f, 3f}).hashCode());
        assertEquals(y, withF.withFreqFactors(null));
        assertEquals(Rope.Scaling.NONE, new Rope.Scaling(1f, null, 0f, 1f, 0f, 0f, 0));
        // The struct vane.h declares (rope_api.cpp static_asserts the same offsets).
        assertEquals(72, NativeLayouts.ROPE_PARAMS.byteSize());
        assertEquals(40, NativeLayouts.ROPE_PARAMS.byteOffset(MemoryLayout.PathElement.groupElement("freq_factors")));
        assertEquals(64, NativeLayouts.ROPE_PARAMS.byteOffset(MemoryLayout.PathElement.groupElement("n_ctx_orig")));
    }

    @Test
    void badInput() {
        try (Arena arena = Arena.ofConfined()) {
            AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> new Rope(64, 63, 10000f, 1f, Rope.Layout.NORMAL)),
                    "rotDim must be even");
            Rope rope = new Rope(64, 10000f, Rope.Layout.NORMAL);
            Tensor x = Tensor.allocate(arena, 3, 2, 64);
            AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> rope.apply(x, new long[] {0, 1})), "one position per token");
            AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> rope.apply(x, new long[] {0, -1, 2})), "positions must be >= 0");
            AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> rope.apply(Tensor.allocate(arena, 3, 2, 32), 0)),
                    "x must be [tokens, heads, 64]");
        }
        AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> new Rope(64, 64, 10000f, 0f, Rope.Layout.NORMAL)),
                "linearScale must be finite and > 0");
        AttentionTest.assertMessage(assertThrows(NullPointerException.class, () -> new Rope(64, 64, 10000f, Rope.Layout.NORMAL, null)),
                "scaling must not be null");
        AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class,
                () -> new Rope(64, 32, 10000f, Rope.Layout.NORMAL, Rope.Scaling.NONE.withFreqFactors(new float[32]))), "freqFactors[0] must be finite and > 0");
        float[] ones = new float[32];
        java.util.Arrays.fill(ones, 1f);
        AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class,
                () -> new Rope(64, 32, 10000f, Rope.Layout.NORMAL, Rope.Scaling.NONE.withFreqFactors(ones))), "freqFactors must hold rotDim / 2 = 16");
        ones[5] = Float.NaN;
        AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> Rope.Scaling.NONE.withFreqFactors(ones)), "freqFactors[5]");
        AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> Rope.Scaling.linear(0f)), "factor must be finite and > 0");
        AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> Rope.Scaling.linear(Float.NaN)), "factor must be finite");
        AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> new Rope.Scaling(Float.MIN_VALUE, null, 0f, 1f, 0f, 0f, 0)),
                "1 / freqScale");
        AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> new Rope.Scaling(1f, null, 1.5f, 1f, 32f, 1f, 4096)),
                "extFactor must be in 0..1");
        AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> new Rope.Scaling(1f, null, 0f, 0f, 0f, 0f, 0)),
                "attnFactor must be finite and > 0");
        AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> Rope.Scaling.yarn(32f, 4096, 0f, 1f, 1f)),
                "YaRN (extFactor != 0) needs betaFast and betaSlow > 0");
        AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> Rope.Scaling.yarn(32f, 0, 32f, 1f, 1f)),
                "needs origContext >= 1");
        AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> new Rope.Scaling(1f, null, 0f, 1f, Float.NaN, 0f, 0)),
                "betaFast and betaSlow must be finite");
        AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> new Rope.Scaling(1f, null, 0f, 1f, 0f, 0f, -1)),
                "origContext must be >= 0");
        AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> Rope.llama3FreqFactors(128, 500000f, 8f, 4f, 1f, 8192)),
                "lowFreqFactor <= highFreqFactor");
        AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> Rope.llama3FreqFactors(127, 500000f, 8f, 1f, 4f, 8192)),
                "rotDim must be even");
        AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> Rope.llama3FreqFactors(128, 500000f, 8f, 1f, 4f, 0)),
                "origContext must be >= 1");
        AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> Rope.yarnAttnFactor(-2f, 1f, 0f)), "factor must be finite");
        AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> Rope.yarnAttnFactor(32f, 0f, 0f)), "fileAttnFactor");
        AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> Rope.yarnAttnFactor(32f, 1f, Float.NaN)), "logMul");
    }

    /** rope.apply on random [positions, heads, d] input against the reference rotation (see the class comment). */
    private static void check(Rope rope, int d, int rot, float base, Rope.Layout layout, Rope.Scaling s, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int heads = 2;
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = AttentionTest.random(arena, r, POSITIONS.length, heads, d);
            float[] before = x.toFloatArray();
            rope.apply(x, POSITIONS);
            float[] after = x.toFloatArray();
            Reference ref = new Reference(rot, base, s);
            for (int t = 0; t < POSITIONS.length; t++) {
                float[] angles = ref.f32Angles(POSITIONS[t]);
                for (int i = 0; i < rot / 2; i++) {
                    double exact = ref.exactAngle(POSITIONS[t], i);
                    assertEquals(exact, angles[i], (2 * i + 8) * Math.ulp((float) Math.max(Math.abs(exact), 1e-30)) + 1e-12,
                            "f32 angle, position " + POSITIONS[t] + " pair " + i);
                }
                for (int h = 0; h < heads; h++) {
                    int at = (t * heads + h) * d;
                    for (int i = 0; i < rot / 2; i++) {
                        int ia = layout == Rope.Layout.NEOX ? i : 2 * i, ib = layout == Rope.Layout.NEOX ? i + rot / 2 : 2 * i + 1;
                        double a = before[at + ia], b = before[at + ib], c = Math.cos(angles[i]) * ref.mscale, sn = Math.sin(angles[i]) * ref.mscale;
                        double tol = 2e-6 * ref.mscale * (Math.abs(a) + Math.abs(b));
                        String what = rope + " position " + POSITIONS[t] + " head " + h + " pair " + i;
                        assertEquals(a * c - b * sn, after[at + ia], tol, what);
                        assertEquals(a * sn + b * c, after[at + ib], tol, what);
                    }
                    for (int e = rot; e < d; e++) assertEquals(before[at + e], after[at + e], 0f, "dimension past rotDim");
                }
            }
        }
    }

    /** The angles of vane.h's definition, in float32 in its order and exactly in double; mscale in double. */
    private static final class Reference {
        final int half;
        final float base, thetaScale, freqScale, ext, low, high;
        final float[] ff;
        final double mscale;

        Reference(int rot, float base, Rope.Scaling s) {
            this.half = rot / 2;
            this.base = base;
            this.thetaScale = (float) Math.pow(base, -2f / rot);
            this.freqScale = 1f / (1f / s.freqScale());  // as it reaches the native side (linear_scale = 1 / freqScale)
            this.ext = s.extFactor();
            this.ff = s.freqFactors();
            float lo = 0, hi = 0;
            if (ext != 0) {
                lo = Math.max(0f, (float) Math.floor(corrDim(rot, s.origContext(), s.betaFast(), base)));
                hi = Math.min(rot - 1, (float) Math.ceil(corrDim(rot, s.origContext(), s.betaSlow(), base)));
            }
            this.low = lo;
            this.high = hi;
            this.mscale = s.attnFactor() * (ext != 0 ? 1 + 0.1 * Math.log(1.0 / freqScale) : 1.0);
        }

        static float corrDim(int rot, int orig, float beta, float base) {
            return (float) rot * (float) Math.log((float) orig / (beta * 2f * (float) Math.PI)) / (2f * (float) Math.log(base));
        }

        float ramp(int i) {
            float y = (i - low) / Math.max(0.001f, high - low);
            return 1f - Math.min(1f, Math.max(0f, y));
        }

        float[] f32Angles(long pos) {
            float[] out = new float[half];
            float theta = (float) pos;
            for (int i = 0; i < half; i++, theta *= thetaScale) {
                float extrap = theta / (ff == null ? 1f : ff[i]), interp = freqScale * extrap;
                float mix = ext != 0 ? ramp(i) * ext : 0f;
                out[i] = ext != 0 ? interp * (1f - mix) + extrap * mix : interp;
            }
            return out;
        }

        double exactAngle(long pos, int i) {
            double extrap = pos * Math.pow(base, -2.0 * i / (2 * half)) / (ff == null ? 1.0 : ff[i]), interp = (double) freqScale * extrap;
            double mix = ext != 0 ? (double) ramp(i) * ext : 0;
            return interp * (1 - mix) + extrap * mix;
        }
    }
}
