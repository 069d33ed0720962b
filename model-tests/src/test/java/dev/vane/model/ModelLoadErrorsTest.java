package dev.vane.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.model.gguf.GgmlType;
import dev.vane.model.gguf.GgufFormatException;
import dev.vane.tools.generate.ModelGenerator;
import dev.vane.tools.generate.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken model files: each gets an exception that names the problem, never a crash,
 * garbage, or a huge allocation. The files are a valid generated model with one thing changed.
 */
class ModelLoadErrorsTest {
    @TempDir
    static Path dir;
    static Path valid;

    @BeforeAll
    static void writeValid() throws Exception {
        valid = dir.resolve("valid.gguf");
        ModelGenerator.writeGguf(ModelSpec.tinyLlama(GgmlType.F16), valid);
        try (Model m = Model.load(valid)) {
            assertTrue(m.config().layers() == 2);
        }
    }

    private static void expect(Class<? extends Exception> type, String mention, Map<String, Object> meta, Map<String, String> rename)
            throws Exception {
        Path bad = Files.createTempFile(dir, "bad", ".gguf");
        GgufEdits.copy(valid, bad, meta, rename);
        Exception e = assertThrows(type, () -> Model.load(bad).close());
        assertTrue(e.getMessage().contains(mention), "message should mention '" + mention + "': " + e.getMessage());
    }

    @Test
    void unknownArchitecture() throws Exception {
        expect(ModelFormatException.class, "gpt-j", Map.of("general.architecture", "gpt-j"), Map.of());
    }

    @Test
    void metadataOfTheWrongType() throws Exception {
        expect(ModelFormatException.class, "llama.embedding_length", Map.of("llama.embedding_length", "128"), Map.of());
        expect(ModelFormatException.class, "llama.rope.freq_base", Map.of("llama.rope.freq_base", "ten thousand"), Map.of());
    }

    @Test
    void missingMetadata() throws Exception {
        expect(ModelFormatException.class, "llama.block_count", Map.of("llama.block_count", GgufEdits.REMOVE), Map.of());
        expect(ModelFormatException.class, "tokenizer.ggml.tokens", Map.of("tokenizer.ggml.tokens", GgufEdits.REMOVE), Map.of());
    }

    @Test
    void absurdHyperparametersAreRejectedBeforeAllocating() throws Exception {
        expect(ModelFormatException.class, "llama.block_count = 2000000000", Map.of("llama.block_count", 2_000_000_000L), Map.of());
        expect(ModelFormatException.class, "vocab", Map.of("llama.vocab_size", 4_000_000_000L), Map.of());
        expect(ModelFormatException.class, "head_count", Map.of("llama.attention.head_count", 3L), Map.of());
        expect(ModelFormatException.class, "head_count_kv", Map.of("llama.attention.head_count_kv", 3L), Map.of());
        expect(ModelFormatException.class, "expert_used_count", Map.of("llama.expert_count", 4L, "llama.expert_used_count", 9L), Map.of());
    }

    @Test
    void vocabularyAndModelDisagree() throws Exception {
        expect(ModelFormatException.class, "vocabulary", Map.of("llama.vocab_size", 1000L), Map.of());
    }

    @Test
    void missingTensor() throws Exception {
        expect(ModelFormatException.class, "blk.1.ffn_up.weight", Map.of(), Map.of("blk.1.ffn_up.weight", "blk.1.something_else"));
    }

    @Test
    void tensorOfTheWrongShape() throws Exception {
        // attn_k ([128 -> 64]) stored under attn_q's name, which must be [128 -> 128].
        expect(ModelFormatException.class, "blk.0.attn_q.weight", Map.of(),
                Map.of("blk.0.attn_q.weight", "blk.0.unused", "blk.0.attn_k.weight", "blk.0.attn_q.weight"));
    }

    @Test
    void mixtureOfExpertsWithoutExpertTensors() throws Exception {
        expect(ModelFormatException.class, "ffn_gate_inp", Map.of("llama.expert_count", 4L, "llama.expert_used_count", 2L), Map.of());
    }

    @Test
    void truncatedAndNonGgufFiles() throws Exception {
        byte[] bytes = Files.readAllBytes(valid);
        for (int cut : new int[] {0, 3, 20, 1000, bytes.length / 2, bytes.length - 1}) {
            Path t = dir.resolve("cut" + cut + ".gguf");
            Files.write(t, Arrays.copyOf(bytes, cut));
            assertThrows(GgufFormatException.class, () -> Model.load(t).close(), "truncated at " + cut);
        }
        Path text = dir.resolve("text.gguf");
        Files.writeString(text, "this is not a model file at all, just some text");
        Exception e = assertThrows(GgufFormatException.class, () -> Model.load(text).close());
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
    }
}
