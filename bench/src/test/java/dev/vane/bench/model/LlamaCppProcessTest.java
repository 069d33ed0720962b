package dev.vane.bench.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.Model;
import dev.vane.model.Session;
import dev.vane.model.tokenizer.TextStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's llama.cpp engine (llama_ref serve) on the embedded model, with the prebuilt
 * llama.cpp the agreement tests use (ci/fetch-llama-cpp.sh; path from vane.llama.ref): greedy
 * tokens equal Vane's while Vane's top-2 margin is clear, requests are independent, and a bad
 * request is a clear error.
 */
class LlamaCppProcessTest {
    static final int N = 12;
    // A top-2 gap above this cannot flip between the two engines (sums in other orders and roundings differ far less here).
    static final float MARGIN = 0.05f;

    @TempDir
    static Path dir;
    static Path gguf;

    @BeforeAll
    static void writeModel() throws IOException {
        gguf = dir.resolve("embedded.gguf");
        EmbeddedModel.writeTo(gguf);
    }

    static Path llamaRef() {
        String p = System.getProperty("vane.llama.ref");
        assertTrue(p != null && Files.isExecutable(Path.of(p)), "llama_ref (vane.llama.ref = " + p + "): run ci/fetch-llama-cpp.sh");
        return Path.of(p);
    }

    @Test
    void greedyTokensMatchVane() throws Exception {
        try (Model model = Model.load(gguf); Session session = model.newSession();
                LlamaCppProcess llama = LlamaCppProcess.start(llamaRef(), null, gguf, 2, 256, model.tokenizer())) {
            int[] prompt = model.tokenizer().encode("And God said, Let there be light", true);
            List<String> expected = new ArrayList<>();
            TextStream text = new TextStream(model.tokenizer(), false);
            float[] logits = session.prefill(prompt);
            int sure = 0;  // tokens before the first near tie
            for (int i = 0; i < N; i++) {
                int best = BenchArgs.argmax(logits);
                float second = Float.NEGATIVE_INFINITY;
                for (int k = 0; k < logits.length; k++) if (k != best) second = Math.max(second, logits[k]);
                if (sure == i && logits[best] - second > MARGIN) sure++;
                expected.add(text.next(best));
                logits = session.next(best);
            }
            assertTrue(sure >= 4, "the embedded model should leave clear margins; only " + sure + " tokens before a near tie");
            for (int rep = 0; rep < 2; rep++) {  // the second request starts from a cleared cache, as the first
                Stamps s = llama.generate("", prompt, N);
                assertEquals(expected.subList(0, sure), s.pieces().subList(0, sure));
                for (int i = 1; i < N; i++) assertTrue(s.at()[i] >= s.at()[i - 1] && s.at()[0] > 0, "stamps in order");
            }
        }
    }

    @Test
    void aBadRequestIsAClearError() throws Exception {
        try (Model model = Model.load(gguf); LlamaCppProcess llama = LlamaCppProcess.start(llamaRef(), null, gguf, 1, 64, model.tokenizer())) {
            int vocab = model.config().vocab();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> llama.generate("", new int[] {1, vocab + 5}, 2));
            assertTrue(e.getMessage().contains("ids below " + vocab), e.getMessage());
            e = assertThrows(IllegalStateException.class, () -> llama.generate("", new int[60], 10));  // 60 + 10 - 1 positions > 64
            assertTrue(e.getMessage().contains("64 positions"), e.getMessage());
            assertEquals(3, llama.generate("", new int[] {1, 2, 3}, 3).at().length, "the process serves on after bad requests");
        }
    }

    @Test
    void aMissingBuildIsAClearError() {
        IOException e = assertThrows(IOException.class, () -> LlamaCppProcess.start(dir.resolve("nothing-here"), gguf, 1, 64, null));
        assertTrue(e.getMessage().contains("bench/llama-cpp-native.sh"), e.getMessage());
    }
}
