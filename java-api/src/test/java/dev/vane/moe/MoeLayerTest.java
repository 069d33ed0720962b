package dev.vane.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.DType;
import dev.vane.FeedForward;
import dev.vane.QuantizedMatrix;
import dev.vane.Tensor;
import dev.vane.VaneException;
import dev.vane.bindings.VaneStatus;
import dev.vane.quant.QuantFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * MoeLayer against the naive float64 reference (MoeReference) on seeded random layers: the
 * experts chosen (exactly, from the layer's own f32 logits, unless two scores tie at the cut),
 * their weights, the expert load, and y.
 *
 * <p>Tolerances on y, per element, relative to its sensitivity S (MoeReference.Ffn#forward: the
 * sums of |terms| each stage's rounding scales with, through gate/up, SwiGLU and down, weighted
 * by |w| over the chosen experts and the shared one):
 * <ul>
 *   <li>float weight formats (f32, f16, bf16, fp8): 2e-5 S. Weights are decoded exactly and every
 *       GEMM sums at most 256 products in f32 (K * 2^-24 ~ 1.5e-5 of its sum of |terms|, the
 *       worst case; measured at most 2.5e-8 S here);
 *   <li>integer formats: 5e-3 S. Each GEMM first quantizes its activations to int8 per 32
 *       (docs/FORMATS.md): x for gate/up and the SwiGLU output for down, each element off by up
 *       to amax/254 of its block, which for the heavy-tailed SwiGLU output is a few percent of
 *       the typical element; measured at most 7.3e-4 S over these tests.
 * </ul>
 */
class MoeLayerTest {
    static final int D = 128;
    static final int F = 128;
    static final List<QuantFormat> FORMATS = List.of(QuantFormat.F32, QuantFormat.F16, QuantFormat.BF16, QuantFormat.FP8_E4M3_ROW,
            QuantFormat.FP8_E4M3_B128, QuantFormat.Q8_0, QuantFormat.Q4_0, QuantFormat.INT4_SYM_G128, QuantFormat.INT4_ASYM_G32,
            QuantFormat.INT8_G64);

    /** Gating variant v (0..4) for k of e experts. */
    static Gating gating(int v, int k, int e, SplittableRandom r) {
        return switch (v) {
            case 0 -> Gating.softmaxTopK(k, true);
            case 1 -> Gating.softmaxTopK(k, false);
            case 2 -> Gating.topKSoftmax(k);
            case 3 -> {
                float[] bias = new float[e];
                for (int i = 0; i < e; i++) bias[i] = (float) (r.nextDouble() * 0.2 - 0.1);
                yield Gating.sigmoidTopK(k, true, 2.5f, bias);
            }
            default -> Gating.sigmoidTopK(k, false, 1.0f, null);
        };
    }

    /** Worst error / sensitivity seen per format (printed with -Dvane.test.verbose=true). */
    static final java.util.Map<String, Double> WORST = new java.util.concurrent.ConcurrentHashMap<>();

    @org.junit.jupiter.api.AfterAll
    static void report() {
        if (Boolean.getBoolean("vane.test.verbose")) System.out.println("MoeLayerTest worst error / sensitivity: " + WORST);
    }

    static double tolerance(QuantFormat f) {
        return f.formatName().startsWith("f") || f.formatName().startsWith("bf") ? 2e-5 : 5e-3;
    }

    static QuantizedMatrix matrix(QuantFormat f, int rows, int cols, SplittableRandom r, Arena arena) {
        float[] w = new float[rows * cols];
        double s = 1 / Math.sqrt(cols);
        for (int i = 0; i < w.length; i++) w[i] = (float) (gauss(r) * s);
        try (Tensor t = Tensor.of(w, rows, cols)) {
            return QuantizedMatrix.quantize(f, t, arena);
        }
    }

    static FeedForward ffn(QuantFormat f, int hidden, SplittableRandom r, Arena arena) {
        return new FeedForward(matrix(f, hidden, D, r, arena), matrix(f, hidden, D, r, arena), matrix(f, D, hidden, r, arena));
    }

    static double gauss(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** Builds a layer, runs route and forward on T random tokens, checks both against the reference. */
    static void check(int t, int e, int k, int gatingVariant, QuantFormat format, boolean shared, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            List<FeedForward> experts = new ArrayList<>();
            for (int i = 0; i < e; i++) experts.add(ffn(format, F, r, arena));
            FeedForward sharedFfn = shared ? ffn(format, 2 * F, r, arena) : null;
            QuantizedMatrix router = matrix(seed % 3 == 0 ? QuantFormat.Q8_0 : QuantFormat.F32, e, D, r, arena);
            Gating g = gating(gatingVariant, k, e, r);
            MoeLayer layer = new MoeLayer(router, experts, sharedFfn, g);
            Tensor x = Tensor.allocate(arena, t, D);
            for (int i = 0; i < t * D; i++) x.segment().setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) gauss(r));
            Tensor y = Tensor.allocate(arena, t, D);
            y.segment().fill((byte) 0x7f);  // poison: NaN-like bytes

            String what = "T=" + t + " E=" + e + " k=" + k + " " + g.kind() + (g.renormalize() ? "+renorm" : "") + " " + format.formatName()
                    + (shared ? " +shared" : "");
            Routing routing = layer.route(x);
            MoeStats stats = layer.forward(x, y);
            long[] load = new long[e];
            List<MoeReference.Ffn> ref = new ArrayList<>();
            for (FeedForward f : experts) ref.add(new MoeReference.Ffn(f));
            MoeReference.Ffn refShared = shared ? new MoeReference.Ffn(sharedFfn) : null;
            double tol = tolerance(format);
            try (Tensor logits = layer.logits(x)) {
                for (int i = 0; i < t; i++) {
                    float[] l = MoeReference.row(logits.segment(), i, e);
                    MoeReference.Choice choice = MoeReference.route(l, g);
                    boolean tie = MoeReference.hasTieAtCut(l, g);
                    for (int j = 0; j < k; j++) {
                        if (!tie) assertEquals(choice.ids()[j], routing.expert(i, j), what + ": token " + i + " slot " + j);
                        assertEquals(choice.weights()[j], routing.weight(i, j), 1e-6 * Math.max(1, choice.weights()[j]),
                                what + ": weight of token " + i + " slot " + j);
                        load[routing.expert(i, j)]++;
                    }
                    double[] xi = new double[D];
                    for (int c = 0; c < D; c++) xi[c] = x.get(i, c);
                    // The reference on the layer's own choice (identical to the reference's unless tied).
                    double[] w = new double[k];
                    int[] ids = new int[k];
                    for (int j = 0; j < k; j++) {
                        ids[j] = routing.expert(i, j);
                        w[j] = routing.weight(i, j);
                    }
                    double[] sensitivity = new double[D];
                    double[] want = MoeReference.forward(xi, new MoeReference.Choice(ids, w), ref, refShared, sensitivity);
                    for (int c = 0; c < D; c++) {
                        float got = y.get(i, c);
                        double allowed = tol * sensitivity[c];
                        WORST.merge(format.formatName(), Math.abs(got - want[c]) / sensitivity[c], Math::max);
                        assertTrue(Math.abs(got - want[c]) <= allowed, what + ": y[" + i + ", " + c + "] = " + got + ", reference " + want[c]
                                + " (allowed " + allowed + ")");
                    }
                }
            }
            assertArrayEquals(load, routing.tokensPerExpert(), what + ": routing load");
            assertArrayEquals(load, stats.tokensPerExpert(), what + ": forward load");
            assertTrue(stats.totalSeconds() > 0 && stats.overheadShare() >= 0 && stats.overheadShare() <= 1, what + ": stats " + stats);
        }
    }

    @Test
    void tokensExpertsAndKAgainstTheReference() {
        int n = 0;
        for (int t : new int[] {1, 7, 64, 300}) {
            for (int e : new int[] {4, 8, 64}) {
                for (int k : new int[] {1, 2, 6}) {
                    if (k > e) continue;
                    check(t, e, k, n % 5, FORMATS.get(n % FORMATS.size()), n % 4 == 3, 1000 + n);
                    n++;
                }
            }
        }
    }

    @Test
    void everyGatingWithEveryFormat() {
        int n = 0;
        for (QuantFormat f : FORMATS) {
            for (int v = 0; v < 5; v++) check(7, 8, 2, v, f, v == 2, 5000 + n++);
        }
    }

    @Test
    void decodeAndSharedExpert() {
        check(1, 8, 2, 0, QuantFormat.Q4_0, true, 42);
        check(1, 64, 6, 3, QuantFormat.FP8_E4M3_B128, true, 43);
    }

    @Test
    void denseFeedForward() {
        SplittableRandom r = new SplittableRandom(99);
        try (Arena arena = Arena.ofConfined()) {
            for (QuantFormat f : List.of(QuantFormat.F32, QuantFormat.Q4_0)) {
                FeedForward ffn = ffn(f, 3 * F, r, arena);
                MoeReference.Ffn ref = new MoeReference.Ffn(ffn);
                Tensor x = Tensor.allocate(arena, 5, D);
                for (int i = 0; i < 5 * D; i++) x.segment().setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) gauss(r));
                try (Tensor y = ffn.forward(x)) {
                    for (int i = 0; i < 5; i++) {
                        double[] xi = new double[D];
                        for (int c = 0; c < D; c++) xi[c] = x.get(i, c);
                        double[] sensitivity = new double[D];
                        double[] want = ref.forward(xi, sensitivity);
                        for (int c = 0; c < D; c++) {
                            assertEquals(want[c], y.get(i, c), tolerance(f) * sensitivity[c], f + " ffn y[" + i + ", " + c + "]");
                        }
                    }
                }
            }
        }
    }

    @Test
    void tiesGoToTheLowerExpert() {
        try (Tensor logits = Tensor.of(new float[] {0.5f, 2f, 2f, 2f, -1f}, 1, 5)) {
            Routing r = MoeLayer.route(logits, Gating.softmaxTopK(2, true));
            assertEquals(1, r.expert(0, 0));
            assertEquals(2, r.expert(0, 1));
            assertEquals(0.5f, r.weight(0, 0));
            assertArrayEquals(new long[] {0, 1, 1, 0, 0}, r.tokensPerExpert());
        }
    }

    @Test
    void badInput() {
        SplittableRandom r = new SplittableRandom(7);
        try (Arena arena = Arena.ofConfined()) {
            List<FeedForward> experts = List.of(ffn(QuantFormat.Q8_0, F, r, arena), ffn(QuantFormat.Q8_0, F, r, arena));
            QuantizedMatrix router = matrix(QuantFormat.F32, 2, D, r, arena);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new MoeLayer(router, experts, Gating.softmaxTopK(3, true))),
                    "k = 3 experts per token but the layer has 2");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Gating.softmaxTopK(0, true)), "k must be >= 1");
            List<FeedForward> mixed = List.of(experts.get(0), ffn(QuantFormat.Q8_0, 2 * F, r, arena));
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new MoeLayer(router, mixed, Gating.softmaxTopK(1, true))),
                    "every expert must have the same shape");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> new FeedForward(matrix(QuantFormat.F32, F, D, r, arena), matrix(QuantFormat.F32, F + 32, D, r, arena),
                            matrix(QuantFormat.F32, D, F, r, arena))), "gate and up must be [F, D] and down [D, F]");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> new MoeLayer(matrix(QuantFormat.F32, 3, D, r, arena), experts, Gating.softmaxTopK(1, true))), "router must be [E, D]");
            MoeLayer layer = new MoeLayer(router, experts, Gating.softmaxTopK(1, true));
            // Non-finite router logits: a VaneException naming the token; y untouched.
            Tensor x = Tensor.allocate(arena, 3, D);
            x.set(Float.POSITIVE_INFINITY, 2, 5);
            Tensor y = Tensor.allocate(arena, 3, D);
            VaneException e = assertThrows(VaneException.class, () -> layer.forward(x, y));
            assertEquals(VaneStatus.NON_FINITE, e.status());
            assertMessage(e, "router logits of token 2 are not finite");
            try (Tensor nan = Tensor.of(new float[] {0f, Float.NaN}, 1, 2)) {
                assertEquals(VaneStatus.NON_FINITE, assertThrows(VaneException.class, () -> MoeLayer.route(nan, Gating.topKSoftmax(1))).status());
            }
            assertMessage(assertThrows(IllegalArgumentException.class, () -> layer.forward(Tensor.allocate(arena, 3, D + 1))), "x must be [T, 128]");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> layer.forward(Tensor.allocate(arena, DType.BF16, 3, D))), "x must be F32");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> layer.forward(x, Tensor.allocate(arena, 2, D))), "y must be shaped as x");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> layer.forward(x, x)), "overlap");
            try (Tensor logits = Tensor.of(new float[4], 2, 2)) {
                assertMessage(assertThrows(IllegalArgumentException.class,
                        () -> MoeLayer.route(logits, Gating.sigmoidTopK(1, false, 1f, new float[3]))), "3 values for 2 experts");
            }
        }
        // A layer whose expert memory was freed: IllegalStateException, never a crash.
        SplittableRandom r2 = new SplittableRandom(8);
        Arena gone = Arena.ofConfined();
        MoeLayer layer;
        try (Arena keep = Arena.ofConfined()) {
            layer = new MoeLayer(matrix(QuantFormat.F32, 2, D, r2, keep), List.of(ffn(QuantFormat.F32, F, r2, gone), ffn(QuantFormat.F32, F, r2, keep)),
                    Gating.topKSoftmax(1));
            gone.close();
            try (Tensor x = Tensor.allocate(1, D)) {
                assertMessage(assertThrows(IllegalStateException.class, () -> layer.forward(x)), "closed");
            }
        }
    }

    private static void assertMessage(Throwable e, String part) {
        assertTrue(e.getMessage() != null && e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks '" + part + "'");
    }
}
