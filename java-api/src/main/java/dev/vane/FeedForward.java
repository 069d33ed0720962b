package dev.vane;

import dev.vane.bindings.NativeLayouts;
import dev.vane.bindings.VaneNative;
import dev.vane.internal.LayerArgs;
import dev.vane.internal.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.util.Objects;

/**
 * A gated feed-forward block, as in Llama, Gemma, gpt-oss and in each expert of a mixture:
 * {@code y = down(act(gate(x) + gateBias) * f(up(x) + upBias)) + downBias}, with gate and up
 * [F, D] and down [D, F] in any weight format (each {@code x · Wᵀ} as
 * {@link QuantizedMatrix#multiply}), the activation one of {@link Activation} and each bias
 * optional. Holds the matrices and biases, which must stay open while it is used.
 */
public final class FeedForward {
    /** gpt-oss's SWIGLU_OAI constants (llama.cpp's build_ffn / build_moe_ffn). */
    public static final float SWIGLU_OAI_ALPHA = 1.702f;

    public static final float SWIGLU_OAI_LIMIT = 7.0f;

    /** The gated activations {@code act(g) * f(u)} (vane.h's VANE_ACT_*). */
    public enum Activation {
        /** SwiGLU: {@code silu(g) * u}, {@code silu(g) = g / (1 + e^-g)} (Llama, Qwen, Mixtral). */
        SILU(0),
        /**
         * GeGLU: {@code gelu(g) * u}, gelu the tanh approximation
         * {@code 0.5 g (1 + tanh(sqrt(2/π) g (1 + 0.044715 g²)))} (Gemma). Computed in f32; llama.cpp's
         * CPU path reads gelu from an f16 table, which puts its result up to about 1.2e-3 · |g u| from this one.
         */
        GELU(1),
        /**
         * gpt-oss: {@code g' = min(g, limit)}, {@code u' = clamp(u, -limit, limit)},
         * {@code out = g' / (1 + e^(-alpha g')) · (u' + 1)} (alpha 1.702, limit 7 by default).
         */
        SWIGLU_OAI(2);

        private final int id;

        Activation(int id) {
            this.id = id;
        }

        /** The VANE_ACT_* value. */
        public int id() {
            return id;
        }
    }

    private final QuantizedMatrix gate;
    private final QuantizedMatrix up;
    private final QuantizedMatrix down;
    private final Activation activation;
    private final float alpha;
    private final float limit;
    private final Tensor gateBias;
    private final Tensor upBias;
    private final Tensor downBias;
    private final MemorySegment struct;  // vane_ffn

    /** A SwiGLU block without biases. */
    public FeedForward(QuantizedMatrix gate, QuantizedMatrix up, QuantizedMatrix down) {
        this(gate, up, down, Activation.SILU, null, null, null);
    }

    /**
     * A block with the given activation (SWIGLU_OAI with alpha 1.702 and limit 7) and biases:
     * F32 [F], [F] and [D] tensors in native memory, each or all null for none.
     */
    public FeedForward(QuantizedMatrix gate, QuantizedMatrix up, QuantizedMatrix down, Activation activation, Tensor gateBias,
            Tensor upBias, Tensor downBias) {
        this(gate, up, down, activation, SWIGLU_OAI_ALPHA, SWIGLU_OAI_LIMIT, gateBias, upBias, downBias);
    }

    /**
     * A block with the given activation and SWIGLU_OAI constants (alpha finite, limit > 0 or
     * +Infinity for no clamp; the other activations ignore them), and biases as above.
     */
    public FeedForward(QuantizedMatrix gate, QuantizedMatrix up, QuantizedMatrix down, Activation activation, float alpha, float limit,
            Tensor gateBias, Tensor upBias, Tensor downBias) {
        this.gate = Objects.requireNonNull(gate, "gate must not be null");
        this.up = Objects.requireNonNull(up, "up must not be null");
        this.down = Objects.requireNonNull(down, "down must not be null");
        this.activation = Objects.requireNonNull(activation, "activation must not be null");
        long f = gate.rows(), d = gate.cols();
        if (up.rows() != f || up.cols() != d || down.rows() != d || down.cols() != f) {
            throw new IllegalArgumentException("gate and up must be [F, D] and down [D, F]; got gate " + shape(gate) + ", up "
                    + shape(up) + ", down " + shape(down));
        }
        if (activation == Activation.SWIGLU_OAI && (!Float.isFinite(alpha) || !(limit > 0))) {
            throw new IllegalArgumentException("SWIGLU_OAI needs a finite alpha and a limit > 0 (Infinity for none), got alpha = " + alpha
                    + ", limit = " + limit);
        }
        this.alpha = alpha;
        this.limit = limit;
        this.gateBias = LayerArgs.vector(gateBias, f, "gateBias", "F");
        this.upBias = LayerArgs.vector(upBias, f, "upBias", "F");
        this.downBias = LayerArgs.vector(downBias, d, "downBias", "D");
        struct = Arena.ofAuto().allocate(NativeLayouts.FFN);
        LayerArgs.writeFfn(struct, 0, this);
    }

    /** D, the size of x and y. */
    public long dim() {
        return gate.cols();
    }

    /** F, the hidden size. */
    public long hiddenDim() {
        return gate.rows();
    }

    public QuantizedMatrix gate() {
        return gate;
    }

    public QuantizedMatrix up() {
        return up;
    }

    public QuantizedMatrix down() {
        return down;
    }

    public Activation activation() {
        return activation;
    }

    /** SWIGLU_OAI's alpha (as given; the other activations ignore it). */
    public float alpha() {
        return alpha;
    }

    /** SWIGLU_OAI's limit (as given; the other activations ignore it). */
    public float limit() {
        return limit;
    }

    /** The gate bias [F], or null. */
    public Tensor gateBias() {
        return gateBias;
    }

    /** The up bias [F], or null. */
    public Tensor upBias() {
        return upBias;
    }

    /** The down bias [D], or null. */
    public Tensor downBias() {
        return downBias;
    }

    /** y = ffn(x) into a new tensor shaped as x ([T, D] or [D]); the caller closes it. */
    public Tensor forward(Tensor x) {
        return LayerArgs.newOutput(x, dim(), y -> forward(x, y));
    }

    /** y = ffn(x) into y, shaped as x (and disjoint from x and the down bias). */
    public void forward(Tensor x, Tensor y) {
        Objects.requireNonNull(x, "x must not be null");
        Objects.requireNonNull(y, "y must not be null");
        long t = LayerArgs.rows(x, dim(), "x");
        LayerArgs.requireOutput(x, y);
        LayerArgs.requireAlive(this, "");
        if (downBias != null && downBias.segment().asOverlappingSlice(y.segment()).isPresent()) {
            throw new IllegalArgumentException("y overlaps the down bias; use a separate buffer");
        }
        try {
            Native.check((int) VaneNative.FFN_FORWARD.invokeExact(struct, dim(), hiddenDim(), x.segment(), t, y.segment()));
            Reference.reachabilityFence(this);  // the native struct holds the matrices' addresses; they must outlive the call
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    private static String shape(QuantizedMatrix m) {
        return "[" + m.rows() + ", " + m.cols() + "]";
    }

    @Override
    public String toString() {
        String biases = (gateBias != null ? "g" : "") + (upBias != null ? "u" : "") + (downBias != null ? "d" : "");
        return "FeedForward[D=" + dim() + ", F=" + hiddenDim() + ", " + activation
                + (activation == Activation.SWIGLU_OAI ? "(alpha=" + alpha + ", limit=" + limit + ")" : "") + ", "
                + gate.format().formatName() + "/" + up.format().formatName() + "/" + down.format().formatName()
                + (biases.isEmpty() ? "" : ", biases " + biases) + "]";
    }
}
