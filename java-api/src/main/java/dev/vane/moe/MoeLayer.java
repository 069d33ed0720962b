package dev.vane.moe;

import dev.vane.DType;
import dev.vane.FeedForward;
import dev.vane.QuantizedMatrix;
import dev.vane.Tensor;
import dev.vane.bindings.NativeLayouts;
import dev.vane.bindings.VaneNative;
import dev.vane.internal.LayerArgs;
import dev.vane.internal.Native;
import dev.vane.internal.Segments;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.lang.ref.Reference;
import java.util.Objects;

/**
 * A mixture-of-experts feed-forward layer (Mixtral, DeepSeek, Qwen-MoE, gpt-oss): a router [E, D]
 * whose logits {@code x · routerᵀ + routerBias} pick k of E gated experts per token
 * ({@link Gating}), the experts ({@link FeedForward}s of one shape, [F, D] gate and up, [D, F]
 * down, any weight format, each with its activation and biases), and optionally a shared expert
 * every token also runs, with weight 1 or, given a shared gate, {@code sigmoid(x · sharedGate)}:
 * {@code y[t] = Σ_chosen w_e · expert_e(x[t]) + s_t · shared(x[t])}.
 *
 * <p>In native code the (token, expert) pairs are grouped by expert, each expert runs once on its
 * tokens as an M-row GEMM over the thread pool, and each token's results are added in its routing
 * order, then the shared expert's (llama.cpp's order). The layer holds its matrices and tensors,
 * which must stay open while it is used.
 */
public final class MoeLayer {
    private final QuantizedMatrix router;
    private final Tensor routerBias;
    private final List<FeedForward> experts;
    private final FeedForward shared;
    private final Tensor sharedGate;
    private final Gating gating;
    private final MemorySegment layer;  // vane_moe_layer, with the experts array and bias beside it

    /** A layer without a shared expert. */
    public MoeLayer(QuantizedMatrix router, List<FeedForward> experts, Gating gating) {
        this(router, null, experts, null, null, gating);
    }

    /** A layer with a shared expert (null for none), whose hidden size may differ from the experts'. */
    public MoeLayer(QuantizedMatrix router, List<FeedForward> experts, FeedForward shared, Gating gating) {
        this(router, null, experts, shared, null, gating);
    }

    /**
     * A layer with every option: routerBias F32 [E] added to the logits before gating (gpt-oss),
     * or null; a shared expert or null; sharedGate F32 [D], only with a shared expert, whose
     * output it then weighs per token by {@code sigmoid(x · sharedGate)} (Qwen2-MoE's
     * ffn_gate_inp_shexp), or null for weight 1. Both tensors in native memory.
     */
    public MoeLayer(QuantizedMatrix router, Tensor routerBias, List<FeedForward> experts, FeedForward shared, Tensor sharedGate,
            Gating gating) {
        this.router = Objects.requireNonNull(router, "router must not be null");
        this.experts = List.copyOf(Objects.requireNonNull(experts, "experts must not be null"));
        this.shared = shared;
        this.gating = Objects.requireNonNull(gating, "gating must not be null");
        int e = this.experts.size();
        if (e == 0) throw new IllegalArgumentException("a mixture of experts needs at least one expert");
        if (gating.k() > e) throw new IllegalArgumentException("k = " + gating.k() + " experts per token but the layer has " + e);
        long d = router.cols();
        if (router.rows() != e) {
            throw new IllegalArgumentException("the router must be [E, D] = [" + e + ", D], got [" + router.rows() + ", " + d + "]");
        }
        float[] bias = gating.selectionBias();
        if (bias != null && bias.length != e) {
            throw new IllegalArgumentException("the selection bias has " + bias.length + " values for " + e + " experts");
        }
        FeedForward first = this.experts.get(0);
        for (int i = 0; i < e; i++) {
            FeedForward f = this.experts.get(i);
            if (f.dim() != d || f.hiddenDim() != first.hiddenDim()) {
                throw new IllegalArgumentException("expert " + i + " is [D=" + f.dim() + ", F=" + f.hiddenDim() + "] but the router has D = "
                        + d + " and expert 0 F = " + first.hiddenDim() + ": every expert must have the same shape");
            }
        }
        if (shared != null && shared.dim() != d) {
            throw new IllegalArgumentException("the shared expert has D = " + shared.dim() + ", the router D = " + d);
        }
        if (sharedGate != null && shared == null) throw new IllegalArgumentException("a shared gate needs a shared expert");
        this.routerBias = LayerArgs.vector(routerBias, e, "routerBias", "E");
        this.sharedGate = LayerArgs.vector(sharedGate, d, "sharedGate", "D");
        Arena arena = Arena.ofAuto();
        layer = arena.allocate(NativeLayouts.MOE_LAYER);
        MemorySegment array = arena.allocate(NativeLayouts.FFN, e);
        for (int i = 0; i < e; i++) LayerArgs.writeFfn(array, i * NativeLayouts.FFN.byteSize(), this.experts.get(i));
        NativeLayouts.MOE_LAYER_DIM.set(layer, d);
        NativeLayouts.MOE_LAYER_FFN_DIM.set(layer, first.hiddenDim());
        NativeLayouts.MOE_LAYER_N_EXPERTS.set(layer, (long) e);
        LayerArgs.writeMatrix(layer, NativeLayouts.MOE_LAYER_ROUTER_OFFSET, router);
        NativeLayouts.MOE_LAYER_EXPERTS.set(layer, array);
        if (shared != null) {
            MemorySegment s = arena.allocate(NativeLayouts.FFN);
            LayerArgs.writeFfn(s, 0, shared);
            NativeLayouts.MOE_LAYER_SHARED.set(layer, s);
            NativeLayouts.MOE_LAYER_SHARED_FFN_DIM.set(layer, shared.hiddenDim());
        } else {
            NativeLayouts.MOE_LAYER_SHARED.set(layer, MemorySegment.NULL);
            NativeLayouts.MOE_LAYER_SHARED_FFN_DIM.set(layer, 0L);
        }
        writeGating(layer.asSlice(NativeLayouts.MOE_LAYER_GATING_OFFSET, NativeLayouts.GATING.byteSize()), gating, arena);
        NativeLayouts.MOE_LAYER_ROUTER_BIAS.set(layer, LayerArgs.address(this.routerBias));
        NativeLayouts.MOE_LAYER_SHARED_GATE.set(layer, LayerArgs.address(this.sharedGate));
    }

    /** The router matrix [E, D]. */
    public QuantizedMatrix router() {
        return router;
    }

    /** The router bias [E], or null. */
    public Tensor routerBias() {
        return routerBias;
    }

    /** The shared expert, or null. */
    public FeedForward shared() {
        return shared;
    }

    /** The shared expert's gate [D], or null. */
    public Tensor sharedGate() {
        return sharedGate;
    }

    /** The experts, in order. */
    public List<FeedForward> expertList() {
        return experts;
    }

    public int experts() {
        return experts.size();
    }

    /** D, the size of x and y. */
    public long dim() {
        return router.cols();
    }

    public Gating gating() {
        return gating;
    }

    /** y = layer(x) into a new tensor shaped as x ([T, D] or [D]); the caller closes it. */
    public Tensor forward(Tensor x) {
        return LayerArgs.newOutput(x, dim(), y -> forward(x, y));
    }

    /** y = layer(x) into y (shaped as x); returns the call's expert load and phase times. */
    public MoeStats forward(Tensor x, Tensor y) {
        Objects.requireNonNull(x, "x must not be null");
        Objects.requireNonNull(y, "y must not be null");
        long t = LayerArgs.rows(x, dim(), "x");
        LayerArgs.requireOutput(x, y);
        requireAlive();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment counts = call.allocate(ValueLayout.JAVA_LONG, experts.size());
            MemorySegment stats = call.allocate(NativeLayouts.MOE_STATS);
            NativeLayouts.MOE_STATS_TOKENS_PER_EXPERT.set(stats, counts);
            Native.check((int) VaneNative.MOE_FORWARD.invokeExact(layer, x.segment(), t, y.segment(), stats));
            Reference.reachabilityFence(this);  // the native struct holds the matrices' addresses; they must outlive the call
            return new MoeStats(counts.toArray(ValueLayout.JAVA_LONG), (double) NativeLayouts.MOE_STATS_ROUTE_SECONDS.get(stats),
                    (double) NativeLayouts.MOE_STATS_GROUP_SECONDS.get(stats), (double) NativeLayouts.MOE_STATS_EXPERTS_SECONDS.get(stats),
                    (double) NativeLayouts.MOE_STATS_COMBINE_SECONDS.get(stats));
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** The routing step alone: the router's logits for x ([T, D] or [D]), then the gating. */
    public Routing route(Tensor x) {
        Objects.requireNonNull(x, "x must not be null");
        LayerArgs.rows(x, dim(), "x");
        LayerArgs.requireAlive(router, "router");
        try (Tensor logits = logits(x)) {
            return route(logits, gating);
        }
    }

    /** The router's logits for x, router bias included: [T, E] (or [E] for x [D]). The caller closes the tensor. */
    public Tensor logits(Tensor x) {
        Objects.requireNonNull(x, "x must not be null");
        if (routerBias == null) return router.multiply(x);
        x.requireDType(DType.F32, "x");
        long e = router.rows();
        long[] shape = x.rank() == 1 ? new long[] {e} : new long[] {x.rank() == 2 ? x.dim(0) : 1, e};
        return LayerArgs.filled(shape, y -> router.multiply(x, routerBias, y));
    }

    /** Gating alone on given logits, F32 [T, E] or [E]. Non-finite logits: VaneException (NON_FINITE). */
    public static Routing route(Tensor logits, Gating gating) {
        Objects.requireNonNull(logits, "logits must not be null");
        Objects.requireNonNull(gating, "gating must not be null");
        logits.requireDType(DType.F32, "logits");
        if (logits.rank() != 1 && logits.rank() != 2) throw new IllegalArgumentException("logits must be [T, E] or [E], got " + logits);
        long t = logits.rank() == 1 ? 1 : logits.dim(0);
        long e = logits.dim(logits.rank() - 1);
        if (gating.k() > e) throw new IllegalArgumentException("k = " + gating.k() + " experts per token but the logits have " + e);
        if (t * gating.k() > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("too many tokens to route at once: " + t);
        float[] bias = gating.selectionBias();
        if (bias != null && bias.length != e) {
            throw new IllegalArgumentException("the selection bias has " + bias.length + " values for " + e + " experts");
        }
        Segments.requireReadable(logits.segment(), "logits", logits.segment().byteSize(), "its elements");
        Segments.requireNative(logits.segment(), "logits");
        int k = gating.k();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment g = call.allocate(NativeLayouts.GATING);
            writeGating(g, gating, call);
            MemorySegment ids = call.allocate(ValueLayout.JAVA_INT, t * k);
            MemorySegment weights = call.allocate(ValueLayout.JAVA_FLOAT, t * k);
            MemorySegment counts = call.allocate(ValueLayout.JAVA_LONG, e);
            Native.check((int) VaneNative.MOE_ROUTE.invokeExact(g, logits.segment(), t, e, e, ids, weights, counts));
            return new Routing((int) t, k, ids.toArray(ValueLayout.JAVA_INT), weights.toArray(ValueLayout.JAVA_FLOAT),
                    counts.toArray(ValueLayout.JAVA_LONG));
        } catch (Throwable ex) {
            throw Native.rethrow(ex);
        }
    }

    private void requireAlive() {
        LayerArgs.requireAlive(router, "router");
        for (int i = 0; i < experts.size(); i++) LayerArgs.requireAlive(experts.get(i), "expert " + i + " ");
        if (shared != null) LayerArgs.requireAlive(shared, "shared expert ");
        if (routerBias != null) LayerArgs.requireAlive(routerBias, "router bias");
        if (sharedGate != null) LayerArgs.requireAlive(sharedGate, "shared gate");
    }

    private static void writeGating(MemorySegment g, Gating gating, Arena arena) {
        NativeLayouts.GATING_KIND.set(g, gating.kind().id());
        NativeLayouts.GATING_K.set(g, gating.k());
        NativeLayouts.GATING_RENORMALIZE.set(g, gating.renormalize() ? 1 : 0);
        NativeLayouts.GATING_SCALE.set(g, gating.scale());
        float[] bias = gating.selectionBias();
        NativeLayouts.GATING_SELECTION_BIAS.set(g, bias == null ? MemorySegment.NULL : arena.allocateFrom(ValueLayout.JAVA_FLOAT, bias));
    }

    @Override
    public String toString() {
        return "MoeLayer[E=" + experts.size() + ", k=" + gating.k() + ", " + gating.kind() + ", D=" + dim() + ", F="
                + experts.get(0).hiddenDim() + ", " + experts.get(0).activation() + (routerBias != null ? ", router bias" : "")
                + (shared != null ? ", shared F=" + shared.hiddenDim() + (sharedGate != null ? " gated" : "") : "") + "]";
    }
}
