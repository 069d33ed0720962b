package dev.vane.model.tokenizer;

import dev.vane.tools.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Test helper: a GGUF holding a vocabulary and no weights, with the hyperparameters of a tiny
 * architecture-"llama" model so that llama.cpp loads it vocabulary-only (llama_ref's tokenize and
 * pieces); the tokenizer metadata is the vocabulary's own {@link GgufWriter#putVocabulary}. A real
 * tokenizer of 262k tokens is a few megabytes this way, and written in well under a second.
 */
final class VocabGguf {
    private VocabGguf() {}

    static Path write(Vocabulary v, String chatTemplate, Path path) throws IOException {
        GgufWriter w = new GgufWriter();
        String arch = "llama";
        w.putString("general.architecture", arch);
        w.putString("general.name", "vane-vocabulary");
        w.putUint32(arch + ".context_length", 256);
        w.putUint32(arch + ".embedding_length", 64);
        w.putUint32(arch + ".block_count", 1);
        w.putUint32(arch + ".feed_forward_length", 128);
        w.putUint32(arch + ".attention.head_count", 2);
        w.putUint32(arch + ".attention.head_count_kv", 2);
        w.putUint32(arch + ".rope.dimension_count", 32);
        w.putFloat32(arch + ".attention.layer_norm_rms_epsilon", 1e-5f);
        w.putUint32(arch + ".vocab_size", v.size());
        w.putVocabulary(v);
        if (chatTemplate != null) w.putString("tokenizer.chat_template", chatTemplate);
        w.write(path);
        return path;
    }
}
