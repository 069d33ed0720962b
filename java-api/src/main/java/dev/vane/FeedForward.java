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
 * A SwiGLU feed-forward block, as in Llama and in each expert of Mixtral:
 * {@code y = down(silu(gate(x)) * up(x))}, {@code silu(g) = g / (1 + e^-g)}, with gate and up
 * [F, D] and down [D, F] in any weight format (each {@code x · Wᵀ} as
 * {@link QuantizedMatrix#multiply}). Holds the matrices, which must stay open while it is used.
 */
public final class FeedForward {
    private final QuantizedMatrix gate;
    private final QuantizedMatrix up;
    private final QuantizedMatrix down;
    private final MemorySegment struct;  // vane_ffn

    public FeedForward(QuantizedMatrix gate, QuantizedMatrix up, QuantizedMatrix down) {
        this.gate = Objects.requireNonNull(gate, "gate must not be null");
        this.up = Objects.requireNonNull(up, "up must not be null");
        this.down = Objects.requireNonNull(down, "down must not be null");
        long f = gate.rows(), d = gate.cols();
        if (up.rows() != f || up.cols() != d || down.rows() != d || down.cols() != f) {
            throw new IllegalArgumentException("gate and up must be [F, D] and down [D, F]; got gate " + shape(gate) + ", up "
                    + shape(up) + ", down " + shape(down));
        }
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

    /** y = ffn(x) into a new tensor shaped as x ([T, D] or [D]); the caller closes it. */
    public Tensor forward(Tensor x) {
        return LayerArgs.newOutput(x, dim(), y -> forward(x, y));
    }

    /** y = ffn(x) into y, shaped as x. */
    public void forward(Tensor x, Tensor y) {
        Objects.requireNonNull(x, "x must not be null");
        Objects.requireNonNull(y, "y must not be null");
        long t = LayerArgs.rows(x, dim(), "x");
        LayerArgs.requireOutput(x, y);
        LayerArgs.requireAlive(this, "");
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
        return "FeedForward[D=" + dim() + ", F=" + hiddenDim() + ", " + gate.format().formatName() + "/" + up.format().formatName()
                + "/" + down.format().formatName() + "]";
    }
}
