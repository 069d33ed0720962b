package dev.vane.moe;

import java.util.Objects;

/**
 * How a mixture-of-experts layer turns router logits into k experts per token and their weights.
 * The choice is by descending score, ties to the lower expert index; the weights are then
 * renormalized if asked, then scaled, as llama.cpp's build_moe_ffn does.
 *
 * @param kind          the rule (see {@link Kind})
 * @param k             experts per token, 1..number of experts
 * @param renormalize   divide each token's k weights by their sum (by 2^-14 if the sum is smaller, as llama.cpp)
 * @param scale         multiplies every final weight (DeepSeek-V3's routed scaling factor; else 1; 0 reads as 1, as
 *                      llama.cpp's expert_weights_scale)
 * @param selectionBias per-expert bias added to the scores for the choice only (sigmoid gating), or null
 */
public record Gating(Kind kind, int k, boolean renormalize, float scale, float[] selectionBias) {
    /** The gating rules of the common MoE models. */
    public enum Kind {
        /** softmax over all experts, then the k largest probabilities (llama.cpp's SOFTMAX; Mixtral: with renormalize). */
        SOFTMAX_TOPK(0),
        /** the k largest logits, then a softmax over those k (llama.cpp's SOFTMAX_WEIGHT; gpt-oss). */
        TOPK_SOFTMAX(1),
        /** sigmoid scores; the k largest score + selection bias; weights are the scores (DeepSeek-V3). */
        SIGMOID_TOPK(2);

        private final int id;

        Kind(int id) {
            this.id = id;
        }

        /** The VANE_GATING_* value. */
        public int id() {
            return id;
        }
    }

    public Gating {
        Objects.requireNonNull(kind, "kind must not be null");
        if (k < 1) throw new IllegalArgumentException("k must be >= 1 expert per token, got " + k);
        if (!Float.isFinite(scale)) throw new IllegalArgumentException("scale must be finite, got " + scale);
        if (selectionBias != null) {
            if (kind != Kind.SIGMOID_TOPK) throw new IllegalArgumentException("a selection bias applies to SIGMOID_TOPK gating only");
            for (float b : selectionBias) {
                if (!Float.isFinite(b)) throw new IllegalArgumentException("selection bias values must be finite, got " + b);
            }
            selectionBias = selectionBias.clone();
        }
    }

    /** The classic gate: softmax over all experts, top k; Mixtral renormalizes the k weights. */
    public static Gating softmaxTopK(int k, boolean renormalize) {
        return new Gating(Kind.SOFTMAX_TOPK, k, renormalize, 1.0f, null);
    }

    /** Top k logits, softmax over them. */
    public static Gating topKSoftmax(int k) {
        return new Gating(Kind.TOPK_SOFTMAX, k, false, 1.0f, null);
    }

    /** DeepSeek-V3 style: sigmoid scores, selection bias (may be null), optional renormalization, a scale. */
    public static Gating sigmoidTopK(int k, boolean renormalize, float scale, float[] selectionBias) {
        return new Gating(Kind.SIGMOID_TOPK, k, renormalize, scale, selectionBias);
    }

    @Override
    public float[] selectionBias() {
        return selectionBias == null ? null : selectionBias.clone();
    }
}
