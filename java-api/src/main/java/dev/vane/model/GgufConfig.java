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
        int dim = count("embedding_length");
        int layers = count("block_count");
        int heads = count("attention.head_count");
        int kvHeads = has("attention.head_count_kv") ? count("attention.head_count_kv") : heads;
        if (heads <= 0 || (!has("attention.key_length") && dim % heads != 0)) {
            throw new ModelFormatException(p + "attention.head_count " + heads + " does not divide " + p + "embedding_length " + dim
                    + " (and there is no " + p + "attention.key_length)");
        }
        int headDim = has("attention.key_length") ? count("attention.key_length") : dim / heads;
        if (has("attention.value_length") && count("attention.value_length") != headDim) {
            throw new ModelFormatException(p + "attention.value_length " + count("attention.value_length") + " differs from the key length " + headDim
                    + "; Vane runs models whose keys and values have one head size");
        }
        int vocab = has("vocab_size") ? count("vocab_size") : f.array("tokenizer.ggml.tokens").size();
        int experts = has("expert_count") ? count("expert_count") : 0;
        int used = experts > 0 ? count("expert_used_count") : 0;
        int ffn = has("feed_forward_length") ? count("feed_forward_length") : 0;
        int expertFfn = experts == 0 ? 0 : has("expert_feed_forward_length") ? count("expert_feed_forward_length")
                : a == Architecture.QWEN2MOE ? ffn / used : ffn;
        int sharedFfn = a == Architecture.QWEN2MOE ? (has("expert_shared_feed_forward_length") ? count("expert_shared_feed_forward_length") : ffn) : 0;
        int ctx = has("context_length") ? count("context_length") : 4096;
        float eps = real("attention.layer_norm_rms_epsilon", 1e-5f);
        int ropeDim = has("rope.dimension_count") ? count("rope.dimension_count") : headDim;
        float base = real("rope.freq_base", 10000f);
        Rope.Scaling scaling = scaling(ctx);
        float freqScale = scaling.freqScale();

        // Sliding windows, soft-caps and the attention scale: per family, as its load_arch_hparams.
        int window = 0, period = 0;
        float swaBase = base, swaScale = freqScale, attnSoftcap = 0, finalSoftcap = 0;
        float attnScale = (float) (1 / Math.sqrt(headDim));
        switch (a) {
            case GEMMA2 -> {
                window = has("attention.sliding_window") ? count("attention.sliding_window") : 4096;
                period = has("attention.sliding_window_pattern") ? count("attention.sliding_window_pattern") : 2;
                swaBase = real("rope.freq_base_swa", base);
                attnSoftcap = real("attn_logit_softcapping", 50f);
                finalSoftcap = real("final_logit_softcapping", 30f);
                if (layers == 46) attnScale = (float) (1 / Math.sqrt((double) dim / heads));  // the 27B model
            }
            case GEMMA3 -> {
                window = has("attention.sliding_window") ? count("attention.sliding_window") : 0;
                period = has("attention.sliding_window_pattern") ? count("attention.sliding_window_pattern") : 6;
                swaBase = real("rope.freq_base_swa", 10000f);
                swaScale = 1f;
                finalSoftcap = real("final_logit_softcapping", 0f);
                if (layers == 62) attnScale = (float) (1 / Math.sqrt((double) dim / heads));  // the 27B model
            }
            case GPT_OSS -> {
                window = count("attention.sliding_window");
                period = has("attention.sliding_window_pattern") ? count("attention.sliding_window_pattern") : 2;
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
        int orig = has("rope.scaling.original_context_length") ? count("rope.scaling.original_context_length") : ctx;
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

    private int count(String key) {
        long v = f.integer(p + key);
        if (v < 0 || v > Integer.MAX_VALUE) throw new ModelFormatException(p + key + " = " + v + " is out of range");
        return (int) v;
    }

    private float real(String key, float absent) {
        return has(key) ? (float) f.real(p + key) : absent;
    }
}
