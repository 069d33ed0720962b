package dev.vane.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.DType;
import dev.vane.FeedForward;
import dev.vane.FeedForward.Activation;
import dev.vane.QuantizedMatrix;
import dev.vane.Tensor;
import dev.vane.VaneException;
import dev.vane.bindings.VaneStatus;
import dev.vane.quant.QuantFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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

    /** An expert with the given activation, and random gate, up and down biases if asked. */
    static FeedForward ffn(QuantFormat f, int hidden, Activation act, boolean biases, SplittableRandom r, Arena arena) {
        return new FeedForward(matrix(f, hidden, D, r, arena), matrix(f, hidden, D, r, arena), matrix(f, D, hidden, r, arena), act,
                biases ? vector(hidden, r, arena) : null, biases ? vector(hidden, r, arena) : null, biases ? vector(D, r, arena) : null);
    }

    static Tensor vector(int n, SplittableRandom r, Arena arena) {
        Tensor t = Tensor.allocate(arena, n);
        for (int i = 0; i < n; i++) t.set((float) gauss(r), i);
        return t;
    }

    /**
     * What a layer has beyond plain SwiGLU experts: the experts' activation and biases, a router
     * bias (gpt-oss), a gate on the shared expert (Qwen2-MoE; only with a shared expert).
     */
    record Extras(Activation activation, boolean expertBiases, boolean routerBias, boolean sharedGate) {
        static final Extras NONE = new Extras(Activation.SILU, false, false, false);
    }

    static double gauss(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** Builds a layer, runs route and forward on T random tokens, checks both against the reference. */
    static void check(int t, int e, int k, int gatingVariant, QuantFormat format, boolean shared, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        check(t, e, k, gating(gatingVariant, k, e, r), format, shared, Extras.NONE, r, seed);
    }

    static void check(int t, int e, int k, Gating g, QuantFormat format, boolean shared, Extras extras, SplittableRandom r, long seed) {
        try (Arena arena = Arena.ofConfined()) {
            List<FeedForward> experts = new ArrayList<>();
            for (int i = 0; i < e; i++) experts.add(ffn(format, F, extras.activation(), extras.expertBiases(), r, arena));
            FeedForward sharedFfn = shared ? ffn(format, 2 * F, r, arena) : null;
            QuantizedMatrix router = matrix(seed % 3 == 0 ? QuantFormat.Q8_0 : QuantFormat.F32, e, D, r, arena);
            Tensor routerBias = extras.routerBias() ? vector(e, r, arena) : null;
            Tensor sharedGate = extras.sharedGate() ? vector(D, r, arena) : null;
            MoeLayer layer = extras == Extras.NONE ? new MoeLayer(router, experts, sharedFfn, g)
                    : new MoeLayer(router, routerBias, experts, sharedFfn, sharedGate, g);
            Tensor x = Tensor.allocate(arena, t, D);
            for (int i = 0; i < t * D; i++) x.segment().setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) gauss(r));
            Tensor y = Tensor.allocate(arena, t, D);
            y.segment().fill((byte) 0x7f);  // poison: NaN-like bytes

            String what = "T=" + t + " E=" + e + " k=" + k + " " + g.kind() + (g.renormalize() ? "+renorm" : "") + " " + format.formatName()
                    + (shared ? " +shared" : "") + (extras == Extras.NONE ? "" : " " + extras);
            Routing routing = layer.route(x);
            MoeStats stats = layer.forward(x, y);
            long[] load = new long[e];
            List<MoeReference.Ffn> ref = new ArrayList<>();
            for (FeedForward f : experts) ref.add(new MoeReference.Ffn(f));
            MoeReference.Ffn refShared = shared ? new MoeReference.Ffn(sharedFfn) : null;
            double tol = tolerance(format);
            double[] sharedGateValues = sharedGate == null ? null : MoeReference.vector(sharedGate);
            try (Tensor logits = layer.logits(x)) {
                if (routerBias != null) {  // the logits the gating sees are the router's plus the bias, added in f32
                    try (Tensor plain = router.multiply(x)) {
                        for (int i = 0; i < t; i++) {
                            for (int j = 0; j < e; j++) {
                                assertEquals(plain.get(i, j) + routerBias.get(j), logits.get(i, j), what + ": biased logit " + i + ", " + j);
                            }
                        }
                    }
                }
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
                    double[] want = MoeReference.forward(xi, new MoeReference.Choice(ids, w), ref, refShared, sharedGateValues, sensitivity);
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

    /** gpt-oss's layer: SWIGLU_OAI experts with gate, up and down biases, a router bias, top-k then softmax. */
    @Test
    void gptOssLayer() {
        int n = 0;
        for (QuantFormat f : List.of(QuantFormat.F32, QuantFormat.Q8_0, QuantFormat.Q4_0, QuantFormat.F16)) {
            for (int t : new int[] {1, 9}) {
                SplittableRandom r = new SplittableRandom(7000 + n);
                check(t, 16, 4, Gating.topKSoftmax(4), f, false, new Extras(Activation.SWIGLU_OAI, true, true, false), r, 7000 + n++);
            }
        }
    }

    /** Qwen2-MoE's layer: SwiGLU experts, softmax then top-k unnormalized, a shared expert gated by sigmoid(x · gate). */
    @Test
    void qwen2MoeLayer() {
        int n = 0;
        for (QuantFormat f : List.of(QuantFormat.F32, QuantFormat.Q8_0, QuantFormat.BF16)) {
            for (int t : new int[] {1, 12}) {
                SplittableRandom r = new SplittableRandom(8000 + n);
                check(t, 12, 4, Gating.softmaxTopK(4, false), f, true, new Extras(Activation.SILU, false, false, true), r, 8000 + n++);
            }
        }
        // GELU experts with biases and every option at once.
        SplittableRandom r = new SplittableRandom(8100);
        check(7, 8, 2, Gating.softmaxTopK(2, true), QuantFormat.F32, true, new Extras(Activation.GELU, true, true, true), r, 8100);
    }

    /** The weights are renormalized (the sum clamped to at least 2^-14, as llama.cpp), then scaled; scale 0 reads as 1. */
    @Test
    void renormalizationAndScaleAsLlamaCpp() {
        try (Tensor logits = Tensor.of(new float[] {-20f, -21f, -30f, -40f}, 1, 4)) {
            Routing tiny = MoeLayer.route(logits, Gating.sigmoidTopK(2, true, 1f, null));
            double s20 = 1 / (1 + Math.exp(20)), s21 = 1 / (1 + Math.exp(21));
            assertEquals(s20 * 16384, tiny.weight(0, 0), 1e-6 * s20 * 16384);
            assertEquals(s21 * 16384, tiny.weight(0, 1), 1e-6 * s21 * 16384);
            MoeReference.Choice ref = MoeReference.route(new float[] {-20f, -21f, -30f, -40f}, Gating.sigmoidTopK(2, true, 1f, null));
            assertEquals(ref.weights()[0], tiny.weight(0, 0), 1e-6 * ref.weights()[0]);
        }
        try (Tensor logits = Tensor.of(new float[] {0.5f, 2f, -1f, 1f}, 1, 4)) {
            Routing one = MoeLayer.route(logits, Gating.sigmoidTopK(2, true, 1f, null));
            Routing zero = MoeLayer.route(logits, Gating.sigmoidTopK(2, true, 0f, null));
            Routing two = MoeLayer.route(logits, Gating.sigmoidTopK(2, true, 2f, null));
            for (int j = 0; j < 2; j++) {
                assertEquals(one.weight(0, j), zero.weight(0, j), "scale 0 is no scaling");
                assertEquals(2 * one.weight(0, j), two.weight(0, j), 1e-6);
            }
        }
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
        // Router bias and shared gate: shapes, a gate without a shared expert, freed memory.
        try (Arena arena = Arena.ofConfined()) {
            List<FeedForward> experts = List.of(ffn(QuantFormat.F32, F, r, arena), ffn(QuantFormat.F32, F, r, arena));
            QuantizedMatrix router = matrix(QuantFormat.F32, 2, D, r, arena);
            FeedForward shared = ffn(QuantFormat.F32, F, r, arena);
            Gating g = Gating.softmaxTopK(1, true);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new MoeLayer(router, vector(3, r, arena), experts, null, null, g)),
                    "routerBias must be F32 [E] = [2], got Tensor[3] F32");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new MoeLayer(router, null, experts, shared, vector(D + 1, r, arena), g)),
                    "sharedGate must be F32 [D] = [128]");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new MoeLayer(router, null, experts, null, vector(D, r, arena), g)),
                    "a shared gate needs a shared expert");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> new MoeLayer(router, Tensor.wrap(MemorySegment.ofArray(new float[2]), 2), experts, null, null, g)), "routerBias must be native");
            Arena gone = Arena.ofConfined();
            MoeLayer biased = new MoeLayer(router, vector(2, r, gone), experts, shared, vector(D, r, arena), g);
            MoeLayer gated = new MoeLayer(router, null, experts, shared, vector(D, r, gone), g);
            MoeLayer expertBias = new MoeLayer(router, List.of(experts.get(0), ffn(QuantFormat.F32, F, Activation.GELU, true, r, gone)), g);
            gone.close();
            Tensor x = Tensor.allocate(arena, 1, D);
            assertMessage(assertThrows(IllegalStateException.class, () -> biased.forward(x)), "router bias: its arena is already closed");
            assertMessage(assertThrows(IllegalStateException.class, () -> gated.forward(x)), "shared gate: its arena is already closed");
            assertMessage(assertThrows(IllegalStateException.class, () -> expertBias.forward(x)), "expert 1 gate");
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
