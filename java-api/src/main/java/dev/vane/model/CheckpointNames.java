package dev.vane.model;

import java.util.List;
import java.util.Map;

/**
 * The names Hugging Face transformers gives each tensor in the Llama, Mistral, Mixtral, Qwen2 and
 * Qwen3 (MoE) families, by the GGUF name llama.cpp gives it: what {@link Model#load} looks for in
 * a checkpoint, and what a tool converting between the two writes.
 */
public final class CheckpointNames {
    private static final String L = "model.layers.%d.";
    // Each Weight's names, the first one present wins; %e is an expert index.
    static final Map<Weight, List<String>> NAMES = Map.ofEntries(
            Map.entry(Weight.TOKEN_EMBD, List.of("model.embed_tokens.weight")),
            Map.entry(Weight.OUTPUT_NORM, List.of("model.norm.weight")),
            Map.entry(Weight.OUTPUT, List.of("lm_head.weight")),
            Map.entry(Weight.ATTN_NORM, List.of(L + "input_layernorm.weight")),
            Map.entry(Weight.ATTN_Q, List.of(L + "self_attn.q_proj.weight")),
            Map.entry(Weight.ATTN_K, List.of(L + "self_attn.k_proj.weight")),
            Map.entry(Weight.ATTN_V, List.of(L + "self_attn.v_proj.weight")),
            Map.entry(Weight.ATTN_Q_BIAS, List.of(L + "self_attn.q_proj.bias")),
            Map.entry(Weight.ATTN_K_BIAS, List.of(L + "self_attn.k_proj.bias")),
            Map.entry(Weight.ATTN_V_BIAS, List.of(L + "self_attn.v_proj.bias")),
            Map.entry(Weight.ATTN_Q_NORM, List.of(L + "self_attn.q_norm.weight")),
            Map.entry(Weight.ATTN_K_NORM, List.of(L + "self_attn.k_norm.weight")),
            Map.entry(Weight.ATTN_OUT, List.of(L + "self_attn.o_proj.weight")),
            Map.entry(Weight.ATTN_OUT_BIAS, List.of(L + "self_attn.o_proj.bias")),
            Map.entry(Weight.FFN_NORM, List.of(L + "post_attention_layernorm.weight")),
            Map.entry(Weight.FFN_GATE, List.of(L + "mlp.gate_proj.weight")),
            Map.entry(Weight.FFN_UP, List.of(L + "mlp.up_proj.weight")),
            Map.entry(Weight.FFN_DOWN, List.of(L + "mlp.down_proj.weight")),
            Map.entry(Weight.ROUTER, List.of(L + "mlp.gate.weight", L + "block_sparse_moe.gate.weight")),
            Map.entry(Weight.GATE_EXPS, List.of(L + "mlp.experts.%e.gate_proj.weight", L + "block_sparse_moe.experts.%e.w1.weight")),
            Map.entry(Weight.UP_EXPS, List.of(L + "mlp.experts.%e.up_proj.weight", L + "block_sparse_moe.experts.%e.w3.weight")),
            Map.entry(Weight.DOWN_EXPS, List.of(L + "mlp.experts.%e.down_proj.weight", L + "block_sparse_moe.experts.%e.w2.weight")),
            Map.entry(Weight.SHARED_GATE_INP, List.of(L + "mlp.shared_expert_gate.weight")),
            Map.entry(Weight.GATE_SHEXP, List.of(L + "mlp.shared_expert.gate_proj.weight")),
            Map.entry(Weight.UP_SHEXP, List.of(L + "mlp.shared_expert.up_proj.weight")),
            Map.entry(Weight.DOWN_SHEXP, List.of(L + "mlp.shared_expert.down_proj.weight")));


    private CheckpointNames() {}

    /** The candidate name patterns of w (%d the layer, %e the expert), the first present wins; empty when checkpoints have none. */
    static List<String> patterns(Weight w) {
        return NAMES.getOrDefault(w, List.of());
    }

    /**
     * The checkpoint name of the GGUF tensor ggufName (e.g. "blk.3.attn_q.weight" ->
     * "model.layers.3.self_attn.q_proj.weight"); for stacked experts (ffn_*_exps), expert e's
     * tensor in the Qwen naming (mlp.experts.E.*_proj). Null when checkpoints have no such tensor.
     */
    public static String of(String ggufName, int expert) {
        int layer = 0;
        String pattern = ggufName;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("blk\\.(\\d+)\\.(.*)").matcher(ggufName);
        if (m.matches()) {
            layer = Integer.parseInt(m.group(1));
            pattern = "blk.%d." + m.group(2);
        }
        for (Weight w : Weight.values()) {
            if (w.ggufName(0).equals(pattern.replace("%d", "0")) && w.perLayer() == m.matches()) {
                List<String> p = patterns(w);
                if (p.isEmpty()) return null;
                return p.get(0).replace("%d", Integer.toString(layer)).replace("%e", Integer.toString(expert));
            }
        }
        return null;
    }
}
