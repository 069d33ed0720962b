package dev.vane.model;

import static dev.vane.model.Weight.*;

import dev.vane.FeedForward;
import dev.vane.attention.Rope;
import dev.vane.moe.Gating;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The model families Vane runs, each described once: its GGUF architecture name and Hugging Face
 * classes, the tensors it needs and may have ({@link Weight}), and how its hyper-parameters and
 * graph differ from the plain Llama block (as llama.cpp reads and builds that family: see
 * {@link ModelConfig#fromGguf}). The transformer loop and the weight assembler are written once
 * and read this.
 */
public enum Architecture {
    /** Llama 1/2/3.x, Mistral, and Mixtral-style MoE (experts > 0): rope_freqs for Llama 3.1+. */
    LLAMA(new Traits("llama", List.of("LlamaForCausalLM", "MistralForCausalLM", "MixtralForCausalLM", "llama", "mistral", "mixtral"))
            .ropeLayout(Rope.Layout.NORMAL).optional(ROPE_FREQS, ATTN_OUT_BIAS, FFN_GATE_BIAS, FFN_UP_BIAS, FFN_DOWN_BIAS).gating(Gating.Kind.SOFTMAX_TOPK, true)),
    /** Qwen2 / Qwen2.5: Q/K/V biases. */
    QWEN2(new Traits("qwen2", List.of("Qwen2ForCausalLM", "qwen2"))),
    /** Qwen3: per-head RMSNorm of q and k before RoPE. */
    QWEN3(new Traits("qwen3", List.of("Qwen3ForCausalLM", "qwen3")).required(ATTN_Q_NORM, ATTN_K_NORM)),
    /** Qwen2-MoE: softmax top-k without renormalization, plus a shared expert behind a sigmoid gate. */
    QWEN2MOE(new Traits("qwen2moe", List.of("Qwen2MoeForCausalLM", "qwen2_moe")).moeOnly().gating(Gating.Kind.SOFTMAX_TOPK, false)
            .required(OUTPUT, SHARED_GATE_INP, GATE_SHEXP, UP_SHEXP, DOWN_SHEXP)),
    /** Qwen3-MoE: QK-norm, softmax top-k renormalized. */
    QWEN3MOE(new Traits("qwen3moe", List.of("Qwen3MoeForCausalLM", "qwen3_moe")).moeOnly().gating(Gating.Kind.SOFTMAX_TOPK, true)
            .required(ATTN_Q_NORM, ATTN_K_NORM)),
    /**
     * Gemma 2: embeddings scaled by sqrt(dim), GeGLU, norms before and after each sublayer,
     * attention and final logits soft-capped, a sliding window on alternate layers; the output
     * matrix is always the embedding table.
     */
    GEMMA2(new Traits("gemma2", List.of()).gemma().noOutput().required(ATTN_POST_NORM, FFN_POST_NORM)),
    /** Gemma 3: as Gemma 2 with QK-norm, 5 local : 1 global layers with their own RoPE bases, no attention soft-cap. */
    GEMMA3(new Traits("gemma3", List.of()).gemma().required(ATTN_POST_NORM, FFN_POST_NORM, ATTN_Q_NORM, ATTN_K_NORM)),
    /** Phi-3 / 3.5: fused QKV and gate/up matrices, LongRoPE factors. */
    PHI3(new Traits("phi3", List.of()).fusedGateUp().optional(ROPE_FACTORS_LONG, ROPE_FACTORS_SHORT)),
    /**
     * gpt-oss: MoE with router and expert biases, top-k then softmax, the clamped SwiGLU, learned
     * attention sinks, alternating sliding window, YaRN; its "post_attention_norm" is the FFN's input norm.
     */
    GPT_OSS(new Traits("gpt-oss", List.of()).moeOnly().gating(Gating.Kind.TOPK_SOFTMAX, false).activation(FeedForward.Activation.SWIGLU_OAI)
            .ffnNorm(ATTN_POST_NORM).required(OUTPUT, ATTN_SINKS, ATTN_OUT_BIAS, ROUTER_BIAS, GATE_EXPS_BIAS, UP_EXPS_BIAS, DOWN_EXPS_BIAS));

    private final Traits t;

    Architecture(Traits t) {
        this.t = t;
    }

    /** general.architecture of its GGUF files. */
    public String ggufName() {
        return t.gguf;
    }

    /** Its Hugging Face config.json architectures / model_type values (empty: Vane loads it from GGUF only). */
    public List<String> hfNames() {
        return t.hf;
    }

    /** The family of a GGUF general.architecture ("mixtral" is an old name of llama's MoE form). */
    public static Architecture ofGguf(String name) {
        if (name.equals("mixtral")) return LLAMA;
        for (Architecture a : values()) if (a.t.gguf.equals(name)) return a;
        throw new ModelFormatException("general.architecture is '" + name + "'; Vane runs " + names(true));
    }

    /** The family of a Hugging Face architecture class or model_type. */
    public static Architecture ofHf(String name) {
        for (Architecture a : values()) if (a.t.hf.contains(name)) return a;
        throw new ModelFormatException("config.json architecture '" + name + "'; Vane loads checkpoints of " + names(false));
    }

    private static String names(boolean gguf) {
        StringBuilder s = new StringBuilder();
        for (Architecture a : values()) {
            List<String> n = gguf ? List.of(a.t.gguf) : a.t.hf.stream().filter(x -> x.contains("For")).toList();
            for (String x : n) s.append(s.isEmpty() ? "" : ", ").append(x);
        }
        return s.toString();
    }

    // ---- what the loop and the assembler read ----

    Rope.Layout ggufRopeLayout() {
        return t.ropeLayout;
    }

    FeedForward.Activation activation() {
        return t.activation;
    }

    Gating.Kind gating() {
        return t.gating;
    }

    boolean renormalize() {
        return t.renormalize;
    }

    /** Gemma: embeddings times sqrt(dim), norms after each sublayer too, soft-capping and sliding windows. */
    boolean gemma() {
        return t.gemma;
    }

    /** Whether every layer is a mixture of experts (the family has no dense form). */
    boolean moeOnly() {
        return t.moeOnly;
    }

    /** The output matrix is the embedding table whatever the file holds. */
    boolean outputIsEmbedding() {
        return t.noOutput;
    }

    boolean fusedGateUp() {
        return t.fusedGateUp;
    }

    /** The norm before the FFN. */
    Weight ffnNorm() {
        return t.ffnNorm;
    }

    /** A tensor a model of this family reads: its GGUF name, its shape (outermost first) and whether it must be present. */
    public record TensorInfo(String name, long[] shape, boolean required) {}

    /**
     * Every tensor a model with these hyper-parameters reads, model-wide ones first, by GGUF name.
     * attn_q, attn_k and attn_v are listed as required but may be replaced by one attn_qkv.
     */
    public List<TensorInfo> tensors(ModelConfig c) {
        List<TensorInfo> out = new java.util.ArrayList<>();
        for (int l = -1; l < c.layers(); l++) {
            for (Weight w : Weight.values()) {
                if (w.perLayer() != (l >= 0) || !reads(w, c)) continue;
                out.add(new TensorInfo(w.ggufName(Math.max(l, 0)), w.shape(c), requires(w, c)));
            }
        }
        return out;
    }

    /** Whether a model of c reads w (any tensor else the file holds is not read). */
    boolean reads(Weight w, ModelConfig c) {
        return requires(w, c) || t.optional.contains(w);
    }

    /** Whether a model of c must have w (attn_q/k/v unless the file holds attn_qkv). */
    boolean requires(Weight w, ModelConfig c) {
        if (t.required.contains(w) || w == t.ffnNorm) return true;
        return switch (w) {
            case TOKEN_EMBD, OUTPUT_NORM, ATTN_NORM, ATTN_Q, ATTN_K, ATTN_V, ATTN_OUT -> true;
            case ROUTER, GATE_EXPS, UP_EXPS, DOWN_EXPS -> c.moe();
            case FFN_DOWN -> !c.moe();
            case FFN_GATE, FFN_UP -> !c.moe() && !t.fusedGateUp;
            case FFN_GATE_UP -> !c.moe() && t.fusedGateUp;
            default -> false;
        };
    }

    /** Builder-style traits, so each constant above says only how it differs. */
    private static final class Traits {
        final String gguf;
        final List<String> hf;
        Rope.Layout ropeLayout = Rope.Layout.NEOX;
        FeedForward.Activation activation = FeedForward.Activation.SILU;
        Gating.Kind gating = Gating.Kind.SOFTMAX_TOPK;
        boolean renormalize = true, gemma, moeOnly, noOutput, fusedGateUp;
        Weight ffnNorm = FFN_NORM;
        final Set<Weight> required = EnumSet.noneOf(Weight.class);
        final Set<Weight> optional = EnumSet.of(OUTPUT, ATTN_QKV, ATTN_QKV_BIAS, ATTN_Q_BIAS, ATTN_K_BIAS, ATTN_V_BIAS);

        Traits(String gguf, List<String> hf) {
            this.gguf = gguf;
            this.hf = hf;
        }

        Traits ropeLayout(Rope.Layout l) {
            ropeLayout = l;
            return this;
        }

        Traits activation(FeedForward.Activation a) {
            activation = a;
            return this;
        }

        Traits gating(Gating.Kind k, boolean renorm) {
            gating = k;
            renormalize = renorm;
            return this;
        }

        Traits gemma() {
            gemma = true;
            return activation(FeedForward.Activation.GELU);
        }

        Traits moeOnly() {
            moeOnly = true;
            return this;
        }

        Traits noOutput() {
            noOutput = true;
            optional.remove(OUTPUT);
            return this;
        }

        Traits fusedGateUp() {
            fusedGateUp = true;
            return this;
        }

        Traits ffnNorm(Weight w) {
            ffnNorm = w;
            return this;
        }

        Traits required(Weight... ws) {
            for (Weight w : ws) {
                required.add(w);
                optional.remove(w);
            }
            return this;
        }

        Traits optional(Weight... ws) {
            optional.addAll(List.of(ws));
            return this;
        }
    }
}
