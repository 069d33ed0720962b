package dev.vane.model;

import java.util.function.Function;

/**
 * Every tensor a model of any family may have, by its GGUF name (llama.cpp's names, the same in
 * every family) and its shape from the hyper-parameters, outermost dimension first ([rows, cols]
 * for a matrix, [experts, rows, cols] for stacked experts; GGUF's ne order is the reverse). A
 * family's {@link Architecture} says which of them it needs and which it may have.
 */
enum Weight {
    TOKEN_EMBD("token_embd.weight", c -> dims(c.vocab(), c.dim())),
    OUTPUT_NORM("output_norm.weight", c -> dims(c.dim())),
    OUTPUT("output.weight", c -> dims(c.vocab(), c.dim())),
    ROPE_FREQS("rope_freqs.weight", c -> dims(c.ropeDim() / 2)),
    ROPE_FACTORS_LONG("rope_factors_long.weight", c -> dims(c.ropeDim() / 2)),
    ROPE_FACTORS_SHORT("rope_factors_short.weight", c -> dims(c.ropeDim() / 2)),

    ATTN_NORM("blk.%d.attn_norm.weight", c -> dims(c.dim())),
    ATTN_QKV("blk.%d.attn_qkv.weight", c -> dims(c.qDim() + 2L * c.kvDim(), c.dim())),
    ATTN_QKV_BIAS("blk.%d.attn_qkv.bias", c -> dims(c.qDim() + 2L * c.kvDim())),
    ATTN_Q("blk.%d.attn_q.weight", c -> dims(c.qDim(), c.dim())),
    ATTN_K("blk.%d.attn_k.weight", c -> dims(c.kvDim(), c.dim())),
    ATTN_V("blk.%d.attn_v.weight", c -> dims(c.kvDim(), c.dim())),
    ATTN_Q_BIAS("blk.%d.attn_q.bias", c -> dims(c.qDim())),
    ATTN_K_BIAS("blk.%d.attn_k.bias", c -> dims(c.kvDim())),
    ATTN_V_BIAS("blk.%d.attn_v.bias", c -> dims(c.kvDim())),
    ATTN_Q_NORM("blk.%d.attn_q_norm.weight", c -> dims(c.headDim())),
    ATTN_K_NORM("blk.%d.attn_k_norm.weight", c -> dims(c.headDim())),
    ATTN_OUT("blk.%d.attn_output.weight", c -> dims(c.dim(), c.qDim())),
    ATTN_OUT_BIAS("blk.%d.attn_output.bias", c -> dims(c.dim())),
    ATTN_SINKS("blk.%d.attn_sinks.weight", c -> dims(c.heads())),
    ATTN_POST_NORM("blk.%d.post_attention_norm.weight", c -> dims(c.dim())),

    FFN_NORM("blk.%d.ffn_norm.weight", c -> dims(c.dim())),
    FFN_GATE("blk.%d.ffn_gate.weight", c -> dims(c.ffnDim(), c.dim())),
    FFN_UP("blk.%d.ffn_up.weight", c -> dims(c.ffnDim(), c.dim())),
    /** Gate and up as one matrix, gate's rows first (Phi-3's ffn_up). */
    FFN_GATE_UP("blk.%d.ffn_up.weight", c -> dims(2L * c.ffnDim(), c.dim())),
    FFN_DOWN("blk.%d.ffn_down.weight", c -> dims(c.dim(), c.ffnDim())),
    FFN_GATE_BIAS("blk.%d.ffn_gate.bias", c -> dims(c.ffnDim())),
    FFN_UP_BIAS("blk.%d.ffn_up.bias", c -> dims(c.ffnDim())),
    FFN_DOWN_BIAS("blk.%d.ffn_down.bias", c -> dims(c.dim())),
    FFN_POST_NORM("blk.%d.post_ffw_norm.weight", c -> dims(c.dim())),

    ROUTER("blk.%d.ffn_gate_inp.weight", c -> dims(c.experts(), c.dim())),
    ROUTER_BIAS("blk.%d.ffn_gate_inp.bias", c -> dims(c.experts())),
    GATE_EXPS("blk.%d.ffn_gate_exps.weight", c -> dims(c.experts(), c.expertFfnDim(), c.dim())),
    UP_EXPS("blk.%d.ffn_up_exps.weight", c -> dims(c.experts(), c.expertFfnDim(), c.dim())),
    DOWN_EXPS("blk.%d.ffn_down_exps.weight", c -> dims(c.experts(), c.dim(), c.expertFfnDim())),
    GATE_EXPS_BIAS("blk.%d.ffn_gate_exps.bias", c -> dims(c.experts(), c.expertFfnDim())),
    UP_EXPS_BIAS("blk.%d.ffn_up_exps.bias", c -> dims(c.experts(), c.expertFfnDim())),
    DOWN_EXPS_BIAS("blk.%d.ffn_down_exps.bias", c -> dims(c.experts(), c.dim())),
    SHARED_GATE_INP("blk.%d.ffn_gate_inp_shexp.weight", c -> dims(c.dim())),
    GATE_SHEXP("blk.%d.ffn_gate_shexp.weight", c -> dims(c.sharedFfnDim(), c.dim())),
    UP_SHEXP("blk.%d.ffn_up_shexp.weight", c -> dims(c.sharedFfnDim(), c.dim())),
    DOWN_SHEXP("blk.%d.ffn_down_shexp.weight", c -> dims(c.dim(), c.sharedFfnDim()));

    private final String pattern;
    private final Function<ModelConfig, long[]> shape;

    Weight(String pattern, Function<ModelConfig, long[]> shape) {
        this.pattern = pattern;
        this.shape = shape;
    }

    /** Whether the tensor is one per layer (blk.N.*). */
    boolean perLayer() {
        return pattern.startsWith("blk.");
    }

    /** The GGUF name of layer `layer`'s tensor (the layer is ignored for a model-wide one). */
    String ggufName(int layer) {
        return perLayer() ? pattern.replace("%d", Integer.toString(layer)) : pattern;
    }

    /** The shape the hyper-parameters give it, outermost first. */
    long[] shape(ModelConfig c) {
        return shape.apply(c);
    }

    private static long[] dims(long... d) {
        return d;
    }
}
