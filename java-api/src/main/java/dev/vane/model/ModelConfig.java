package dev.vane.model;

import dev.vane.FeedForward;
import dev.vane.attention.Rope;
import dev.vane.moe.Gating;
import java.util.Arrays;

/**
 * A model's hyper-parameters, whatever its family ({@link Architecture}): sizes, RoPE, attention
 * (scale, soft-cap, which layers use a sliding window), the mixture of experts if any, the FFN's
 * activation, the embedding scale and the final logit soft-cap. Read from a GGUF file's metadata
 * as llama.cpp reads it ({@link GgufConfig}) or from a Hugging Face config.json ({@link HfConfig}).
 *
 * @param expertFfnDim  each routed expert's hidden size (0 for a dense model)
 * @param sharedFfnDim  the shared expert's hidden size (0 without one)
 * @param sliding       per layer: whether it attends over a sliding window of {@code window} positions
 * @param embeddingScale multiplies each token's embedding (Gemma: sqrt(dim)); 1 for most
 * @param finalSoftcap  > 0: logits become finalSoftcap * tanh(logit / finalSoftcap)
 */
public record ModelConfig(Architecture family, int dim, int layers, int heads, int kvHeads, int headDim, int ffnDim, int vocab, int contextLength,
        float rmsEps, RopeSpec rope, float attentionScale, float attnSoftcap, int window, boolean[] sliding, int experts, int expertsUsed,
        int expertFfnDim, int sharedFfnDim, Gating.Kind gating, boolean renormalize, float expertWeightsScale, FeedForward.Activation activation,
        float embeddingScale, float finalSoftcap) {

    /**
     * RoPE: rotated dimensions, pairing, base and scaling (YaRN, linear, per-pair frequency
     * factors come from the weights); sliding-window layers may use their own base and frequency
     * scale (Gemma 3's local layers).
     */
    public record RopeSpec(int dim, Rope.Layout layout, float base, Rope.Scaling scaling, float swaBase, float swaFreqScale) {}

    public ModelConfig {
        sliding = sliding.clone();
        String got = "dim " + dim + ", layers " + layers + ", heads " + heads + "/" + kvHeads + " of " + headDim + ", ffn " + ffnDim + ", vocab "
                + vocab + ", experts " + expertsUsed + "/" + experts + " of " + expertFfnDim + ", context " + contextLength + ", eps " + rmsEps
                + ", rope dims " + rope.dim() + " base " + rope.base() + ", window " + window;
        check(dim > 0 && layers > 0 && heads > 0 && kvHeads > 0 && headDim > 0 && vocab > 0 && contextLength > 0, "sizes must be positive", got);
        check(dim <= MetadataLimits.MAX_DIM && layers <= MetadataLimits.MAX_LAYERS && heads <= MetadataLimits.MAX_HEADS && kvHeads <= MetadataLimits.MAX_HEADS
                && headDim <= MetadataLimits.MAX_HEAD_DIM && ffnDim <= MetadataLimits.MAX_FFN && expertFfnDim <= MetadataLimits.MAX_FFN
                && sharedFfnDim <= MetadataLimits.MAX_FFN && vocab <= MetadataLimits.MAX_VOCAB,
                "sizes are past what Vane runs (dim <= " + MetadataLimits.MAX_DIM + ", layers <= " + MetadataLimits.MAX_LAYERS + ", heads <= "
                        + MetadataLimits.MAX_HEADS + ", head dim <= " + MetadataLimits.MAX_HEAD_DIM + ", ffn <= " + MetadataLimits.MAX_FFN + ", vocab <= "
                        + MetadataLimits.MAX_VOCAB + ")", got);
        check(heads % kvHeads == 0, "head_count_kv must divide head_count", got);
        check(experts >= 0 && experts <= MetadataLimits.MAX_EXPERTS, "expert_count must be in 0.." + MetadataLimits.MAX_EXPERTS, got);
        check(experts == 0 ? expertsUsed == 0 : expertsUsed >= 1 && expertsUsed <= experts,
                "expert_used_count must be in 1..expert_count (both 0 for a dense model)", got);
        check(Float.isFinite(expertWeightsScale), "the expert weights scale must be finite", got);
        check(experts == 0 ? ffnDim > 0 : expertFfnDim > 0, "the feed-forward length must be positive", got);
        check(!family.moeOnly() || experts > 0, "a " + family.ggufName() + " model is a mixture of experts: expert_count must be > 0", got);
        check(rope.dim() > 0 && rope.dim() <= headDim && rope.dim() % 2 == 0, "rope dimension_count must be even and <= the head dim", got);
        check(rmsEps >= 0 && Float.isFinite(rmsEps), "the RMS norm epsilon must be finite and >= 0", got);
        check(rope.base() > 1 && Float.isFinite(rope.base()) && rope.swaBase() > 1 && Float.isFinite(rope.swaBase()), "rope freq_base must be > 1", got);
        check(window >= 0 && sliding.length == layers, "sliding_window must be >= 0", got);
        check(Float.isFinite(attentionScale) && attentionScale > 0 && attnSoftcap >= 0 && finalSoftcap >= 0 && Float.isFinite(attnSoftcap)
                && Float.isFinite(finalSoftcap) && embeddingScale > 0 && Float.isFinite(embeddingScale), "scales must be finite and positive", got);
    }

    static void check(boolean ok, String what, String got) {
        if (!ok) throw new ModelFormatException("model hyperparameters: " + what + "; got " + got);
    }

    /** The GGUF architecture name of the family. */
    public String architecture() {
        return family.ggufName();
    }

    public boolean moe() {
        return experts > 0;
    }

    /** Whether layer l attends over a sliding window. */
    public boolean sliding(int l) {
        return window > 0 && sliding[l];
    }

    @Override
    public boolean[] sliding() {
        return sliding.clone();
    }

    public float ropeBase() {
        return rope.base();
    }

    public int ropeDim() {
        return rope.dim();
    }

    public Rope.Layout ropeLayout() {
        return rope.layout();
    }

    /** Query width (heads x head dim). */
    public int qDim() {
        return heads * headDim;
    }

    /** Key/value width (KV heads x head dim). */
    public int kvDim() {
        return kvHeads * headDim;
    }

    /** The hyper-parameters of a GGUF file, as llama.cpp reads them for its architecture. */
    public static ModelConfig fromGguf(dev.vane.model.gguf.GgufFile f) {
        return GgufConfig.read(f);
    }

    /** The hyper-parameters of a Hugging Face config.json (the families {@link Architecture#hfNames} lists). */
    public static ModelConfig fromHfConfig(java.util.Map<String, Object> json) {
        return HfConfig.read(json);
    }

    /** Parameters, counting every expert. */
    public long parameters() {
        long attn = (long) dim * (2L * qDim() + 2L * kvDim());
        long ffn = experts > 0 ? 3L * dim * expertFfnDim * experts + (long) experts * dim + 3L * dim * sharedFfnDim : 3L * dim * ffnDim;
        return 2L * vocab * dim + dim + layers * (attn + ffn + 2L * dim);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelConfig c && toString().equals(c.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "ModelConfig[" + family + ", dim " + dim + ", layers " + layers + ", heads " + heads + "/" + kvHeads + " of " + headDim + ", ffn "
                + ffnDim + ", vocab " + vocab + ", context " + contextLength + ", eps " + rmsEps + ", " + rope + ", attention scale " + attentionScale
                + " softcap " + attnSoftcap + " window " + window + " sliding " + Arrays.toString(sliding) + ", experts " + expertsUsed + "/" + experts
                + " of " + expertFfnDim + " shared " + sharedFfnDim + " " + gating + (renormalize ? " renormalized" : "") + " scale " + expertWeightsScale
                + ", " + activation + ", embedding scale " + embeddingScale + ", final softcap " + finalSoftcap + "]";
    }
}
