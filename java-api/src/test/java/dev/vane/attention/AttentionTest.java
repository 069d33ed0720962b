package dev.vane.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.DType;
import dev.vane.Tensor;
import dev.vane.bindings.NativeLayouts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Attention against a float64 naive softmax(q·kᵀ·scale + mask)·v. Tolerance per output:
 * 1e-4 · (1 + Σ p·|v|): f32 scores err by about headDim · 2^-24 · Σ|q·k| · scale (~5e-5 here),
 * which the softmax turns into that relative error of each weight p (native/tests/test_attention.cpp
 * covers longer sequences and both CPU variants).
 */
class AttentionTest {
    static Tensor random(Arena arena, SplittableRandom r, long... shape) {
        Tensor t = Tensor.allocate(arena, shape);
        for (long i = 0; i < t.elementCount(); i++) t.segment().setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) gauss(r));
        return t;
    }

    static double gauss(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** The reference output of query token i, head h; sum p|v| per component into mag. */
    static double[] reference(Tensor q, Tensor k, Tensor v, int i, int h, int heads, int kvHeads, double scale, boolean causal, long window,
                              double[] mag) {
        return reference(q, k, v, i, h, heads, kvHeads, scale, causal, window, 0, null, mag);
    }

    /**
     * As above, each score s = scale·q·k capped to softcap·tanh(s / softcap) when softcap > 0, and
     * sinks[h] (if sinks is not null) in the softmax's denominator.
     */
    static double[] reference(Tensor q, Tensor k, Tensor v, int i, int h, int heads, int kvHeads, double scale, boolean causal, long window,
                              double softcap, float[] sinks, double[] mag) {
        int d = (int) q.dim(2), nq = (int) q.dim(0), nkv = (int) k.dim(0), g = h / (heads / kvHeads);
        long pos = causal ? nkv - nq + i : 0;
        long lo = 0, hi = nkv;
        if (causal) {
            hi = pos + 1;
            if (window > 0) lo = Math.max(0, pos - window + 1);
        }
        double[] s = new double[nkv];
        double max = sinks == null ? Double.NEGATIVE_INFINITY : sinks[h];
        for (long j = lo; j < hi; j++) {
            double dot = 0;
            for (int c = 0; c < d; c++) dot += (double) q.get(i, h, c) * k.get(j, g, c);
            s[(int) j] = softcap > 0 ? softcap * Math.tanh(dot * scale / softcap) : dot * scale;
            max = Math.max(max, s[(int) j]);
        }
        double l = sinks == null ? 0 : Math.exp(sinks[h] - max);
        for (long j = lo; j < hi; j++) l += Math.exp(s[(int) j] - max);
        double[] out = new double[d];
        java.util.Arrays.fill(mag, 0);
        for (long j = lo; j < hi; j++) {
            double p = Math.exp(s[(int) j] - max) / l;
            for (int c = 0; c < d; c++) {
                out[c] += p * v.get(j, g, c);
                mag[c] += p * Math.abs(v.get(j, g, c));
            }
        }
        return out;
    }

    static void check(int heads, int kvHeads, int d, int nq, int nkv, boolean causal, long window, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            Tensor q = random(arena, r, nq, heads, d), k = random(arena, r, nkv, kvHeads, d), v = random(arena, r, nkv, kvHeads, d);
            Tensor out = Tensor.allocate(arena, nq, heads, d);
            out.segment().fill((byte) 0xFF);  // NaN poison
            double scale = 1 / Math.sqrt(d);
            Attention a = new Attention(heads, kvHeads, d, (float) scale, window);
            if (causal) a.prefill(q, k, v, out);
            else a.cross(q, k, v, out);
            double[] mag = new double[d];
            int step = Math.max(1, nq / 24);
            for (int i = 0; i < nq; i = (i + step < nq || i == nq - 1) ? i + step : nq - 1) {
                for (int h = 0; h < heads; h++) {
                    double[] want = reference(q, k, v, i, h, heads, kvHeads, scale, causal, window, mag);
                    for (int c = 0; c < d; c++) {
                        float got = out.get(i, h, c);
                        assertTrue(Math.abs(got - want[c]) <= 1e-4 * (1 + mag[c]), a + " causal=" + causal + " nq=" + nq + " nkv=" + nkv
                                + ": out[" + i + ", " + h + ", " + c + "] = " + got + ", reference " + want[c]);
                    }
                }
                if (i == nq - 1) break;
            }
        }
    }

    @Test
    void prefillCrossAndWindowAgainstTheReference() {
        long seed = 1;
        for (int ratio : new int[] {1, 4, 8}) {
            for (int d : new int[] {64, 128}) {
                for (int n : new int[] {1, 17, 512}) {
                    check(8, 8 / ratio, d, n, n, true, 0, seed++);
                    check(8, 8 / ratio, d, n, n, true, 64, seed++);
                    check(8, 8 / ratio, d, n, n + 29, false, 0, seed++);
                }
            }
        }
    }

    /** Soft-capping and sinks, each and together, with windows, odd head dims and GQA. */
    @Test
    void softcapAndSinksAgainstTheReference() {
        long seed = 100;
        for (float softcap : new float[] {0, 5, 50}) {
            for (boolean withSinks : new boolean[] {false, true}) {
                if (softcap == 0 && !withSinks) continue;
                float mul = softcap == 5 ? 4 : 1;  // scores of sd ~4 saturate a cap of 5
                checkFeatures(8, 2, 64, 33, 33, true, 0, mul, softcap, withSinks, seed++);
                checkFeatures(8, 2, 64, 29, 61, true, 9, mul, softcap, withSinks, seed++);
                checkFeatures(6, 3, 12, 7, 7, true, 0, mul, softcap, withSinks, seed++);
                checkFeatures(4, 1, 3, 5, 11, false, 0, mul, softcap, withSinks, seed++);
                checkFeatures(4, 4, 40, 1, 300, true, 100, mul, softcap, withSinks, seed++);
            }
        }
    }

    static float[] sinks(SplittableRandom r, int heads) {
        float[] s = new float[heads];
        for (int h = 0; h < heads; h++) s[h] = (float) (gauss(r) + (h % 2 == 0 ? 2 : 0));
        return s;
    }

    static void checkFeatures(int heads, int kvHeads, int d, int nq, int nkv, boolean causal, long window, float mul, float softcap,
                              boolean withSinks, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            Tensor q = random(arena, r, nq, heads, d), k = random(arena, r, nkv, kvHeads, d), v = random(arena, r, nkv, kvHeads, d);
            float[] sinkValues = withSinks ? sinks(r, heads) : null;
            Tensor sinks = withSinks ? Tensor.wrap(arena.allocateFrom(ValueLayout.JAVA_FLOAT, sinkValues), heads) : null;
            Tensor out = Tensor.allocate(arena, nq, heads, d);
            out.segment().fill((byte) 0xFF);  // NaN poison
            float scale = (float) (mul / Math.sqrt(d));
            Attention a = new Attention(heads, kvHeads, d, scale, window, softcap, sinks);
            assertEquals(softcap, a.softcap());
            assertEquals(window, a.window());
            if (causal) a.prefill(q, k, v, out);
            else a.cross(q, k, v, out);
            double[] mag = new double[d];
            for (int i = 0; i < nq; i++) {
                for (int h = 0; h < heads; h++) {
                    double[] want = reference(q, k, v, i, h, heads, kvHeads, scale, causal, window, softcap, sinkValues, mag);
                    for (int c = 0; c < d; c++) {
                        float got = out.get(i, h, c);
                        assertTrue(Math.abs(got - want[c]) <= 1e-4 * (1 + mag[c]), a + " causal=" + causal + " nq=" + nq + " nkv=" + nkv
                                + ": out[" + i + ", " + h + ", " + c + "] = " + got + ", reference " + want[c]);
                    }
                }
            }
        }
    }

    @Test
    void theParamsLayoutMatchesVaneH() {
        // vane.h's vane_attention_params (static_assert in attn_api.cpp): softcap at 40, sinks at 48, 56 bytes.
        assertEquals(56, NativeLayouts.ATTENTION_PARAMS.byteSize());
        assertEquals(40, NativeLayouts.ATTENTION_PARAMS.byteOffset(MemoryLayout.PathElement.groupElement("softcap")));
        assertEquals(48, NativeLayouts.ATTENTION_PARAMS.byteOffset(MemoryLayout.PathElement.groupElement("sinks")));
    }

    @Test
    void defaultsAndAccessors() {
        Attention plain = new Attention(8, 2, 64);
        assertEquals(0f, plain.softcap());
        assertEquals(0, plain.window());
        Attention windowed = new Attention(8, 2, 64, 0.125f, 4096);
        assertEquals(0f, windowed.softcap());
        assertEquals(4096, windowed.window());
        try (Tensor sinks = Tensor.allocate(8)) {
            Attention all = new Attention(8, 2, 64, 0.125f, 4096, 50f, sinks);
            assertEquals(50f, all.softcap());
            assertEquals(4096, all.window());
            assertTrue(all.toString().contains("softcap=50.0") && all.toString().contains("sinks"), all.toString());
        }
    }

    @Test
    void decodeIsTheLastRowOfPrefill() {
        SplittableRandom r = new SplittableRandom(9);
        try (Arena arena = Arena.ofConfined()) {
            int n = 300, heads = 8, kvHeads = 2, d = 64;
            Tensor q = random(arena, r, n, heads, d), k = random(arena, r, n, kvHeads, d), v = random(arena, r, n, kvHeads, d);
            Attention a = new Attention(heads, kvHeads, d);
            try (Tensor all = a.prefill(q, k, v)) {
                Tensor last = Tensor.wrap(q.segment().asSlice((long) (n - 1) * heads * d * 4), 1, heads, d);
                try (Tensor one = a.prefill(last, k, v)) {
                    for (int h = 0; h < heads; h++) {
                        for (int c = 0; c < d; c++) {
                            assertEquals(all.get(n - 1, h, c), one.get(0, h, c), 1e-5 * (1 + Math.abs(all.get(n - 1, h, c))));
                        }
                    }
                }
            }
        }
    }

    @Test
    void badInput() {
        try (Arena arena = Arena.ofConfined()) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new Attention(8, 3, 64)), "kvHeads = 3 does not divide heads = 8");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new Attention(8, 2, 1024)), "headDim must be in 1..512");
            Attention a = new Attention(8, 2, 64);
            Tensor q = Tensor.allocate(arena, 5, 8, 64), k = Tensor.allocate(arena, 4, 2, 64), v = Tensor.allocate(arena, 4, 2, 64);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> a.prefill(q, k, v)), "causal attention needs q no longer than k/v");
            Tensor k32 = Tensor.allocate(arena, 5, 2, 32);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> a.cross(q, k32, k32)), "k must be [tokens, 2, 64]");
            Tensor kh = Tensor.allocate(arena, 5, 4, 64);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> a.cross(q, kh, kh)), "k must be [tokens, 2, 64]");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> a.cross(q, k, Tensor.allocate(arena, 3, 2, 64))),
                    "the same length");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> a.cross(Tensor.allocate(arena, DType.F16, 5, 8, 64), k, v)),
                    "q must be F32");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> a.cross(q, k, v, q)), "overlaps");
            Tensor closed = Tensor.allocate(4, 2, 64);
            closed.close();
            assertMessage(assertThrows(IllegalStateException.class, () -> a.cross(q, closed, v)), "closed");
        }
    }

    @Test
    void badSoftcapAndSinks() {
        try (Arena arena = Arena.ofConfined()) {
            for (float bad : new float[] {-1f, Float.NaN, Float.POSITIVE_INFINITY}) {
                assertMessage(assertThrows(IllegalArgumentException.class, () -> new Attention(8, 2, 64, 0.125f, 0, bad, null)),
                        "softcap must be finite and >= 0");
            }
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new Attention(8, 2, 64, 0.125f, 0, 0, Tensor.allocate(arena, 2))),
                    "sinks must be [8]");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new Attention(8, 2, 64, 0.125f, 0, 0, Tensor.allocate(arena, 8, 1))),
                    "sinks must be [8]");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> new Attention(8, 2, 64, 0.125f, 0, 0, Tensor.allocate(arena, DType.F16, 8))), "sinks must be F32");
            Tensor heap = Tensor.wrap(java.lang.foreign.MemorySegment.ofArray(new float[8]), 8);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new Attention(8, 2, 64, 0.125f, 0, 0, heap)), "native memory");
            Tensor q = Tensor.allocate(arena, 3, 8, 64), k = Tensor.allocate(arena, 3, 2, 64), v = Tensor.allocate(arena, 3, 2, 64);
            // A sink turned NaN after construction: refused at the call.
            Tensor sinks = Tensor.allocate(arena, 8);
            Attention a = new Attention(8, 2, 64, 0.125f, 0, 0, sinks);
            sinks.set(Float.NaN, 3);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> a.prefill(q, k, v)), "sinks[3] = NaN is not finite");
            // The sinks tensor closed while the attention is still used.
            Tensor owned = Tensor.allocate(8);
            Attention b = new Attention(8, 2, 64, 0.125f, 0, 5f, owned);
            b.prefill(q, k, v).close();
            owned.close();
            assertMessage(assertThrows(IllegalStateException.class, () -> b.prefill(q, k, v)), "the sinks tensor is closed");
            assertMessage(assertThrows(IllegalStateException.class, () -> new Attention(8, 2, 64, 0.125f, 0, 0, owned)), "the sinks tensor is closed");
            try (KvCache cache = new KvCache(2, 64, 4, 2, KvCache.Storage.F32); KvCache.Sequence seq = cache.newSequence()) {
                seq.append(k, v);
                assertMessage(assertThrows(IllegalStateException.class, () -> b.decode(Tensor.allocate(arena, 1, 8, 64), seq)),
                        "the sinks tensor is closed");
            }
        }
    }

    static void assertMessage(Throwable e, String part) {
        assertTrue(e.getMessage() != null && e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks '" + part + "'");
    }
}
