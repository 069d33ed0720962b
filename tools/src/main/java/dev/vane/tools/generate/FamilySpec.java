package dev.vane.tools.generate;

import dev.vane.model.Architecture;
import dev.vane.model.gguf.GgmlType;

/**
 * The shape of a generated model of any {@link Architecture}, with the metadata llama.cpp's
 * converter writes for that family: sizes, experts (routed, per token, their width, a shared
 * expert's width), sliding window and its layer period, the local layers' RoPE base, soft-caps,
 * RoPE scaling ("none", "linear", "yarn", "longrope" with factor and original context), and how
 * the file lays tensors out (fused QKV, Q/K/V biases, Llama 3.1's rope_freqs, a tied output).
 * weights: the type of every 2-D matrix; expertWeights: of the stacked experts (gpt-oss ships
 * MXFP4 experts). Norms, biases, sinks, RoPE factors and routers stay F32, as llama.cpp keeps them.
 */
public record FamilySpec(Architecture family, int dim, int layers, int heads, int kvHeads, int headDim, int ffnDim, int vocab, int experts,
        int expertsUsed, int expertFfnDim, int sharedFfnDim, int window, int swaPeriod, float ropeBase, float swaRopeBase, float attnSoftcap,
        float finalSoftcap, String ropeScaling, float ropeFactor, int origContext, int contextLength, boolean fusedQkv, boolean qkvBias,
        boolean ropeFreqs, boolean tiedOutput, GgmlType weights, GgmlType expertWeights, long seed) {

    /**
     * A small model of the family with its characteristic features switched on, sized for tests
     * (d 128, 2..6 layers, windows of 8 so that short prompts cross them, a 512-token vocabulary).
     */
    public static FamilySpec tiny(Architecture a, GgmlType weights) {
        FamilySpec s = new FamilySpec(a, 128, 2, 4, 2, 32, 256, 512, 0, 0, 0, 0, 0, 0, 10000f, 10000f, 0f, 0f, "none", 1f, 512, 512, false, false,
                false, false, weights, weights, 1300 + a.ordinal());
        return switch (a) {
            case LLAMA -> s.with(b -> b.ropeFreqs = b.tiedOutput = true).withRope("none", 1f, 64, 500000f);
            case QWEN2 -> s.with(b -> b.qkvBias = true).withRope("yarn", 4f, 64, 1000000f);
            case QWEN3 -> s.with(b -> {
                b.headDim = 48;  // an explicit head size (attention.key_length) that dim / heads does not give
                b.tiedOutput = true;
            });
            case QWEN2MOE -> s.with(b -> {
                b.experts = 8;
                b.expertsUsed = 2;
                b.expertFfnDim = 64;
                b.sharedFfnDim = 128;
                b.qkvBias = true;
            });
            case QWEN3MOE -> s.with(b -> {
                b.experts = 8;
                b.expertsUsed = 2;
                b.expertFfnDim = 96;
            });
            case GEMMA2 -> s.with(b -> {
                b.layers = 4;
                b.window = 8;
                b.swaPeriod = 2;
                b.attnSoftcap = 50f;
                b.finalSoftcap = 30f;
            });
            case GEMMA3 -> s.with(b -> {
                b.layers = 6;
                b.window = 8;
                b.swaPeriod = 6;
                b.ropeBase = 1000000f;
                b.swaRopeBase = 10000f;
            }).withRope("linear", 8f, 512, 1000000f);
            case PHI3 -> s.with(b -> {
                b.fusedQkv = true;
                b.heads = b.kvHeads = 4;
            });
            case GPT_OSS -> s.with(b -> {
                b.experts = 8;
                b.expertsUsed = 2;
                b.expertFfnDim = 128;
                b.window = 8;
                b.swaPeriod = 2;
                b.headDim = 64;
                b.heads = 4;
                b.expertWeights = GgmlType.MXFP4;
            }).withRope("yarn", 32f, 16, 150000f);
        };
    }

    private FamilySpec withRope(String type, float factor, int orig, float base) {
        return with(b -> {
            b.ropeScaling = type;
            b.ropeFactor = factor;
            b.origContext = orig;
            b.ropeBase = base;
        });
    }

    public FamilySpec withWeights(GgmlType w) {
        return with(b -> b.weights = w);
    }

    public FamilySpec withSeed(long seed) {
        return with(b -> b.seed = seed);
    }

    /** A copy changed by edit (the mutable copy's fields are the record's). */
    public FamilySpec with(java.util.function.Consumer<Builder> edit) {
        Builder b = new Builder(this);
        edit.accept(b);
        return b.build();
    }

    /** A mutable copy of a spec's fields. */
    public static final class Builder {
        public Architecture family;
        public int dim, layers, heads, kvHeads, headDim, ffnDim, vocab, experts, expertsUsed, expertFfnDim, sharedFfnDim, window, swaPeriod, origContext,
                contextLength;
        public float ropeBase, swaRopeBase, attnSoftcap, finalSoftcap, ropeFactor;
        public String ropeScaling;
        public boolean fusedQkv, qkvBias, ropeFreqs, tiedOutput;
        public GgmlType weights, expertWeights;
        public long seed;

        Builder(FamilySpec s) {
            family = s.family;
            dim = s.dim;
            layers = s.layers;
            heads = s.heads;
            kvHeads = s.kvHeads;
            headDim = s.headDim;
            ffnDim = s.ffnDim;
            vocab = s.vocab;
            experts = s.experts;
            expertsUsed = s.expertsUsed;
            expertFfnDim = s.expertFfnDim;
            sharedFfnDim = s.sharedFfnDim;
            window = s.window;
            swaPeriod = s.swaPeriod;
            ropeBase = s.ropeBase;
            swaRopeBase = s.swaRopeBase;
            attnSoftcap = s.attnSoftcap;
            finalSoftcap = s.finalSoftcap;
            ropeScaling = s.ropeScaling;
            ropeFactor = s.ropeFactor;
            origContext = s.origContext;
            contextLength = s.contextLength;
            fusedQkv = s.fusedQkv;
            qkvBias = s.qkvBias;
            ropeFreqs = s.ropeFreqs;
            tiedOutput = s.tiedOutput;
            weights = s.weights;
            expertWeights = s.expertWeights;
            seed = s.seed;
        }

        FamilySpec build() {
            return new FamilySpec(family, dim, layers, heads, kvHeads, headDim, ffnDim, vocab, experts, expertsUsed, expertFfnDim, sharedFfnDim, window,
                    swaPeriod, ropeBase, swaRopeBase, attnSoftcap, finalSoftcap, ropeScaling, ropeFactor, origContext, contextLength, fusedQkv, qkvBias,
                    ropeFreqs, tiedOutput, weights, expertWeights, seed);
        }
    }
}
