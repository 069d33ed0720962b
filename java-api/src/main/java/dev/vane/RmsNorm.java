package dev.vane;

import dev.vane.bindings.VaneNative;
import dev.vane.internal.LayerArgs;
import dev.vane.internal.Native;
import dev.vane.internal.Segments;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.util.Objects;

/**
 * RMSNorm, as Llama models normalize: y = x / sqrt(mean(x²) + eps) · weight per row (the sum of
 * squares in double, as llama.cpp). Also the residual add a transformer block needs.
 */
public final class RmsNorm {
    private final Tensor weight;
    private final float eps;

    /** weight: F32 [dim] (the tensor must stay alive while this norm is used); eps >= 0. */
    public RmsNorm(Tensor weight, float eps) {
        this.weight = Objects.requireNonNull(weight, "weight must not be null");
        weight.requireDType(DType.F32, "weight");
        if (weight.rank() != 1) throw new IllegalArgumentException("weight must be [dim], got " + weight);
        if (!(eps >= 0) || !Float.isFinite(eps)) throw new IllegalArgumentException("eps must be finite and >= 0, got " + eps);
        this.eps = eps;
    }

    public long dim() {
        return weight.dim(0);
    }

    public float eps() {
        return eps;
    }

    /** y = norm(x) for x [T, dim] or [dim]; y shaped as x, disjoint from it or the same memory (in place). */
    public void apply(Tensor x, Tensor y) {
        Objects.requireNonNull(y, "y must not be null");
        long t = LayerArgs.rows(x, dim(), "x");
        boolean inPlace = x.segment().address() == y.segment().address() && java.util.Arrays.equals(x.shape(), y.shape());
        if (!inPlace) LayerArgs.requireOutput(x, y);
        y.requireDType(DType.F32, "y");
        Segments.requireWritable(y.segment(), "y", y.segment().byteSize(), "its elements");
        Segments.requireReadable(weight.segment(), "weight", weight.segment().byteSize(), "its elements");
        Segments.requireNative(weight.segment(), "weight");
        long d = dim();
        try {
            Native.check((int) VaneNative.RMS_NORM.invokeExact(x.segment(), t, d, d, weight.segment(), eps, y.segment(), d));
            Reference.reachabilityFence(weight);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** y += x, elementwise (a residual connection); x and y of the same shape. */
    public static void addInPlace(Tensor y, Tensor x) {
        Objects.requireNonNull(x, "x must not be null");
        Objects.requireNonNull(y, "y must not be null");
        x.requireDType(DType.F32, "x");
        y.requireDType(DType.F32, "y");
        if (!java.util.Arrays.equals(x.shape(), y.shape())) throw new IllegalArgumentException("x and y must have one shape, got " + x + " and " + y);
        Segments.requireReadable(x.segment(), "x", x.segment().byteSize(), "its elements");
        Segments.requireNative(x.segment(), "x");
        Segments.requireWritable(y.segment(), "y", y.segment().byteSize(), "its elements");
        Segments.requireNative(y.segment(), "y");
        MemorySegment ys = y.segment();
        try {
            Native.check((int) VaneNative.ADD.invokeExact(ys, x.segment(), x.elementCount()));
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    @Override
    public String toString() {
        return "RmsNorm[dim=" + dim() + ", eps=" + eps + "]";
    }
}
