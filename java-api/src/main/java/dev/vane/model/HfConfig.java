package dev.vane.model;

import dev.vane.attention.Rope;
import java.util.List;
import java.util.Map;

/**
 * Reads {@link ModelConfig} from a Hugging Face config.json (Llama, Mistral, Mixtral, Qwen2,
 * Qwen3 and their MoE forms): hidden_size, num_hidden_layers, num_attention_heads,
 * num_key_value_heads, head_dim, intermediate_size, vocab_size, rms_norm_eps, rope_theta,
 * rope_scaling (linear, llama3, yarn), num_local_experts / num_experts, num_experts_per_tok,
 * moe_intermediate_size, shared_expert_intermediate_size, norm_topk_prob. Checkpoints keep Q and
 * K unpermuted, so RoPE pairs dimension i with i + d/2 (NeoX) in every family.
 */
final class HfConfig {
    private final Map<String, Object> json;

    private HfConfig(Map<String, Object> json) {
        this.json = json;
    }

    static ModelConfig read(Map<String, Object> json) {
        return new HfConfig(json).read();
    }

    private ModelConfig read() {
        Object archs = json.get("architectures");
        String name = archs instanceof List<?> l && !l.isEmpty() ? String.valueOf(l.get(0)) : String.valueOf(json.get("model_type"));
        Architecture a = Architecture.ofHf(name);
        int dim = count("hidden_size", REQUIRED, 1, MetadataLimits.MAX_DIM);
        int heads = count("num_attention_heads", REQUIRED, 1, MetadataLimits.MAX_HEADS);
        if (!json.containsKey("head_dim") && dim % heads != 0) {
            throw new ModelFormatException("num_attention_heads " + heads + " does not divide hidden_size " + dim);
        }
        int headDim = count("head_dim", dim / heads, 1, MetadataLimits.MAX_HEAD_DIM);
        int layers = count("num_hidden_layers", REQUIRED, 1, MetadataLimits.MAX_LAYERS);
        String expertsKey = json.containsKey("num_local_experts") ? "num_local_experts" : "num_experts";
        int experts = count(expertsKey, 0, 0, MetadataLimits.MAX_EXPERTS);
        int used = experts > 0 ? count("num_experts_per_tok", REQUIRED, 1, experts) : 0;
        int ffn = count("intermediate_size", experts > 0 && json.containsKey("moe_intermediate_size") ? 0 : REQUIRED, 0, MetadataLimits.MAX_FFN);
        int expertFfn = experts == 0 ? 0 : count("moe_intermediate_size", ffn, 1, MetadataLimits.MAX_FFN);
        int sharedFfn = a == Architecture.QWEN2MOE ? count("shared_expert_intermediate_size", REQUIRED, 1, MetadataLimits.MAX_FFN) : 0;
        boolean renorm = json.get("norm_topk_prob") instanceof Boolean b ? b : a.renormalize();
        float base = real("rope_theta", 10000f);
        int ctx = count("max_position_embeddings", 4096, 1, Integer.MAX_VALUE);
        int ropeDim = headDim;
        Rope.Scaling scaling;
        try {
            scaling = scaling(ctx, ropeDim, base);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException("config.json rope_scaling: " + e.getMessage(), e);
        }
        boolean[] sliding = new boolean[layers];
        int kvHeads = count("num_key_value_heads", heads, 1, MetadataLimits.MAX_HEADS);
        int vocab = count("vocab_size", REQUIRED, 1, MetadataLimits.MAX_VOCAB);
        return new ModelConfig(a, dim, layers, heads, kvHeads, headDim, ffn, vocab, ctx,
                real("rms_norm_eps", 1e-6f), new ModelConfig.RopeSpec(ropeDim, Rope.Layout.NEOX, base, scaling, base, scaling.freqScale()),
                (float) (1 / Math.sqrt(headDim)), 0f, 0, sliding, experts, used, expertFfn, sharedFfn, a.gating(), renorm, 1f, a.activation(), 1f, 0f);
    }

    // rope_scaling {rope_type | type: linear | llama3 | yarn | default, factor, ...}.
    private Rope.Scaling scaling(int ctx, int ropeDim, float base) {
        if (!(json.get("rope_scaling") instanceof Map<?, ?> rs)) return Rope.Scaling.NONE;
        Object type = rs.containsKey("rope_type") ? rs.get("rope_type") : rs.get("type");
        float factor = rs.get("factor") instanceof Number n ? n.floatValue() : 1f;
        String origKey = "config.json rope_scaling.original_max_position_embeddings";
        Object o = rs.get("original_max_position_embeddings");
        if (o != null && !(o instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()))) {
            throw new ModelFormatException(origKey + " = " + o + " is not a count");
        }
        int orig = o == null ? ctx : MetadataLimits.check(origKey, ((Number) o).longValue(), 1, Integer.MAX_VALUE);
        if ("default".equals(type)) return Rope.Scaling.NONE;
        if ("linear".equals(type)) return Rope.Scaling.linear(factor);
        if ("llama3".equals(type)) {
            float low = rs.get("low_freq_factor") instanceof Number n ? n.floatValue() : 1f;
            float high = rs.get("high_freq_factor") instanceof Number n ? n.floatValue() : 4f;
            return Rope.Scaling.NONE.withFreqFactors(Rope.llama3FreqFactors(ropeDim, base, factor, low, high, orig));
        }
        if ("yarn".equals(type)) {
            float fast = rs.get("beta_fast") instanceof Number n ? n.floatValue() : 32f;
            float slow = rs.get("beta_slow") instanceof Number n ? n.floatValue() : 1f;
            return Rope.Scaling.yarn(factor, orig, fast, slow, Rope.yarnAttnFactor(factor, 1f, 0f));
        }
        throw new ModelFormatException("rope_scaling " + rs + " is not one Vane runs (linear, llama3, yarn)");
    }

    private static final int REQUIRED = -1;  // count's `absent` for a key the config must have

    // The count at key (absent if the config has none), refused naming it outside min..max (MetadataLimits).
    private int count(String key, int absent, long min, long max) {
        Object v = json.get(key);
        if (v == null) {
            if (absent == REQUIRED) throw new ModelFormatException("config.json has no " + key);
            return absent;
        }
        if (!(v instanceof Long l)) throw new ModelFormatException("config.json " + key + " = " + v + " is not a count");
        return MetadataLimits.check("config.json " + key, l, min, max);
    }

    private float real(String key, float absent) {
        Object v = json.get(key);
        if (v == null) return absent;
        if (!(v instanceof Number n)) throw new ModelFormatException("config.json " + key + " = " + v + " is not a number");
        return n.floatValue();
    }
}
