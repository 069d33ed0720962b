package dev.vane.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.attention.KvCache;
import dev.vane.model.gguf.GgmlType;
import dev.vane.tools.generate.ModelGenerator;
import dev.vane.tools.generate.ModelSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scoring text: Session.logProbabilities against log-softmax of the logits prefill gives for each
 * prefix (float64 here), and Perplexity against its definition (llama.cpp's chunking: BOS first,
 * the second half of each chunk scored). Tolerance 1e-4 nats: the same f32 logits, computed in
 * one GEMM over all rows instead of one row at a time.
 */
class PerplexityTest {
    @TempDir
    static Path dir;
    static Model model;

    @BeforeAll
    static void load() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        ModelGenerator.writeGguf(ModelSpec.tinyMixtral(GgmlType.F32), file);
        model = Model.load(file);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static double logSoftmax(float[] logits, int target) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float v : logits) max = Math.max(max, v);
        for (float v : logits) sum += Math.exp(v - max);
        return logits[target] - max - Math.log(sum);
    }

    @Test
    void logProbabilitiesAreThoseOfEachPrefix() {
        int[] ids = model.tokenizer().encode("the old man said hello to the world, and the world was still", true);
        double[] lp;
        try (Session s = model.newSession(SessionOptions.defaults(model.config()).withKvStorage(KvCache.Storage.F32).withChunkTokens(7))) {
            lp = s.logProbabilities(ids);
            assertEquals(ids.length, s.position());
        }
        assertEquals(ids.length - 1, lp.length);
        try (Session s = model.newSession(SessionOptions.defaults(model.config()).withKvStorage(KvCache.Storage.F32))) {
            float[] logits = s.prefill(new int[] {ids[0]});
            for (int i = 1; i < ids.length; i++) {
                double want = logSoftmax(logits, ids[i]);
                assertEquals(want, lp[i - 1], 1e-4, "token " + i);
                assertTrue(lp[i - 1] < 0, "a log probability");
                logits = s.next(ids[i]);
            }
        }
    }

    @Test
    void perplexityFollowsItsDefinition() {
        String text = "In the beginning the old man said hello to the world, and the world was still; then he said it again. ".repeat(6);
        int[] tokens = model.tokenizer().encode(text, false);
        int context = 32;
        Perplexity.Result r = Perplexity.of(model, text, context);
        int chunks = tokens.length / context;
        double nll = 0;
        long n = 0;
        for (int c = 0; c < chunks; c++) {
            int[] chunk = java.util.Arrays.copyOfRange(tokens, c * context, (c + 1) * context);
            chunk[0] = model.tokenizer().bos();
            try (Session s = model.newSession()) {
                double[] lp = s.logProbabilities(chunk);
                for (int j = context / 2; j < context - 1; j++, n++) nll -= lp[j];
            }
        }
        assertEquals(chunks, r.chunks());
        assertEquals(n, r.scoredTokens());
        assertEquals(Math.exp(nll / n), r.perplexity(), 1e-9 * r.perplexity());
        assertTrue(r.perplexity() > 1 && Double.isFinite(r.perplexity()), r.toString());  // a random model is confidently wrong: far above the vocabulary size
    }

    @Test
    void badInput() {
        try (Session s = model.newSession()) {
            assertThrows(IllegalArgumentException.class, () -> s.logProbabilities(new int[] {1}));
            assertThrows(IllegalArgumentException.class, () -> s.logProbabilities(new int[] {1, model.config().vocab()}));
            assertEquals(0, s.position());
        }
        assertThrows(IllegalArgumentException.class, () -> Perplexity.of(model, "short", 64));
        assertThrows(IllegalArgumentException.class, () -> Perplexity.of(model, "some text here", 2));
    }
}
