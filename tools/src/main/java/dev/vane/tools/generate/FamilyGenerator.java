package dev.vane.tools.generate;

import dev.vane.model.Architecture;
import dev.vane.model.ModelConfig;
import dev.vane.model.gguf.GgmlType;
import dev.vane.model.gguf.GgufFile;
import dev.vane.tools.gguf.GgufWriter;
import dev.vane.model.tokenizer.Vocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes a GGUF file of any {@link Architecture} with seeded random weights, laid out as
 * llama.cpp's converter writes that family: the metadata keys its loader reads, then exactly
 * the tensors {@link Architecture#tensors} lists for those hyper-parameters (the required ones,
 * and the optional ones the spec asks for: fused QKV, biases, rope_freqs, a separate output).
 * The metadata is written and read back first, so the shapes come from the same reading of the
 * keys that loading uses. Same spec, same bytes.
 */
public final class FamilyGenerator {
    private FamilyGenerator() {}

    /** Writes spec with a synthetic vocabulary of spec.vocab() tokens (SPM for Llama, Gemma and Phi-3; byte-level BPE for the others). */
    public static void writeGguf(FamilySpec spec, Path path) throws IOException {
        writeGguf(spec, vocabulary(spec), path);
    }

    public static void writeGguf(FamilySpec spec, Vocabulary vocab, Path path) throws IOException {
        if (vocab.size() != spec.vocab()) throw new IllegalArgumentException("the vocabulary has " + vocab.size() + " tokens, the spec " + spec.vocab());
        Path probe = Files.createTempFile("vane-family-metadata", ".gguf");
        ModelConfig c;
        try {
            metadata(spec, vocab).write(probe);
            try (GgufFile f = GgufFile.open(probe)) {
                c = ModelConfig.fromGguf(f);
            }
        } finally {
            Files.deleteIfExists(probe);
        }
        GgufWriter w = metadata(spec, vocab);
        for (Architecture.TensorInfo t : spec.family().tensors(c)) {
            if (wanted(spec, t)) tensor(w, spec, c, t);
        }
        w.write(path);
    }

    private static boolean wanted(FamilySpec s, Architecture.TensorInfo t) {
        String n = t.name();
        if (n.endsWith("attn_qkv.weight")) return s.fusedQkv();
        if (n.matches("blk\\.\\d+\\.attn_[qkv]\\.weight")) return !s.fusedQkv();
        if (n.matches("blk\\.\\d+\\.attn_[qkv]\\.bias")) return s.qkvBias() && !s.fusedQkv();
        if (n.endsWith("attn_qkv.bias")) return s.qkvBias() && s.fusedQkv();
        if (n.equals("rope_freqs.weight")) return s.ropeFreqs();
        if (n.equals("output.weight")) return t.required() || !s.tiedOutput();
        return t.required();
    }

    private static GgufWriter metadata(FamilySpec s, Vocabulary vocab) {
        GgufWriter w = new GgufWriter();
        String a = s.family().ggufName();
        w.putString("general.architecture", a);
        // not the family's name: llama.cpp gives a model named "phi3" its vocabulary's special tokens, which a synthetic one lacks
        w.putString("general.name", "vane-generated-seed" + s.seed());
        w.putUint32(a + ".context_length", s.contextLength());
        w.putUint32(a + ".embedding_length", s.dim());
        w.putUint32(a + ".block_count", s.layers());
        w.putUint32(a + ".feed_forward_length", s.ffnDim());
        w.putUint32(a + ".attention.head_count", s.heads());
        w.putUint32(a + ".attention.head_count_kv", s.kvHeads());
        w.putUint32(a + ".attention.key_length", s.headDim());
        w.putUint32(a + ".attention.value_length", s.headDim());
        w.putUint32(a + ".rope.dimension_count", s.headDim());
        w.putFloat32(a + ".rope.freq_base", s.ropeBase());
        w.putFloat32(a + ".attention.layer_norm_rms_epsilon", 1e-6f);
        w.putUint32(a + ".vocab_size", s.vocab());
        if (s.experts() > 0) {
            w.putUint32(a + ".expert_count", s.experts());
            w.putUint32(a + ".expert_used_count", s.expertsUsed());
            w.putUint32(a + ".expert_feed_forward_length", s.expertFfnDim());
            if (s.sharedFfnDim() > 0) w.putUint32(a + ".expert_shared_feed_forward_length", s.sharedFfnDim());
        }
        if (s.window() > 0) {
            w.putUint32(a + ".attention.sliding_window", s.window());
            w.putUint32(a + ".attention.sliding_window_pattern", s.swaPeriod());
            w.putFloat32(a + ".rope.freq_base_swa", s.swaRopeBase());
        }
        if (s.attnSoftcap() > 0) w.putFloat32(a + ".attn_logit_softcapping", s.attnSoftcap());
        if (s.finalSoftcap() > 0) w.putFloat32(a + ".final_logit_softcapping", s.finalSoftcap());
        if (!s.ropeScaling().equals("none")) {
            w.putString(a + ".rope.scaling.type", s.ropeScaling());
            w.putFloat32(a + ".rope.scaling.factor", s.ropeFactor());
            w.putUint32(a + ".rope.scaling.original_context_length", s.origContext());
        }
        w.putVocabulary(vocab);
        return w;
    }

    // Each family's vocabulary kind and settings as its real files declare them: SentencePiece for
    // Llama 2-style, Phi-3 and Gemma (which has no space prefix); byte-level BPE with Qwen's or
    // o200k's pre-tokenizer and no BOS for Qwen and gpt-oss.
    private static Vocabulary vocabulary(FamilySpec s) {
        return switch (s.family()) {
            case LLAMA, PHI3 -> SyntheticVocab.spm(s.vocab(), s.seed()).spmVocabulary(true);
            case GEMMA2, GEMMA3 -> SyntheticVocab.spm(s.vocab(), s.seed()).spmVocabulary(false);
            case QWEN2, QWEN3, QWEN2MOE, QWEN3MOE -> SyntheticVocab.bpe(s.vocab(), s.seed()).bpeVocabulary("qwen2", false);
            case GPT_OSS -> SyntheticVocab.bpe(s.vocab(), s.seed()).bpeVocabulary("gpt-4o", false);
        };
    }

    private static void tensor(GgufWriter w, FamilySpec s, ModelConfig c, Architecture.TensorInfo t) {
        String n = t.name();
        long[] shape = t.shape();
        long[] ne = new long[shape.length];
        for (int i = 0; i < shape.length; i++) ne[i] = shape[shape.length - 1 - i];
        SplittableRandom r = new SplittableRandom(s.seed() * 0x9E3779B97F4A7C15L ^ n.hashCode());
        boolean vector = shape.length == 1 || n.endsWith(".bias") || n.contains("gate_inp");
        GgmlType type = vector ? GgmlType.F32 : n.contains("_exps") ? s.expertWeights() : s.weights();
        long cols = shape[shape.length - 1], rows = 1;
        for (int i = 0; i < shape.length - 1; i++) rows *= shape[i];
        double std;
        double mean = 0;
        if (n.contains("norm")) {  // norm weights near 1
            mean = 1;
            std = 0.06;
        } else if (n.startsWith("rope_")) {  // frequency factors in [1, 8], as Llama 3.1's
            mean = 4.5;
            std = 2;
        } else if (n.endsWith("attn_sinks.weight")) {
            std = 1;
        } else if (n.endsWith(".bias")) {
            std = 0.2;
        } else if (n.equals("token_embd.weight")) {
            std = c.family().ggufName().startsWith("gemma") ? 1 / Math.sqrt(c.dim()) : 1;  // Gemma scales embeddings up by sqrt(dim)
        } else if (n.equals("output.weight")) {
            std = 4 / Math.sqrt(cols);
        } else {
            std = 1 / Math.sqrt(cols);
        }
        final GgmlType ty = type;
        final double m0 = mean, sd = std;
        final long rr = rows;
        w.addTensor(n, ty, ne, out -> ModelGenerator.writeRows(out, r, ty, rr, (int) cols, m0, sd));
    }
}
