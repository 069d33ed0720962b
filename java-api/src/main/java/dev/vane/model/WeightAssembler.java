package dev.vane.model;

import static dev.vane.model.Weight.*;

import dev.vane.FeedForward;
import dev.vane.QuantizedMatrix;
import dev.vane.RmsNorm;
import dev.vane.Tensor;
import dev.vane.moe.Gating;
import dev.vane.moe.MoeLayer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds {@link ModelWeights} for any {@link Architecture} from any {@link TensorSource}: the one
 * place that knows the transformer block's tensors. Every tensor is checked against the shape the
 * hyper-parameters give it; a required one that is missing, or one that contradicts the
 * hyper-parameters, is a {@link ModelFormatException} naming it.
 */
final class WeightAssembler {
    private final TensorSource src;
    private final ModelConfig c;
    private final Architecture a;
    private final WeightHolder holder;
    private final Arena arena;

    private WeightAssembler(TensorSource src, ModelConfig c, WeightFormat format, Arena arena) {
        this.src = src;
        this.c = c;
        this.a = c.family();
        this.holder = new WeightHolder(format, arena);
        this.arena = arena;
    }

    static ModelWeights assemble(TensorSource src, ModelConfig c, WeightFormat format, Arena arena) {
        return new WeightAssembler(src, c, format, arena).assemble();
    }

    private ModelWeights assemble() {
        QuantizedMatrix fileEmbedding = matrix(TOKEN_EMBD, 0, true);
        QuantizedMatrix embedding = holder.rowReadable(fileEmbedding, name(TOKEN_EMBD, 0));
        TensorSource.Source out = a.outputIsEmbedding() ? null : find(OUTPUT, 0, false);
        QuantizedMatrix output = out != null ? holder.hold(checked(out, OUTPUT, 0).matrix(0), out.name())
                : holder.hold(fileEmbedding, name(TOKEN_EMBD, 0));  // tied embeddings
        List<ModelWeights.Layer> layers = new ArrayList<>();
        for (int l = 0; l < c.layers(); l++) layers.add(layer(l));
        return new ModelWeights(embedding, norm(OUTPUT_NORM, 0), output, factors(ROPE_FREQS), factors(ROPE_FACTORS_LONG),
                factors(ROPE_FACTORS_SHORT), List.copyOf(layers), new InFlight());
    }

    private ModelWeights.Layer layer(int l) {
        QuantizedMatrix wq = null, wk = null, wv = null, wqkv;
        Tensor qkvBias;
        TensorSource.Source fused = find(ATTN_QKV, l, false);
        if (fused != null) {
            wqkv = holder.hold(checked(fused, ATTN_QKV, l).matrix(0), fused.name());
            qkvBias = floats(ATTN_QKV_BIAS, l, false);
        } else {
            Weight[] ws = {ATTN_Q, ATTN_K, ATTN_V};
            QuantizedMatrix[] ms = new QuantizedMatrix[3];
            String[] names = new String[3];
            for (int i = 0; i < 3; i++) {
                ms[i] = matrix(ws[i], l, true);
                names[i] = name(ws[i], l);
            }
            WeightHolder.Joined qkv = holder.holdTogether(ms, names);
            wq = qkv.parts()[0];
            wk = qkv.parts()[1];
            wv = qkv.parts()[2];
            wqkv = qkv.joined();
            qkvBias = joinedBias(l);
        }
        Tensor sinks = floats(ATTN_SINKS, l, false);
        FeedForward ffn = null;
        MoeLayer moe = null;
        if (c.moe()) moe = moe(l);
        else ffn = denseFfn(l);
        return new ModelWeights.Layer(norm(ATTN_NORM, l), wq, wk, wv, wqkv, qkvBias, norm(ATTN_Q_NORM, l),
                norm(ATTN_K_NORM, l), held(ATTN_OUT, l), floats(ATTN_OUT_BIAS, l, false), sinks,
                a.gemma() ? norm(ATTN_POST_NORM, l) : null, norm(a.ffnNorm(), l), ffn, moe,
                a.gemma() ? norm(FFN_POST_NORM, l) : null);
    }

    // Q, K and V biases as one [q + 2 kv] vector (all three or none).
    private Tensor joinedBias(int l) {
        Tensor q = floats(ATTN_Q_BIAS, l, false), k = floats(ATTN_K_BIAS, l, false), v = floats(ATTN_V_BIAS, l, false);
        if (q == null && k == null && v == null) return null;
        if (q == null || k == null || v == null) {
            throw new ModelFormatException("layer " + l + " has biases for only some of Q, K and V (" + (q != null ? "q " : "") + (k != null ? "k " : "")
                    + (v != null ? "v" : "") + "); Vane expects all three or none");
        }
        Tensor all = Tensor.allocate(arena, (long) c.qDim() + 2L * c.kvDim());
        long at = 0;
        for (Tensor t : new Tensor[] {q, k, v}) {
            MemorySegment.copy(t.segment(), 0, all.segment(), at, t.segment().byteSize());
            at += t.segment().byteSize();
        }
        return all;
    }

    private FeedForward denseFfn(int l) {
        QuantizedMatrix gate, up;
        String gateName, upName;
        if (a.fusedGateUp()) {  // one [2F, D] matrix, gate's rows first
            QuantizedMatrix gu = matrix(FFN_GATE_UP, l, true);
            long half = gu.format().byteSize(c.ffnDim(), c.dim());
            gate = QuantizedMatrix.wrap(gu.format(), gu.segment().asSlice(0, half), c.ffnDim(), c.dim());
            up = QuantizedMatrix.wrap(gu.format(), gu.segment().asSlice(half, half), c.ffnDim(), c.dim());
            gateName = name(FFN_GATE_UP, l) + " (gate half)";
            upName = name(FFN_GATE_UP, l) + " (up half)";
        } else {
            gate = matrix(FFN_GATE, l, true);
            up = matrix(FFN_UP, l, true);
            gateName = name(FFN_GATE, l);
            upName = name(FFN_UP, l);
        }
        return ffn(gate, up, held(FFN_DOWN, l), gateName, upName, floats(FFN_GATE_BIAS, l, false), floats(FFN_UP_BIAS, l, false),
                floats(FFN_DOWN_BIAS, l, false));
    }

    private MoeLayer moe(int l) {
        requireExpertCount(l);
        QuantizedMatrix router = matrix(ROUTER, l, true);
        TensorSource.Source gate = stacked(GATE_EXPS, l), up = stacked(UP_EXPS, l), down = stacked(DOWN_EXPS, l);
        TensorSource.Source gateB = find(GATE_EXPS_BIAS, l, false), upB = find(UP_EXPS_BIAS, l, false), downB = find(DOWN_EXPS_BIAS, l, false);
        List<FeedForward> experts = new ArrayList<>();
        for (int e = 0; e < c.experts(); e++) {
            String at = " expert " + e;
            experts.add(ffn(gate.matrix(e), up.matrix(e), holder.hold(down.matrix(e), down.name() + at), gate.name() + at, up.name() + at,
                    gateB == null ? null : gateB.floats(e, arena), upB == null ? null : upB.floats(e, arena),
                    downB == null ? null : downB.floats(e, arena)));
        }
        FeedForward shared = null;
        Tensor sharedGate = null;
        if (c.sharedFfnDim() > 0) {
            shared = ffn(matrix(GATE_SHEXP, l, true), matrix(UP_SHEXP, l, true), held(DOWN_SHEXP, l), name(GATE_SHEXP, l), name(UP_SHEXP, l),
                    null, null, null);
            sharedGate = floats(SHARED_GATE_INP, l, true);
        }
        Gating gating = new Gating(c.gating(), c.expertsUsed(), c.renormalize(), c.expertWeightsScale(), null);
        return new MoeLayer(router, floats(ROUTER_BIAS, l, false), experts, shared, sharedGate, gating);
    }

    // The expert count against layer l's router and stacked experts (their outermost dimension)
    // before any expert is read, so that a count the tensors do not hold is refused naming its key.
    private void requireExpertCount(int l) {
        for (Weight w : new Weight[] {ROUTER, GATE_EXPS, UP_EXPS, DOWN_EXPS}) {
            TensorSource.Source s = find(w, l, true);
            if (s == null) continue;  // a tensor the family does not read
            long[] shape = s.shape();
            if (shape.length == 0 || shape[0] != c.experts()) {
                throw new ModelFormatException(src.keyName("expert_count", "num_local_experts (or num_experts)") + " = " + c.experts()
                        + " does not match tensor '" + s.name() + "' of shape " + Arrays.toString(shape) + " (outermost first: one row or matrix per expert)");
            }
        }
    }

    private TensorSource.Source stacked(Weight w, int l) {
        return checked(find(w, l, true), w, l);
    }

    // A gated FFN with gate and up held back to back (libvane then runs them as one GEMM).
    private FeedForward ffn(QuantizedMatrix gate, QuantizedMatrix up, QuantizedMatrix down, String gateName, String upName, Tensor gateBias,
            Tensor upBias, Tensor downBias) {
        QuantizedMatrix[] gu = holder.holdTogether(new QuantizedMatrix[] {gate, up}, new String[] {gateName, upName}).parts();
        return new FeedForward(gu[0], gu[1], down, c.activation(), gateBias, upBias, downBias);
    }

    // ---- lookups ----

    private TensorSource.Source find(Weight w, int l, boolean required) {
        if (!a.reads(w, c)) return null;  // the family has no such tensor: any the file holds is not read
        TensorSource.Source s = src.find(w, l);
        if (s == null && (required || a.requires(w, c))) {
            throw new ModelFormatException("tensor '" + src.nameOf(w, l) + "' is missing (a " + a.ggufName() + (c.moe() ? " MoE" : "") + " model needs it)");
        }
        return s;
    }

    private TensorSource.Source checked(TensorSource.Source s, Weight w, int l) {
        long[] want = w.shape(c);
        if (!Arrays.equals(s.shape(), want)) {
            throw new ModelFormatException("tensor '" + s.name() + "' has shape " + Arrays.toString(s.shape()) + " (outermost first), but the"
                    + " hyper-parameters give " + Arrays.toString(want) + ": " + sizes());
        }
        return s;
    }

    private String sizes() {
        return a.ggufName() + " with dim " + c.dim() + ", " + c.heads() + " heads / " + c.kvHeads() + " KV heads of " + c.headDim() + ", ffn " + c.ffnDim()
                + (c.moe() ? ", " + c.experts() + " experts of " + c.expertFfnDim() + (c.sharedFfnDim() > 0 ? ", shared " + c.sharedFfnDim() : "") : "")
                + ", vocab " + c.vocab() + ", rope dims " + c.ropeDim();
    }

    private String name(Weight w, int l) {
        return src.nameOf(w, l);
    }

    // A matrix as the file stores it (scales checked), or null if optional and absent.
    private QuantizedMatrix matrix(Weight w, int l, boolean required) {
        TensorSource.Source s = find(w, l, required);
        return s == null ? null : checked(s, w, l).matrix(0);
    }

    private QuantizedMatrix held(Weight w, int l) {
        return holder.hold(matrix(w, l, true), name(w, l));
    }

    private Tensor floats(Weight w, int l, boolean required) {
        TensorSource.Source s = find(w, l, required);
        return s == null ? null : checked(s, w, l).floats(0, arena);
    }

    private RmsNorm norm(Weight w, int l) {
        Tensor t = floats(w, l, false);
        return t == null ? null : new RmsNorm(t, c.rmsEps());
    }

    private float[] factors(Weight w) {
        Tensor t = floats(w, 0, false);
        if (t == null) return null;
        float[] f = t.toFloatArray();
        for (float x : f) {
            if (!(x > 0) || !Float.isFinite(x)) throw new ModelFormatException("tensor '" + name(w, 0) + "' holds " + x + "; RoPE frequency factors must be finite and > 0");
        }
        return f;
    }
}
