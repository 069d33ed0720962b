package dev.vane.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.attention.KvCache;
import dev.vane.attention.Rope;
import dev.vane.model.gguf.GgmlType;
import dev.vane.model.safetensors.SafetensorsFile.Dtype;
import dev.vane.tools.generate.HfCheckpointGenerator;
import dev.vane.tools.generate.ModelGenerator;
import dev.vane.tools.generate.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hugging Face checkpoints (config.json + tokenizer.json + safetensors) against GGUF files of the
 * same generated model: the checkpoint keeps Q and K unpermuted and is run with NeoX RoPE, the
 * GGUF permuted with adjacent-pair RoPE, so equal logits show the mapping of names, shapes,
 * layouts and hyperparameters. F32 checkpoints match the F32 GGUF to f32 rounding (2e-6 of the
 * logits' largest magnitude; measured 2e-7); BF16 and block-FP8 ones as closely as their rounding
 * allows (1 - cosine at most 3e-5 and 2e-3; measured 1e-5 and 6e-4).
 */
class CheckpointTest {
    @TempDir
    static Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"dense", "moe"})
    void checkpointsRunLikeTheGgufOfTheSameModel(String kind) throws Exception {
        ModelSpec spec = (kind.equals("moe") ? ModelSpec.tinyMixtral(GgmlType.F32) : ModelSpec.tinyLlama(GgmlType.F32))
                .withTokenizer(ModelSpec.TokenizerKind.BPE);
        Path gguf = dir.resolve(kind + ".gguf");
        ModelGenerator.writeGguf(spec, gguf);
        String prompt = "the old man said hello to the world, 12345!";
        float[] want;
        int[] ids;
        try (Model m = Model.load(gguf); Session s = m.newSession(options(m))) {
            ids = m.tokenizer().encode(prompt, true);
            want = s.prefill(ids);
        }
        for (Dtype dtype : new Dtype[] {Dtype.F32, Dtype.BF16, Dtype.F8_E4M3}) {
            Path ckpt = dir.resolve(kind + "-" + dtype);
            HfCheckpointGenerator.write(spec, dtype, ckpt);
            Path load = dtype == Dtype.F8_E4M3 ? ckpt.resolve("model.safetensors") : ckpt;  // a .safetensors file stands for its directory
            try (Model m = Model.load(load); Session s = m.newSession(options(m))) {
                assertEquals(Rope.Layout.NEOX, m.config().ropeLayout());
                assertEquals(spec.experts(), m.config().experts());
                assertArrayEquals(ids, m.tokenizer().encode(prompt, true), "tokenizer.json and the GGUF vocabulary tokenize alike");
                float[] got = s.prefill(ids);
                if (dtype == Dtype.F32) {
                    double spread = 0;
                    for (float v : want) spread = Math.max(spread, Math.abs(v));
                    for (int i = 0; i < want.length; i++) {
                        assertTrue(Math.abs(got[i] - want[i]) <= 2e-6 * spread, kind + " logit " + i + ": " + got[i] + " vs " + want[i]);
                    }
                } else {
                    double loss = 1 - cosine(got, want), max = dtype == Dtype.BF16 ? 3e-5 : 2e-3;
                    assertTrue(loss <= max, kind + " " + dtype + ": 1 - cosine = " + loss + " > " + max);
                }
            }
        }
    }

    private static SessionOptions options(Model m) {
        return SessionOptions.defaults(m.config()).withKvStorage(KvCache.Storage.F32);
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0, x = 0, y = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            x += (double) a[i] * a[i];
            y += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(x * y);
    }

    @ParameterizedTest
    @ValueSource(strings = {"no-config", "bad-arch", "missing-tensor", "bad-json", "no-weights"})
    void brokenCheckpointsAreClearErrors(String what) throws Exception {
        ModelSpec spec = ModelSpec.tinyLlama(GgmlType.F32).withTokenizer(ModelSpec.TokenizerKind.BPE);
        Path ckpt = dir.resolve("broken-" + what);
        HfCheckpointGenerator.write(spec, Dtype.F16, ckpt);
        Path config = ckpt.resolve("config.json");
        String mention = switch (what) {
            case "no-config" -> {
                Files.delete(config);
                yield "config.json";
            }
            case "bad-arch" -> {
                Files.writeString(config, Files.readString(config).replace("LlamaForCausalLM", "GPT2LMHeadModel"));
                yield "GPT2LMHeadModel";
            }
            case "missing-tensor" -> {
                Files.writeString(config, Files.readString(config).replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3"));
                yield "model.layers.2.";
            }
            case "bad-json" -> {
                Files.writeString(config, "{\"hidden_size\": 128,");
                yield "config.json";
            }
            default -> {
                Files.delete(ckpt.resolve("model.safetensors"));
                yield "no .safetensors";
            }
        };
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Model.load(ckpt).close());
        assertTrue(e.getMessage().contains(mention), "message should mention '" + mention + "': " + e.getMessage());
    }
}
