package dev.vane.bench.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.model.Model;
import dev.vane.model.Session;
import dev.vane.model.WeightFormat;
import dev.vane.model.gguf.GgmlType;
import dev.vane.model.safetensors.SafetensorsFile.Dtype;
import dev.vane.tools.generate.HfCheckpointGenerator;
import dev.vane.tools.generate.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jlama as the outside implementation: the same greedy tokens as Vane on a tiny random checkpoint. */
class JlamaEngineTest {
    // d 64, 2 layers, 4 heads over 2 KV heads, the smallest BPE vocabulary; F32 weights, so both run in F32.
    static final ModelSpec TINY = new ModelSpec(64, 2, 4, 2, 128, 322, 0, 0, 256, 10000f, 1e-5f, GgmlType.F32, ModelSpec.TokenizerKind.BPE, 1);
    static final int N = 8;
    // A top-2 logit gap above this cannot flip between two F32 implementations (they differ by ~1e-5).
    static final float MARGIN = 0.01f;
    // Jlama sizes its pool once per JVM: every load here asks for the same count.
    static final int THREADS = Math.min(2, Runtime.getRuntime().availableProcessors());

    @TempDir
    Path dir;

    @Test
    void greedyTokensMatchVane() throws Exception {
        Path ckpt = dir.resolve("tiny");
        HfCheckpointGenerator.write(TINY, Dtype.F32, ckpt);
        String text = "the of and to in is was he for it with as his on be at by had are but";
        try (JlamaEngine jlama = JlamaEngine.load(ckpt, false, THREADS);
                Model model = Model.load(ckpt, WeightFormat.AS_IS); Session session = model.newSession()) {
            int[] prompt = model.tokenizer().encode(text, true);
            assertEquals(prompt.length, jlama.promptTokens(text), "Jlama's prompt (its tokens + BOS) against Vane's");

            // Vane's greedy tokens, each with its top-2 margin.
            List<String> expected = new ArrayList<>();
            float[] logits = session.prefill(prompt);
            int sure = 0;  // tokens before the first near tie (past one, a divergence would be legitimate)
            for (int i = 0; i < N; i++) {
                int best = 0;
                for (int k = 1; k < logits.length; k++) if (logits[k] > logits[best]) best = k;
                float second = Float.NEGATIVE_INFINITY;
                for (int k = 0; k < logits.length; k++) if (k != best) second = Math.max(second, logits[k]);
                if (sure == i && logits[best] - second > MARGIN) sure++;
                expected.add(jlama.piece(best));  // in Jlama's rendering of a token, so the texts compare as ids
                logits = session.next(best);
            }
            assertTrue(sure >= 6, "the seeded model should leave clear margins; only " + sure + " tokens before a near tie");

            Stamps s = jlama.generate(text, prompt, N);
            assertEquals(expected.subList(0, sure), s.pieces().subList(0, sure));
            for (int i = 1; i < N; i++) assertTrue(s.at()[i] >= s.at()[i - 1], "stamps in arrival order");
            assertEquals(s.pieces(), jlama.generate(text, prompt, N).pieces(), "a second call starts from a fresh cache");
        }
    }

    @Test
    void q4IsJlamasOwnConversionKeptNextToTheCheckpoint() throws Exception {
        Path ckpt = dir.resolve("tiny");
        HfCheckpointGenerator.write(TINY, Dtype.F32, ckpt);
        String text = "the of and to in is was he";
        try (JlamaEngine jlama = JlamaEngine.load(ckpt, true, THREADS)) {
            assertEquals(N, jlama.generate(text, null, N).pieces().size());
        }
        assertTrue(Files.isRegularFile(dir.resolve("tiny-jlama-q4").resolve("model.safetensors")));
        assertTrue(Files.notExists(ckpt.resolve("README.md")), "the source checkpoint is left as it was");
        try (var left = Files.list(dir)) {
            assertEquals(List.of("tiny", "tiny-jlama-q4"), left.map(p -> p.getFileName().toString()).sorted().toList(), "no staging left behind");
        }
    }

    @Test
    void missingOrUnknownCheckpointsAreClearErrors() throws Exception {
        Path missing = dir.resolve("nowhere");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JlamaEngine.load(missing, false, THREADS));
        assertTrue(e.getMessage().contains("no checkpoint directory") && e.getMessage().contains(missing.toString()), e.getMessage());

        Path odd = dir.resolve("odd");
        HfCheckpointGenerator.write(TINY, Dtype.F32, odd);
        Files.writeString(odd.resolve("config.json"), Files.readString(odd.resolve("config.json")).replace("\"llama\"", "\"nosuchmodel\""));
        e = assertThrows(IllegalArgumentException.class, () -> JlamaEngine.load(odd, false, THREADS));
        assertTrue(e.getMessage().contains("Jlama cannot load") && e.getMessage().contains("NOSUCHMODEL"), e.getMessage());
    }
}
