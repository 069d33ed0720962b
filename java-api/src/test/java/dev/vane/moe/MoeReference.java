package dev.vane.moe;

import dev.vane.FeedForward;
import dev.vane.QuantizedMatrix;
import dev.vane.Tensor;
import dev.vane.quant.Quantizer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/** The naive float64 feed-forward blocks and mixture of experts the tests check Vane's against. */
public final class MoeReference {
    private MoeReference() {}

    /** The dequantized weights of a matrix, as doubles [rows][cols]. */
    public static double[][] weights(QuantizedMatrix m) {
        int rows = (int) m.rows(), cols = (int) m.cols();
        byte[] packed = m.segment().toArray(ValueLayout.JAVA_BYTE);
        float[] w = Quantizer.dequantize(m.format(), packed, rows, cols);
        double[][] out = new double[rows][cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) out[r][c] = w[r * cols + c];
        return out;
    }

    public static double[] matVec(double[][] w, double[] x) {
        double[] y = new double[w.length];
        for (int r = 0; r < w.length; r++) {
            double s = 0;
            for (int c = 0; c < x.length; c++) s += w[r][c] * x[c];
            y[r] = s;
        }
        return y;
    }

    static double[] absMatVec(double[][] w, double[] x) {
        double[] y = new double[w.length];
        for (int r = 0; r < w.length; r++) {
            double s = 0;
            for (int c = 0; c < x.length; c++) s += Math.abs(w[r][c] * x[c]);
            y[r] = s;
        }
        return y;
    }

    /** The values of an F32 [n] tensor as doubles, or null for null. */
    static double[] vector(Tensor t) {
        if (t == null) return null;
        double[] out = new double[(int) t.dim(0)];
        for (int i = 0; i < out.length; i++) out[i] = t.get(i);
        return out;
    }

    /**
     * The activation's gate part a(g) (out = a(g) · b(u)) and its derivative, in float64:
     * x · sigmoid(s(x)), s = x (SILU), 2 sqrt(2/π) x (1 + 0.044715 x²) (GELU, the tanh form as a
     * sigmoid), alpha · min(x, limit) (SWIGLU_OAI).
     */
    static double[] gatePart(FeedForward.Activation act, double alpha, double limit, double g) {
        double x = act == FeedForward.Activation.SWIGLU_OAI ? Math.min(g, limit) : g;
        double s, ds;
        switch (act) {
            case SILU -> {
                s = x;
                ds = 1;
            }
            case GELU -> {
                double c = 2 * Math.sqrt(2 / Math.PI);
                s = c * x * (1 + 0.044715 * x * x);
                ds = c * (1 + 3 * 0.044715 * x * x);
            }
            default -> {
                s = alpha * x;
                ds = g > limit ? 0 : alpha;
            }
        }
        double sig = 1 / (1 + Math.exp(-s));
        double a = x * sig;
        double da = (act == FeedForward.Activation.SWIGLU_OAI && g > limit) ? 0 : sig + x * sig * (1 - sig) * ds;
        return new double[] {a, da};
    }

    /** The activation's up part b(u) (u for SILU and GELU, clamp(u, -limit, limit) + 1 for SWIGLU_OAI) and its derivative. */
    static double[] upPart(FeedForward.Activation act, double limit, double u) {
        if (act != FeedForward.Activation.SWIGLU_OAI) return new double[] {u, 1};
        return new double[] {Math.max(-limit, Math.min(limit, u)) + 1, Math.abs(u) > limit ? 0 : 1};
    }

    /** One gated FFN in float64 on the dequantized weights, with its activation and biases. */
    public static final class Ffn {
        final double[][] gate, up, down;
        final double[] gateBias, upBias, downBias;
        final FeedForward.Activation act;
        final double alpha, limit;

        public Ffn(FeedForward f) {
            gate = weights(f.gate());
            up = weights(f.up());
            down = weights(f.down());
            gateBias = vector(f.gateBias());
            upBias = vector(f.upBias());
            downBias = vector(f.downBias());
            act = f.activation();
            alpha = f.alpha();
            limit = f.limit();
        }

        public double[] forward(double[] x) {
            return forward(x, new double[down.length]);
        }

        /**
         * y = down(a(gate x + gb) · b(up x + ub)) + db, and in sensitivity, per output, the sum of
         * |terms| each stage's rounding scales with: |db_c| + sum_f |down_cf| (|h_f| +
         * |a'(g_f) b(u_f)| G_f + |a(g_f) b'(u_f)| U_f), G_f and U_f the sums of |terms| of g_f and
         * u_f (bias included).
         */
        public double[] forward(double[] x, double[] sensitivity) {
            double[] g = matVec(gate, x), u = matVec(up, x), gAbs = absMatVec(gate, x), uAbs = absMatVec(up, x);
            double[] h = new double[g.length], hAbs = new double[g.length];
            for (int i = 0; i < h.length; i++) {
                if (gateBias != null) {
                    g[i] += gateBias[i];
                    gAbs[i] += Math.abs(gateBias[i]);
                }
                if (upBias != null) {
                    u[i] += upBias[i];
                    uAbs[i] += Math.abs(upBias[i]);
                }
                double[] a = gatePart(act, alpha, limit, g[i]), b = upPart(act, limit, u[i]);
                h[i] = a[0] * b[0];
                hAbs[i] = Math.abs(h[i]) + Math.abs(a[1] * b[0]) * gAbs[i] + Math.abs(a[0] * b[1]) * uAbs[i];
            }
            double[] y = matVec(down, h);
            for (int c = 0; c < y.length; c++) {
                double m = 0;
                for (int f = 0; f < h.length; f++) m += Math.abs(down[c][f]) * hAbs[f];
                if (downBias != null) {
                    y[c] += downBias[c];
                    m += Math.abs(downBias[c]);
                }
                sensitivity[c] = m;
            }
            return y;
        }
    }

    /** A token's choice: expert ids best first, and their weights. */
    record Choice(int[] ids, double[] weights) {}

    /** The gating in float64: scores, a top k with ties to the lower index, weights. */
    static Choice route(float[] logits, Gating g) {
        int e = logits.length, k = g.k();
        double[] score = new double[e], weight = new double[e];
        switch (g.kind()) {
            case SOFTMAX_TOPK -> {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (float l : logits) max = Math.max(max, l);
                for (int i = 0; i < e; i++) sum += weight[i] = Math.exp(logits[i] - max);
                for (int i = 0; i < e; i++) {
                    weight[i] /= sum;
                    score[i] = logits[i];
                }
            }
            case TOPK_SOFTMAX -> {
                for (int i = 0; i < e; i++) score[i] = logits[i];
            }
            case SIGMOID_TOPK -> {
                float[] bias = g.selectionBias();
                for (int i = 0; i < e; i++) {
                    weight[i] = 1 / (1 + Math.exp(-(double) logits[i]));
                    score[i] = weight[i] + (bias == null ? 0 : bias[i]);
                }
            }
        }
        int[] ids = new int[k];
        boolean[] taken = new boolean[e];
        for (int j = 0; j < k; j++) {
            int best = -1;
            for (int i = 0; i < e; i++) if (!taken[i] && (best < 0 || score[i] > score[best])) best = i;
            taken[best] = true;
            ids[j] = best;
        }
        double[] w = new double[k];
        if (g.kind() == Gating.Kind.TOPK_SOFTMAX) {
            double sum = 0;
            for (int j = 0; j < k; j++) sum += w[j] = Math.exp((double) logits[ids[j]] - logits[ids[0]]);
            for (int j = 0; j < k; j++) w[j] /= sum;
        } else {
            for (int j = 0; j < k; j++) w[j] = weight[ids[j]];
        }
        if (g.renormalize()) {  // llama.cpp's norm_w: the sum clamped to at least 2^-14
            double sum = 0;
            for (double v : w) sum += v;
            sum = Math.max(sum, 0x1p-14);
            for (int j = 0; j < k; j++) w[j] /= sum;
        }
        double scale = g.scale() == 0 ? 1 : g.scale();  // llama.cpp's w_scale: 0 means none
        for (int j = 0; j < k; j++) w[j] *= scale;
        return new Choice(ids, w);
    }

    /** Whether the k-th and (k+1)-th scores of a token tie exactly (then the choice may differ). */
    static boolean hasTieAtCut(float[] logits, Gating g) {
        double[] s = new double[logits.length];
        float[] bias = g.selectionBias();
        for (int i = 0; i < s.length; i++) {
            s[i] = g.kind() == Gating.Kind.SIGMOID_TOPK ? 1 / (1 + Math.exp(-(double) logits[i])) + (bias == null ? 0 : bias[i]) : logits[i];
        }
        double[] sorted = s.clone();
        java.util.Arrays.sort(sorted);
        int cut = sorted.length - g.k();
        return cut > 0 && sorted[cut] == sorted[cut - 1];
    }

    /**
     * y for one token: shared(x) + sum over the choice of w * expert(x); sensitivity gets the
     * matching sum of each FFN's sensitivity (weighted by |w|).
     */
    static double[] forward(double[] x, Choice choice, List<Ffn> experts, Ffn shared, double[] sensitivity) {
        return forward(x, choice, experts, shared, null, sensitivity);
    }

    /** As above, the shared expert weighted by sigmoid(x · sharedGate) if sharedGate is not null. */
    static double[] forward(double[] x, Choice choice, List<Ffn> experts, Ffn shared, double[] sharedGate, double[] sensitivity) {
        double[] y = shared != null ? shared.forward(x, sensitivity) : new double[x.length];
        if (sharedGate != null) {
            double dot = 0;
            for (int c = 0; c < x.length; c++) dot += sharedGate[c] * x[c];
            double s = 1 / (1 + Math.exp(-dot));
            for (int c = 0; c < y.length; c++) {
                y[c] *= s;
                sensitivity[c] *= s;
            }
        }
        double[] s = new double[x.length];
        for (int j = 0; j < choice.ids().length; j++) {
            double[] o = experts.get(choice.ids()[j]).forward(x, s);
            double w = choice.weights()[j];
            for (int i = 0; i < y.length; i++) {
                y[i] += w * o[i];
                sensitivity[i] += Math.abs(w) * s[i];
            }
        }
        return y;
    }

    static float[] row(MemorySegment s, int row, int cols) {
        float[] out = new float[cols];
        MemorySegment.copy(s, ValueLayout.JAVA_FLOAT, (long) row * cols * 4, out, 0, cols);
        return out;
    }
}
