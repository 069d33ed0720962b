package dev.vane.model;

import dev.vane.attention.Rope;
import dev.vane.model.gguf.GgufFile;
import java.util.Map;

/**
 * Reads {@link ModelConfig} from GGUF metadata the way llama.cpp does (llama-model.cpp's common
 * keys, then each family's load_arch_hparams): the keys are "{arch}.embedding_length",
 * "{arch}.attention.head_count", ...; absent optional keys take llama.cpp's defaults.
 */
final class GgufConfig {
    private final GgufFile f;
    private final String p;  // the key prefix, "{general.architecture}."
    private final Map<String, Object> m;

    private GgufConfig(GgufFile f, String arch) {
        this.f = f;
        this.p = arch + ".";
        this.m = f.metadata();
    }

    static ModelConfig read(GgufFile f) {
        String arch = f.string("general.architecture");
        Architecture a = Architecture.ofGguf(arch);
        return new GgufConfig(f, arch).read(a);
    }

    private ModelConfig read(Architecture a) {
        int dim = count("embedding_length", 1, MetadataLimits.MAX_DIM);
        int layers = count("block_count", 1, MetadataLimits.MAX_LAYERS);
        int heads = count("attention.head_count", 1, MetadataLimits.MAX_HEADS);
        int kvHeads = has("attention.head_count_kv") ? count("attention.head_count_kv", 1, MetadataLimits.MAX_HEADS) : heads;
        if (!has("attention.key_length") && dim % heads != 0) {
            throw new ModelFormatException(p + "attention.head_count " + heads + " does not divide " + p + "embedding_length " + dim
                    + " (and there is no " + p + "attention.key_length)");
        }
        int headDim = has("attention.key_length") ? count("attention.key_length", 1, MetadataLimits.MAX_HEAD_DIM) : dim / heads;
        if (has("attention.value_length") && f.integer(p + "attention.value_length") != headDim) {
            throw new ModelFormatException(p + "attention.value_length " + f.integer(p + "attention.value_length") + " differs from the key length " + headDim
                    + "; Vane runs models whose keys and values have one head size");
        }
        int vocab = has("vocab_size") ? count("vocab_size", 1, MetadataLimits.MAX_VOCAB)
                : MetadataLimits.check("tokenizer.ggml.tokens (its length)", f.array("tokenizer.ggml.tokens").size(), 1, MetadataLimits.MAX_VOCAB);
        int experts = has("expert_count") ? count("expert_count", 0, MetadataLimits.MAX_EXPERTS) : 0;
        int used = experts > 0 ? count("expert_used_count", 1, experts) : 0;
        int ffn = has("feed_forward_length") ? count("feed_forward_length", 0, MetadataLimits.MAX_FFN) : 0;
        int expertFfn = experts == 0 ? 0 : has("expert_feed_forward_length") ? count("expert_feed_forward_length", 1, MetadataLimits.MAX_FFN)
                : a == Architecture.QWEN2MOE ? ffn / used : ffn;
        int sharedFfn = a == Architecture.QWEN2MOE
                ? (has("expert_shared_feed_forward_length") ? count("expert_shared_feed_forward_length", 1, MetadataLimits.MAX_FFN) : ffn) : 0;
        int ctx = has("context_length") ? count("context_length", 1, Integer.MAX_VALUE) : 4096;
        float eps = real("attention.layer_norm_rms_epsilon", 1e-5f);
        int ropeDim = has("rope.dimension_count") ? count("rope.dimension_count", 2, MetadataLimits.MAX_HEAD_DIM) : headDim;
        float base = real("rope.freq_base", 10000f);
        Rope.Scaling scaling;
        try {
            scaling = scaling(ctx);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(p + "rope.scaling.*: " + e.getMessage(), e);
        }
        float freqScale = scaling.freqScale();

        // Sliding windows, soft-caps and the attention scale: per family, as its load_arch_hparams.
        int window = 0, period = 0;
        float swaBase = base, swaScale = freqScale, attnSoftcap = 0, finalSoftcap = 0;
        float attnScale = (float) (1 / Math.sqrt(headDim));
        switch (a) {
            case GEMMA2 -> {
                window = has("attention.sliding_window") ? count("attention.sliding_window", 0, MetadataLimits.MAX_WINDOW) : 4096;
                period = has("attention.sliding_window_pattern") ? count("attention.sliding_window_pattern", 0, MetadataLimits.MAX_LAYERS) : 2;
                swaBase = real("rope.freq_base_swa", base);
                attnSoftcap = real("attn_logit_softcapping", 50f);
                finalSoftcap = real("final_logit_softcapping", 30f);
                if (layers == 46) attnScale = (float) (1 / Math.sqrt((double) dim / heads));  // the 27B model
            }
            case GEMMA3 -> {
                window = has("attention.sliding_window") ? count("attention.sliding_window", 0, MetadataLimits.MAX_WINDOW) : 0;
                period = has("attention.sliding_window_pattern") ? count("attention.sliding_window_pattern", 0, MetadataLimits.MAX_LAYERS) : 6;
                swaBase = real("rope.freq_base_swa", 10000f);
                swaScale = 1f;
                finalSoftcap = real("final_logit_softcapping", 0f);
                if (layers == 62) attnScale = (float) (1 / Math.sqrt((double) dim / heads));  // the 27B model
            }
            case GPT_OSS -> {
                window = count("attention.sliding_window", 0, MetadataLimits.MAX_WINDOW);
                period = has("attention.sliding_window_pattern") ? count("attention.sliding_window_pattern", 0, MetadataLimits.MAX_LAYERS) : 2;
                swaBase = real("rope.freq_base_swa", base);
                attnScale = (float) (1 / Math.sqrt(ropeDim));
            }
            default -> {}
        }
        boolean[] sliding = new boolean[layers];
        for (int l = 0; l < layers; l++) sliding[l] = window > 0 && (period == 0 || l % period < period - 1);
        float embeddingScale = a.gemma() ? (float) Math.sqrt(dim) : 1f;
        float weightsScale = real("expert_weights_scale", 0f);
        return new ModelConfig(a, dim, layers, heads, kvHeads, headDim, ffn, vocab, ctx, eps,
                new ModelConfig.RopeSpec(ropeDim, a.ggufRopeLayout(), base, scaling, swaBase, swaScale), attnScale, attnSoftcap, window, sliding,
                experts, used, expertFfn, sharedFfn, a.gating(), a.renormalize(), weightsScale == 0 ? 1f : weightsScale, a.activation(),
                embeddingScale, finalSoftcap);
    }

    // rope.scaling.*: llama.cpp's default type is "linear" (a factor of 0 or none meaning 1).
    private Rope.Scaling scaling(int ctx) {
        String type = has("rope.scaling.type") ? f.string(p + "rope.scaling.type") : "linear";
        float factor = has("rope.scaling.factor") ? real("rope.scaling.factor", 0f) : real("rope.scale_linear", 0f);
        float attnFactor = real("rope.scaling.attn_factor", 1f);
        int orig = has("rope.scaling.original_context_length") ? count("rope.scaling.original_context_length", 1, Integer.MAX_VALUE) : ctx;
        float freqScale = factor == 0 ? 1f : 1f / factor;
        return switch (type) {
            case "none" -> new Rope.Scaling(1f, null, 0f, attnFactor, 32f, 1f, orig);
            case "linear", "longrope" -> new Rope.Scaling(freqScale, null, 0f, attnFactor, 32f, 1f, orig);
            case "yarn" -> {
                float f0 = factor == 0 ? 1f : factor;
                float attn = Rope.yarnAttnFactor(f0, attnFactor, real("rope.scaling.yarn_log_multiplier", 0f));
                yield new Rope.Scaling(freqScale, null, 1f, attn, real("rope.scaling.yarn_beta_fast", 32f), real("rope.scaling.yarn_beta_slow", 1f), orig);
            }
            default -> throw new ModelFormatException(p + "rope.scaling.type '" + type + "' is not one Vane runs (none, linear, yarn, longrope)");
        };
    }

    private boolean has(String key) {
        return m.containsKey(p + key);
    }

    // The count at key, refused naming it outside min..max (MetadataLimits).
    private int count(String key, long min, long max) {
        return MetadataLimits.check(p + key, f.integer(p + key), min, max);
    }

    private float real(String key, float absent) {
        return has(key) ? (float) f.real(p + key) : absent;
    }
}
