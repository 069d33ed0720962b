package dev.vane.tools.generate;

import dev.vane.model.gguf.GgmlType;

/**
 * The shape of a generated model: a Llama-family transformer (RMSNorm, RoPE, grouped-query
 * attention, SwiGLU), Mixtral-style when experts > 0 (each layer's feed-forward a mixture of
 * `experts` SwiGLU experts, `expertsUsed` per token). weights: the type of every matrix (norms
 * stay F32; a MoE router is F32 as llama.cpp's quantizer keeps it).
 */
public record ModelSpec(int dim, int layers, int heads, int kvHeads, int ffnDim, int vocab, int experts, int expertsUsed,
        int contextLength, float ropeBase, float rmsEps, GgmlType weights, TokenizerKind tokenizer, long seed) {

    /** Which tokenizer the generated vocabulary is for. */
    public enum TokenizerKind {
        /** SentencePiece-style (GGUF tokenizer model "llama"), with byte fallback. */
        SPM,
        /** Byte-level BPE with merges (GGUF tokenizer model "gpt2", Llama 3's pre-tokenizer). */
        BPE
    }

    public ModelSpec {
        if (dim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || ffnDim <= 0 || vocab <= 0 || contextLength <= 0) {
            throw new IllegalArgumentException("sizes must be positive: " + this);
        }
        if (heads % kvHeads != 0 || dim % heads != 0 || (dim / heads) % 2 != 0) {
            throw new IllegalArgumentException("heads must divide dim into even head dims and kvHeads must divide heads: " + this);
        }
        if (experts < 0 || (experts > 0 && (expertsUsed < 1 || expertsUsed > experts)) || (experts == 0 && expertsUsed != 0)) {
            throw new IllegalArgumentException("expertsUsed must be in 1..experts (both 0 for a dense model): " + this);
        }
        if (weights != GgmlType.F32 && weights != GgmlType.F16 && weights != GgmlType.Q8_0 && weights != GgmlType.Q4_0) {
            throw new IllegalArgumentException("the generator writes F32, F16, Q8_0 or Q4_0 weights, not " + weights);
        }
        if ((weights == GgmlType.Q8_0 || weights == GgmlType.Q4_0) && (dim % 32 != 0 || ffnDim % 32 != 0)) {
            throw new IllegalArgumentException("block formats need dim and ffnDim multiples of 32: " + this);
        }
        int minVocab = tokenizer == TokenizerKind.SPM ? SyntheticVocab.MIN_SPM : SyntheticVocab.MIN_BPE;
        if (vocab < minVocab) throw new IllegalArgumentException("a " + tokenizer + " vocabulary needs at least " + minVocab + " tokens, got " + vocab);
    }

    /** A small dense model for tests: d 128, 2 layers, 4 heads over 2 KV heads, SPM vocabulary of 512. */
    public static ModelSpec tinyLlama(GgmlType weights) {
        return new ModelSpec(128, 2, 4, 2, 256, 512, 0, 0, 512, 10000f, 1e-5f, weights, TokenizerKind.SPM, 42);
    }

    /** A small Mixtral-style model for tests: as tinyLlama with 4 experts, 2 per token. */
    public static ModelSpec tinyMixtral(GgmlType weights) {
        return new ModelSpec(128, 2, 4, 2, 192, 512, 4, 2, 512, 10000f, 1e-5f, weights, TokenizerKind.SPM, 43);
    }

    /** The ≈ 0.5B-parameter benchmark model: d 2048, 8 layers, 16 heads over 4 KV heads, ffn 5632, vocab 32000. */
    public static ModelSpec llama05b(GgmlType weights) {
        return new ModelSpec(2048, 8, 16, 4, 5632, 32000, 0, 0, 4096, 10000f, 1e-5f, weights, TokenizerKind.SPM, 7);
    }

    /** The Mixtral-style benchmark model: d 2048, 4 layers, 8 experts of ffn 2816, 2 per token, vocab 32000 (≈ 0.8B parameters). */
    public static ModelSpec mixtralBench(GgmlType weights) {
        return new ModelSpec(2048, 4, 16, 4, 2816, 32000, 8, 2, 4096, 10000f, 1e-5f, weights, TokenizerKind.SPM, 8);
    }

    public ModelSpec withWeights(GgmlType w) {
        return new ModelSpec(dim, layers, heads, kvHeads, ffnDim, vocab, experts, expertsUsed, contextLength, ropeBase, rmsEps, w, tokenizer, seed);
    }

    public ModelSpec withTokenizer(TokenizerKind t) {
        return new ModelSpec(dim, layers, heads, kvHeads, ffnDim, vocab, experts, expertsUsed, contextLength, ropeBase, rmsEps, weights, t, seed);
    }

    public ModelSpec withSeed(long s) {
        return new ModelSpec(dim, layers, heads, kvHeads, ffnDim, vocab, experts, expertsUsed, contextLength, ropeBase, rmsEps, weights, tokenizer, s);
    }

    public int headDim() {
        return dim / heads;
    }

    /** Parameters, counting every expert. */
    public long parameters() {
        long attn = (long) dim * headDim() * (2L * heads + 2L * kvHeads);
        long ffn = 3L * dim * ffnDim * Math.max(1, experts) + (long) experts * dim;
        return 2L * vocab * dim + dim + layers * (attn + ffn + 2L * dim);
    }
}
