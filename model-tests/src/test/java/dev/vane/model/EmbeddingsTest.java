package dev.vane.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.attention.KvCache;
import dev.vane.model.gguf.GgmlType;
import dev.vane.tools.generate.ModelGenerator;
import dev.vane.tools.generate.ModelSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pooled embeddings against the same hidden states reached another way: one token at a time on a
 * session, reading {@link Session#lastHiddenState()} after each (the pooled path runs the text in
 * chunks and reads every row at once).
 */
class EmbeddingsTest {
    @TempDir
    static Path dir;
    static Model model;
    static final String TEXT = "the old man said hello to the world and the world said hello back";

    @BeforeAll
    static void load() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        ModelGenerator.writeGguf(ModelSpec.tinyLlama(GgmlType.F32), file);
        model = Model.load(file);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void poolingsEqualTheHiddenStatesOfOneTokenAtATime() {
        int[] ids = model.tokenizer().encode(TEXT, true);
        int dim = model.config().dim();
        float[][] states = new float[ids.length][];
        try (Session s = model.newSession(SessionOptions.defaults(model.config()).withKvStorage(KvCache.Storage.F16))) {
            for (int i = 0; i < ids.length; i++) {
                s.next(ids[i]);
                states[i] = s.lastHiddenState();
            }
        }
        float[] mean = new float[dim];
        for (float[] st : states) for (int j = 0; j < dim; j++) mean[j] += st[j] / ids.length;
        assertClose(mean, model.embed(List.of(TEXT), Pooling.MEAN, false).get(0), "mean");
        assertClose(states[ids.length - 1], model.embed(List.of(TEXT), Pooling.LAST, false).get(0), "last");
        assertClose(states[0], model.embed(List.of(TEXT), Pooling.FIRST, false).get(0), "first");

        List<float[]> two = model.embed(List.of(TEXT, "hello"), Pooling.MEAN, true);
        assertEquals(2, two.size());
        double norm = 0, dot = 0, meanNorm = 0;
        for (int j = 0; j < dim; j++) {
            norm += two.get(0)[j] * two.get(0)[j];
            dot += two.get(0)[j] * mean[j];
            meanNorm += mean[j] * mean[j];
        }
        assertEquals(1.0, norm, 1e-5, "normalized to unit length");
        assertEquals(1.0, dot / Math.sqrt(meanNorm), 1e-3, "normalizing keeps the direction");
    }

    @Test
    void textsSharingPassesEqualEachAlone() {
        // 70 texts: more than one shared pass holds (64 texts, here 256 rows), of lengths 3 to ~120
        // tokens, and one longer than a shared pass, which runs alone between them.
        java.util.Random r = new java.util.Random(15);
        List<String> texts = new java.util.ArrayList<>();
        for (int i = 0; i < 70; i++) texts.add(i == 33 ? "the world ".repeat(60) : "hello the old world ".repeat(r.nextInt(25)) + "said " + i);
        for (Pooling p : Pooling.values()) {
            List<float[]> together = Embeddings.embed(model, texts, p, false, 256);
            assertEquals(texts.size(), together.size());
            for (int i = 0; i < texts.size(); i++) assertClose(model.embed(List.of(texts.get(i)), p, false).get(0), together.get(i), p + " text " + i);
        }
    }

    @Test
    void badInputsAreRefused() {
        assertThrows(NullPointerException.class, () -> model.embed(List.of(TEXT), null, true));
        assertThrows(NullPointerException.class, () -> model.embed(java.util.Arrays.asList(TEXT, null), Pooling.MEAN, true));
        String huge = "hello ".repeat(5000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.embed(List.of(huge), Pooling.MEAN, true));
        assertTrue(e.getMessage().contains("tokens"), e.getMessage());
    }

    private static void assertClose(float[] want, float[] got, String what) {
        double spread = 0;
        for (float v : want) spread = Math.max(spread, Math.abs(v));
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(want[i] - got[i]) <= 2e-3 * spread, what + ": element " + i + " " + got[i] + " vs " + want[i]);
        }
    }
}
