package dev.vane.model;

import dev.vane.attention.Rope;
import dev.vane.model.gguf.GgufFile;
import java.util.Map;

/**
 * A Llama-family model's hyperparameters: dense (Llama 2/3 and their kin) or a mixture of
 * experts (Mixtral: experts > 0, expertsUsed of them per token, softmax-top-k gating,
 * renormalized).
 */
public record ModelConfig(String architecture, int dim, int layers, int heads, int kvHeads, int headDim, int ffnDim, int vocab,
        int experts, int expertsUsed, int contextLength, float rmsEps, float ropeBase, float ropeLinearScale, int ropeDim,
        Rope.Layout ropeLayout) {

    public ModelConfig {
        String got = "dim " + dim + ", layers " + layers + ", heads " + heads + "/" + kvHeads + " of " + headDim + ", ffn " + ffnDim + ", vocab "
                + vocab + ", experts " + expertsUsed + "/" + experts + ", context " + contextLength + ", eps " + rmsEps + ", rope base "
                + ropeBase + " scale " + ropeLinearScale + " dims " + ropeDim;
        check(dim > 0 && layers > 0 && heads > 0 && kvHeads > 0 && headDim > 0 && ffnDim > 0 && vocab > 0 && contextLength > 0,
                "sizes must be positive", got);
        check(dim <= 1 << 16 && layers <= 1024 && heads <= 1024 && headDim <= 512 && ffnDim <= 1 << 18 && vocab <= 1 << 22,
                "sizes are past what Vane runs (dim <= 65536, layers <= 1024, heads <= 1024, head dim <= 512, ffn <= 262144, vocab <= 4M)", got);
        check(heads % kvHeads == 0, "head_count_kv must divide head_count", got);
        check(experts >= 0 && experts <= 1024 && (experts == 0 ? expertsUsed == 0 : expertsUsed >= 1 && expertsUsed <= experts),
                "expert_used_count must be in 1..expert_count (both 0 for a dense model)", got);
        check(ropeDim > 0 && ropeDim <= headDim && ropeDim % 2 == 0, "rope dimension_count must be even and <= the head dim", got);
        check(rmsEps >= 0 && Float.isFinite(rmsEps), "the RMS norm epsilon must be finite and >= 0", got);
        check(ropeBase > 1 && Float.isFinite(ropeBase) && ropeLinearScale > 0 && Float.isFinite(ropeLinearScale),
                "rope freq_base must be > 1 and the scale > 0", got);
    }

    private static void check(boolean ok, String what, String got) {
        if (!ok) throw new ModelFormatException("model hyperparameters: " + what + "; got " + got);
    }

    public boolean moe() {
        return experts > 0;
    }

    /** Query width (heads x head dim). */
    public int qDim() {
        return heads * headDim;
    }

    /** Key/value width (KV heads x head dim). */
    public int kvDim() {
        return kvHeads * headDim;
    }

    /**
     * The hyperparameters of a GGUF file of architecture "llama" (the keys llama.cpp writes:
     * {arch}.embedding_length, .block_count, .attention.head_count, ...). GGUF Llama files hold Q
     * and K permuted for RoPE's adjacent-pair layout, so that is the layout used.
     */
    public static ModelConfig fromGguf(GgufFile f) {
        String arch = f.string("general.architecture");
        if (!arch.equals("llama") && !arch.equals("mixtral")) {
            throw new ModelFormatException("general.architecture is '" + arch + "'; Vane runs 'llama' (dense or Mixtral-style MoE)");
        }
        Map<String, Object> m = f.metadata();
        int dim = intKey(f, arch + ".embedding_length");
        int heads = intKey(f, arch + ".attention.head_count");
        int kvHeads = m.containsKey(arch + ".attention.head_count_kv") ? intKey(f, arch + ".attention.head_count_kv") : heads;
        if (heads <= 0 || dim % heads != 0) throw new ModelFormatException("head_count " + heads + " does not divide embedding_length " + dim);
        int headDim = m.containsKey(arch + ".attention.key_length") ? intKey(f, arch + ".attention.key_length") : dim / heads;
        int vocab = m.containsKey(arch + ".vocab_size") ? intKey(f, arch + ".vocab_size") : f.array("tokenizer.ggml.tokens").size();
        int experts = m.containsKey(arch + ".expert_count") ? intKey(f, arch + ".expert_count") : 0;
        int used = experts > 0 ? intKey(f, arch + ".expert_used_count") : 0;
        float ropeBase = m.containsKey(arch + ".rope.freq_base") ? (float) f.real(arch + ".rope.freq_base") : 10000f;
        float scale = 1f;
        if (m.containsKey(arch + ".rope.scaling.type")) {
            String type = f.string(arch + ".rope.scaling.type");
            if (type.equals("linear")) scale = (float) f.real(arch + ".rope.scaling.factor");
            else if (!type.equals("none")) throw new ModelFormatException("rope.scaling.type '" + type + "' is not one Vane runs (none, linear)");
        }
        int ropeDim = m.containsKey(arch + ".rope.dimension_count") ? intKey(f, arch + ".rope.dimension_count") : headDim;
        float eps = m.containsKey(arch + ".attention.layer_norm_rms_epsilon") ? (float) f.real(arch + ".attention.layer_norm_rms_epsilon") : 1e-5f;
        int ctx = m.containsKey(arch + ".context_length") ? intKey(f, arch + ".context_length") : 4096;
        return new ModelConfig(arch, dim, intKey(f, arch + ".block_count"), heads, kvHeads, headDim, intKey(f, arch + ".feed_forward_length"),
                vocab, experts, used, ctx, eps, ropeBase, scale, ropeDim, Rope.Layout.NORMAL);
    }

    /**
     * The hyperparameters of a Hugging Face config.json (LlamaForCausalLM, MistralForCausalLM,
     * MixtralForCausalLM): hidden_size, num_hidden_layers, num_attention_heads,
     * num_key_value_heads, intermediate_size, vocab_size, rms_norm_eps, rope_theta, head_dim,
     * rope_scaling {type|rope_type: linear, factor}, num_local_experts, num_experts_per_tok.
     * Hugging Face checkpoints keep Q and K unpermuted, so RoPE pairs dimension i with i + d/2
     * (the NeoX layout).
     */
    public static ModelConfig fromHfConfig(Map<String, Object> json) {
        Object archs = json.get("architectures");
        String arch = archs instanceof java.util.List<?> l && !l.isEmpty() ? String.valueOf(l.get(0)) : String.valueOf(json.get("model_type"));
        if (!java.util.Set.of("LlamaForCausalLM", "MistralForCausalLM", "MixtralForCausalLM", "llama", "mistral", "mixtral").contains(arch)) {
            throw new ModelFormatException("config.json architecture '" + arch + "'; Vane runs LlamaForCausalLM, MistralForCausalLM and MixtralForCausalLM");
        }
        int dim = hfInt(json, "hidden_size", -1);
        int heads = hfInt(json, "num_attention_heads", -1);
        if (heads <= 0 || dim % heads != 0) throw new ModelFormatException("num_attention_heads " + heads + " does not divide hidden_size " + dim);
        int headDim = hfInt(json, "head_dim", dim / heads);
        float scale = 1f;
        if (json.get("rope_scaling") instanceof Map<?, ?> rs) {
            Object type = rs.containsKey("rope_type") ? rs.get("rope_type") : rs.get("type");
            if ("linear".equals(type) && rs.get("factor") instanceof Number n) scale = n.floatValue();
            else if (!"default".equals(type)) throw new ModelFormatException("rope_scaling " + rs + " is not one Vane runs (linear)");
        }
        int experts = hfInt(json, "num_local_experts", 0);
        return new ModelConfig(arch, dim, hfInt(json, "num_hidden_layers", -1), heads, hfInt(json, "num_key_value_heads", heads), headDim,
                hfInt(json, "intermediate_size", -1), hfInt(json, "vocab_size", -1), experts, experts > 0 ? hfInt(json, "num_experts_per_tok", -1) : 0,
                hfInt(json, "max_position_embeddings", 4096), hfFloat(json, "rms_norm_eps", 1e-6f), hfFloat(json, "rope_theta", 10000f), scale, headDim,
                Rope.Layout.NEOX);
    }

    private static int hfInt(Map<String, Object> json, String key, int absent) {
        Object v = json.get(key);
        if (v == null) {
            if (absent == -1) throw new ModelFormatException("config.json has no " + key);
            return absent;
        }
        if (!(v instanceof Long l) || l < 0 || l > Integer.MAX_VALUE) throw new ModelFormatException("config.json " + key + " = " + v + " is not a count");
        return (int) (long) l;
    }

    private static float hfFloat(Map<String, Object> json, String key, float absent) {
        Object v = json.get(key);
        if (v == null) return absent;
        if (!(v instanceof Number n)) throw new ModelFormatException("config.json " + key + " = " + v + " is not a number");
        return n.floatValue();
    }

    private static int intKey(GgufFile f, String key) {
        long v = f.integer(key);
        if (v < 0 || v > Integer.MAX_VALUE) throw new ModelFormatException(key + " = " + v + " is out of range");
        return (int) v;
    }

    /** Parameters, counting every expert. */
    public long parameters() {
        long attn = (long) dim * (2L * qDim() + 2L * kvDim());
        long ffn = 3L * dim * ffnDim * Math.max(1, experts) + (long) experts * dim;
        return 2L * vocab * dim + dim + layers * (attn + ffn + 2L * dim);
    }
}
