package dev.vane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.FeedForward.Activation;
import dev.vane.bindings.NativeLayouts;
import dev.vane.moe.MoeReference;
import dev.vane.quant.QuantFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * FeedForward with each activation (SILU, GELU, SWIGLU_OAI) and each combination of biases
 * against the float64 reference (MoeReference.Ffn), the one-GEMM gate/up path against the
 * two-GEMM one, and bad input.
 *
 * <p>Tolerances on y, per element, relative to its sensitivity S (MoeReference.Ffn#forward: the
 * sums of |terms| each stage's rounding scales with, biases included), as MoeLayerTest: 2e-5 S for
 * the float formats (f32 sums of at most 128 products, 128 · 2^-24 ~ 8e-6, and the activation's
 * few ulp) and 5e-3 S for the integer formats (the GEMMs quantize their inputs to int8 per 32
 * elements). A missing bias or a wrong activation moves y by a large part of S.
 */
class FeedForwardTest {
    static final int D = 64;
    static final int F = 96;
    static final List<QuantFormat> FORMATS = List.of(QuantFormat.F32, QuantFormat.F16, QuantFormat.Q8_0, QuantFormat.Q4_0);

    static double gauss(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** A random [rows, cols] matrix, entries of size `scale / sqrt(cols)`. */
    static QuantizedMatrix matrix(QuantFormat f, int rows, int cols, double scale, SplittableRandom r, Arena arena) {
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) (gauss(r) * scale / Math.sqrt(cols));
        try (Tensor t = Tensor.of(w, rows, cols)) {
            return QuantizedMatrix.quantize(f, t, arena);
        }
    }

    static Tensor vector(int n, SplittableRandom r, Arena arena) {
        Tensor t = Tensor.allocate(arena, n);
        for (int i = 0; i < n; i++) t.set((float) gauss(r), i);
        return t;
    }

    static Tensor input(int t, SplittableRandom r, Arena arena) {
        Tensor x = Tensor.allocate(arena, t, D);
        for (int i = 0; i < t * D; i++) x.segment().setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) gauss(r));
        return x;
    }

    static double tolerance(QuantFormat f) {
        return f.formatName().startsWith("f") ? 2e-5 : 5e-3;
    }

    /** y against the reference, row by row; y poisoned before the call. */
    static void checkForward(FeedForward ffn, QuantFormat format, Tensor x, Arena arena, String what) {
        int t = (int) x.dim(0);
        Tensor y = Tensor.allocate(arena, t, D);
        y.segment().fill((byte) 0x7f);  // poison: NaN-like bytes
        ffn.forward(x, y);
        MoeReference.Ffn ref = new MoeReference.Ffn(ffn);
        for (int i = 0; i < t; i++) {
            double[] xi = new double[D];
            for (int c = 0; c < D; c++) xi[c] = x.get(i, c);
            double[] sensitivity = new double[D];
            double[] want = ref.forward(xi, sensitivity);
            for (int c = 0; c < D; c++) {
                float got = y.get(i, c);
                double allowed = tolerance(format) * sensitivity[c];
                assertTrue(Math.abs(got - want[c]) <= allowed, what + ": y[" + i + ", " + c + "] = " + got + ", reference " + want[c]
                        + " (allowed " + allowed + ")");
            }
        }
    }

    @Test
    void everyActivationAndBiasAgainstTheReference() {
        SplittableRandom r = new SplittableRandom(2024);
        int n = 0;
        for (Activation act : Activation.values()) {
            for (int bias = 0; bias < 8; bias++) {
                QuantFormat format = FORMATS.get(n++ % FORMATS.size());
                try (Arena arena = Arena.ofConfined()) {
                    // gate and up scaled up so |g| reaches the clamp and the tails of the activations
                    FeedForward ffn = new FeedForward(matrix(format, F, D, 4, r, arena), matrix(format, F, D, 4, r, arena),
                            matrix(format, D, F, 1, r, arena), act, (bias & 1) != 0 ? vector(F, r, arena) : null,
                            (bias & 2) != 0 ? vector(F, r, arena) : null, (bias & 4) != 0 ? vector(D, r, arena) : null);
                    assertEquals(act, ffn.activation());
                    for (int t : new int[] {1, 5}) checkForward(ffn, format, input(t, r, arena), arena, act + " biases " + bias + " " + format + " T=" + t);
                }
            }
        }
    }

    @Test
    void swigluOaiConstants() {
        SplittableRandom r = new SplittableRandom(7);
        try (Arena arena = Arena.ofConfined()) {
            for (float[] al : new float[][] {{1.702f, 7f}, {1.0f, Float.POSITIVE_INFINITY}, {3.0f, 0.5f}}) {
                FeedForward ffn = new FeedForward(matrix(QuantFormat.F32, F, D, 4, r, arena), matrix(QuantFormat.F32, F, D, 4, r, arena),
                        matrix(QuantFormat.F32, D, F, 1, r, arena), Activation.SWIGLU_OAI, al[0], al[1], vector(F, r, arena), null,
                        vector(D, r, arena));
                assertEquals(al[0], ffn.alpha());
                assertEquals(al[1], ffn.limit());
                checkForward(ffn, QuantFormat.F32, input(6, r, arena), arena, "swiglu_oai alpha " + al[0] + " limit " + al[1]);
            }
            // The 7-argument constructor means gpt-oss's constants; the 3-argument one SwiGLU without biases.
            QuantizedMatrix g = matrix(QuantFormat.F32, F, D, 1, r, arena), u = matrix(QuantFormat.F32, F, D, 1, r, arena),
                    d = matrix(QuantFormat.F32, D, F, 1, r, arena);
            FeedForward oai = new FeedForward(g, u, d, Activation.SWIGLU_OAI, null, null, null);
            assertEquals(FeedForward.SWIGLU_OAI_ALPHA, oai.alpha());
            assertEquals(1.702f, oai.alpha());
            assertEquals(7f, oai.limit());
            FeedForward plain = new FeedForward(g, u, d);
            assertEquals(Activation.SILU, plain.activation());
            assertNull(plain.gateBias());
            assertNull(plain.upBias());
            assertNull(plain.downBias());
            Tensor x = input(3, r, arena);
            try (Tensor a = plain.forward(x); Tensor b = new FeedForward(g, u, d, Activation.SILU, null, null, null).forward(x)) {
                for (int i = 0; i < 3 * D; i++) {
                    assertEquals(a.segment().getAtIndex(ValueLayout.JAVA_FLOAT, i), b.segment().getAtIndex(ValueLayout.JAVA_FLOAT, i));
                }
            }
        }
    }

    /** Gate and up as two views of one [2F, D] matrix (as a model loader holds them) take the one-GEMM path: the same bits. */
    @Test
    void gateAndUpBackToBackGiveTheSameBits() {
        SplittableRandom r = new SplittableRandom(11);
        for (QuantFormat format : List.of(QuantFormat.F32, QuantFormat.Q8_0)) {
            try (Arena arena = Arena.ofConfined()) {
                QuantizedMatrix both = matrix(format, 2 * F, D, 3, r, arena);
                long half = both.segment().byteSize() / 2;
                QuantizedMatrix g = QuantizedMatrix.wrap(format, both.segment().asSlice(0, half), F, D);
                QuantizedMatrix u = QuantizedMatrix.wrap(format, both.segment().asSlice(half, half), F, D);
                MemorySegment gCopy = arena.allocate(half, 64), uCopy = arena.allocate(half, 64);
                gCopy.copyFrom(g.segment());
                uCopy.copyFrom(u.segment());
                QuantizedMatrix down = matrix(format, D, F, 1, r, arena);
                Tensor gb = vector(F, r, arena), ub = vector(F, r, arena), db = vector(D, r, arena);
                Tensor x = input(4, r, arena);
                for (Activation act : Activation.values()) {
                    FeedForward joined = new FeedForward(g, u, down, act, gb, ub, db);
                    FeedForward apart = new FeedForward(QuantizedMatrix.wrap(format, gCopy, F, D), QuantizedMatrix.wrap(format, uCopy, F, D), down, act,
                            gb, ub, db);
                    try (Tensor a = joined.forward(x); Tensor b = apart.forward(x)) {
                        for (int i = 0; i < 4 * D; i++) {
                            float va = a.segment().getAtIndex(ValueLayout.JAVA_FLOAT, i), vb = b.segment().getAtIndex(ValueLayout.JAVA_FLOAT, i);
                            assertTrue(Float.floatToRawIntBits(va) == Float.floatToRawIntBits(vb) && Float.isFinite(va),
                                    format + " " + act + ": joined y[" + i + "] = " + va + ", apart " + vb);
                        }
                    }
                }
            }
        }
    }

    @Test
    void badInput() {
        SplittableRandom r = new SplittableRandom(3);
        try (Arena arena = Arena.ofConfined()) {
            QuantizedMatrix g = matrix(QuantFormat.F32, F, D, 1, r, arena), u = matrix(QuantFormat.F32, F, D, 1, r, arena),
                    d = matrix(QuantFormat.F32, D, F, 1, r, arena);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new FeedForward(g, u, d, Activation.GELU, vector(F + 1, r, arena), null, null)),
                    "gateBias must be F32 [F] = [96], got Tensor[97] F32");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new FeedForward(g, u, d, Activation.GELU, null, vector(D, r, arena), null)),
                    "upBias must be F32 [F] = [96]");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new FeedForward(g, u, d, Activation.GELU, null, null, vector(F, r, arena))),
                    "downBias must be F32 [D] = [64]");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> new FeedForward(g, u, d, Activation.SILU, Tensor.allocate(arena, 1, F), null, null)), "gateBias must be F32 [F]");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> new FeedForward(g, u, d, Activation.SILU, Tensor.allocate(arena, DType.F16, F), null, null)), "gateBias must be F32 [F]");
            Tensor heap = Tensor.wrap(MemorySegment.ofArray(new float[D]), D);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new FeedForward(g, u, d, Activation.SILU, null, null, heap)),
                    "downBias must be native memory");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new FeedForward(g, u, d, Activation.SWIGLU_OAI, 1.702f, 0f, null, null, null)),
                    "a limit > 0");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> new FeedForward(g, u, d, Activation.SWIGLU_OAI, 1.702f, Float.NaN, null, null, null)), "limit = NaN");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> new FeedForward(g, u, d, Activation.SWIGLU_OAI, Float.POSITIVE_INFINITY, 7f, null, null, null)), "finite alpha");
            new FeedForward(g, u, d, Activation.GELU, Float.NaN, Float.NaN, null, null, null);  // ignored by GELU
            assertMessage(assertThrows(NullPointerException.class, () -> new FeedForward(g, u, d, null, null, null, null)), "activation");
            // y overlapping the down bias
            Tensor y = Tensor.allocate(arena, 2, D);
            FeedForward onY = new FeedForward(g, u, d, Activation.SILU, null, null, Tensor.wrap(y.segment().asSlice(4L * D), D));
            assertMessage(assertThrows(IllegalArgumentException.class, () -> onY.forward(input(2, r, arena), y)), "overlaps the down bias");
        }
        // A bias freed before use: IllegalStateException naming it, never a crash.
        SplittableRandom r2 = new SplittableRandom(4);
        try (Arena keep = Arena.ofConfined()) {
            Arena gone = Arena.ofConfined();
            FeedForward ffn = new FeedForward(matrix(QuantFormat.F32, F, D, 1, r2, keep), matrix(QuantFormat.F32, F, D, 1, r2, keep),
                    matrix(QuantFormat.F32, D, F, 1, r2, keep), Activation.GELU, null, vector(F, r2, gone), null);
            gone.close();
            assertMessage(assertThrows(IllegalStateException.class, () -> ffn.forward(input(1, r2, keep))), "up bias: its arena is already closed");
        }
    }

    /** The Java layouts of vane_ffn and vane_moe_layer have vane.h's sizes and offsets (test_ffn_act static_asserts the C side). */
    @Test
    void layoutsMatchTheHeader() {
        assertEquals(112, NativeLayouts.FFN.byteSize());
        assertEquals(72, NativeLayouts.FFN.byteOffset(MemoryLayout.PathElement.groupElement("activation")));
        assertEquals(88, NativeLayouts.FFN.byteOffset(MemoryLayout.PathElement.groupElement("gate_bias")));
        assertEquals(104, NativeLayouts.FFN.byteOffset(MemoryLayout.PathElement.groupElement("down_bias")));
        assertEquals(112, NativeLayouts.MOE_LAYER.byteSize());
        assertEquals(96, NativeLayouts.MOE_LAYER.byteOffset(MemoryLayout.PathElement.groupElement("router_bias")));
        assertEquals(104, NativeLayouts.MOE_LAYER.byteOffset(MemoryLayout.PathElement.groupElement("shared_gate")));
    }

    private static void assertMessage(Throwable e, String part) {
        assertTrue(e.getMessage() != null && e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks '" + part + "'");
    }
}
