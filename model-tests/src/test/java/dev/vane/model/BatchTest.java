package dev.vane.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.attention.KvCache;
import dev.vane.model.gguf.GgmlType;
import dev.vane.tools.generate.FamilyGenerator;
import dev.vane.tools.generate.FamilySpec;
import dev.vane.tools.generate.ModelGenerator;
import dev.vane.tools.generate.ModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Sessions stepped together ({@link Batch}) against each session alone: the same logits at every
 * step for sessions at different positions (pending tokens included), in every model family
 * (sliding windows, experts, QK-norm, biases, sinks) and on quantized weights; greedy generations
 * token for token equal to {@link Session#generate}; and misuse. Logit tolerance: 1e-4 of the
 * logits' spread, as in SessionTest (a matrix multiply with more rows only regroups f32 sums).
 */
class BatchTest {
    @TempDir
    Path dir;

    private static SessionOptions f32(Model m) {
        return SessionOptions.defaults(m.config()).withKvStorage(KvCache.Storage.F32);
    }

    private static void assertClose(float[] want, float[] got, String what) {
        double spread = 0;
        for (float v : want) spread = Math.max(spread, Math.abs(v));
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(want[i] - got[i]) <= 1e-4 * spread, what + ": logit " + i + " " + got[i] + " vs " + want[i]);
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void steppedTogetherEqualsEachAlone(Architecture family) throws Exception {
        Path file = dir.resolve(family.ggufName() + ".gguf");
        FamilyGenerator.writeGguf(FamilySpec.tiny(family, GgmlType.F32), file);
        try (Model model = Model.load(file)) {
            checkSteps(model, family.toString());
        }
    }

    @Test
    void quantizedWeightsSteppedTogetherEqualEachAlone() throws Exception {
        // d 256: every matrix takes the K-quants' 256-column blocks; requantized weights are held
        // repacked (Q4_0_X8, Q4_K_X8, Q6_K_X8) with Q/K/V and gate/up joined.
        Path file = dir.resolve("d256.gguf");
        ModelGenerator.writeGguf(new ModelSpec(256, 2, 4, 2, 512, 512, 0, 0, 256, 10000f, 1e-5f, GgmlType.F32, ModelSpec.TokenizerKind.SPM, 6), file);
        for (String format : new String[] {"q4_0", "q8_0", "q4_k", "q6_k", "f16"}) {
            try (Model model = Model.load(file, WeightFormat.parse(format))) {
                checkSteps(model, format);
            }
        }
    }

    // 5 sessions with prompts of different lengths, stepped 6 times together, against 5 sessions
    // stepped alone; a session that joins late, and one with a pending token from a generation.
    private static void checkSteps(Model model, String what) {
        SplittableRandom rng = new SplittableRandom(7);
        int vocab = Math.min(model.config().vocab(), model.tokenizer().vocabSize());
        int k = 5, steps = 6;
        List<Session> together = new ArrayList<>(), alone = new ArrayList<>();
        try (Batch batch = model.newBatch(k)) {
            for (int i = 0; i < k; i++) {
                int[] prompt = rng.ints(1 + 3 * i, 3, vocab).toArray();
                together.add(model.newSession(f32(model)));
                alone.add(model.newSession(f32(model)));
                assertClose(alone.get(i).prefill(prompt), together.get(i).prefill(prompt), what + ": prefill " + i);
            }
            // The last session has a pending token: a one-token greedy generation drew it and did not run it.
            GenerationOptions one = GenerationOptions.greedy(1).withIgnoreEos(true);
            int drawn = together.get(k - 1).generate(new int[0], one, t -> true).tokens()[0];
            assertEquals(drawn, alone.get(k - 1).generate(new int[0], one, t -> true).tokens()[0], what);
            for (int s = 0; s < steps; s++) {
                int n = s == 0 ? k - 1 : k;  // the last session joins at the second step
                int[] tokens = rng.ints(n, 3, vocab).toArray();
                float[][] got = batch.step(together.subList(0, n), tokens);
                for (int i = 0; i < n; i++) {
                    float[] want = alone.get(i).next(tokens[i]);
                    assertClose(want, got[i], what + ": step " + s + ", session " + i);
                    assertEquals(alone.get(i).position(), together.get(i).position(), what);
                    assertArrayEquals(alone.get(i).tokens(), together.get(i).tokens(), what);
                    assertClose(alone.get(i).lastHiddenState(), together.get(i).lastHiddenState(), what + ": hidden state");
                }
            }
        } finally {
            for (Session s : together) s.close();
            for (Session s : alone) s.close();
        }
    }

    @Test
    void batchedGreedyGenerationEqualsEachAlone() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        ModelGenerator.writeGguf(ModelSpec.tinyLlama(GgmlType.Q8_0), file);
        String[] prompts = {"the old man said", "hello", "a long time ago in a land far away there lived", "to the world", "said"};
        int[] maxTokens = {12, 5, 20, 1, 16};
        try (Model model = Model.load(file); Batch batch = model.newBatch(8)) {
            List<GenerationResult> want = new ArrayList<>();
            for (int i = 0; i < prompts.length; i++) {
                try (Session s = model.newSession(f32(model))) {
                    want.add(s.generate(prompts[i], GenerationOptions.greedy(maxTokens[i]).withIgnoreEos(true)));
                }
            }
            List<Session> sessions = new ArrayList<>();
            try {
                List<Batch.Request> requests = new ArrayList<>();
                List<StringBuilder> streamed = new ArrayList<>();
                for (int i = 0; i < prompts.length; i++) {
                    Session s = model.newSession(f32(model));
                    sessions.add(s);
                    StringBuilder sb = new StringBuilder();
                    streamed.add(sb);
                    int[] ids = model.tokenizer().encode(prompts[i], true);
                    int stopAt = i == 4 ? 3 : Integer.MAX_VALUE;  // the last request cancels itself after 3 tokens
                    requests.add(new Batch.Request(s, ids, GenerationOptions.greedy(maxTokens[i]).withIgnoreEos(true), t -> {
                        sb.append(t.text());
                        return t.index() + 1 < stopAt;
                    }));
                }
                List<GenerationResult> got = batch.generate(requests);
                for (int i = 0; i < prompts.length; i++) {
                    int[] w = want.get(i).tokens(), g = got.get(i).tokens();
                    if (i == 4) {
                        assertEquals(GenerationResult.StopReason.CANCELLED, got.get(i).stopReason());
                        w = java.util.Arrays.copyOf(w, 3);
                    } else {
                        assertEquals(want.get(i).stopReason(), got.get(i).stopReason(), "request " + i);
                        assertEquals(want.get(i).text(), got.get(i).text(), "request " + i);
                    }
                    assertArrayEquals(w, g, "request " + i + ": greedy tokens together vs alone");
                    // The stream holds every piece; the result adds the bytes of an unfinished character at the end.
                    assertTrue(got.get(i).text().startsWith(streamed.get(i).toString()), "request " + i + ": streamed text");
                    assertEquals(model.tokenizer().encode(prompts[i], true).length, got.get(i).promptTokens());
                }
                // A session continues after a batched generation as after its own: the pending token runs first.
                int[] next = new int[sessions.size()];
                float[][] l = batch.step(sessions, next);
                assertEquals(sessions.size(), l.length);
            } finally {
                for (Session s : sessions) s.close();
            }
        }
    }

    @Test
    void misuseGetsClearExceptions() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        ModelGenerator.writeGguf(ModelSpec.tinyLlama(GgmlType.F32), file);
        try (Model model = Model.load(file); Model other = Model.load(file); Batch batch = model.newBatch(2);
             Session a = model.newSession(f32(model).withContextLength(4)); Session b = model.newSession(f32(model));
             Session c = model.newSession(f32(model)); Session foreign = other.newSession()) {
            a.prefill(new int[] {5, 6, 7});
            String m = assertThrows(IllegalArgumentException.class, () -> batch.step(List.of(a, b, c), new int[] {1, 2, 3})).getMessage();
            assertTrue(m.contains("1..2 sessions"), m);
            m = assertThrows(IllegalArgumentException.class, () -> batch.step(List.of(b, b), new int[] {1, 2})).getMessage();
            assertTrue(m.contains("twice"), m);
            m = assertThrows(IllegalArgumentException.class, () -> batch.step(List.of(b, foreign), new int[] {1, 2})).getMessage();
            assertTrue(m.contains("another model"), m);
            m = assertThrows(IllegalArgumentException.class, () -> batch.step(List.of(b), new int[] {1, 2})).getMessage();
            assertTrue(m.contains("one token per session"), m);
            m = assertThrows(IllegalArgumentException.class, () -> batch.step(List.of(b), new int[] {1 << 20})).getMessage();
            assertTrue(m.contains("outside the vocabulary"), m);
            assertEquals(0, b.position(), "nothing ran");
            batch.step(List.of(a), new int[] {8});  // the 4th and last position
            m = assertThrows(IllegalStateException.class, () -> batch.step(List.of(b, a), new int[] {1, 9})).getMessage();
            assertTrue(m.contains("context is full"), m);
            assertEquals(0, b.position(), "nothing ran when one session did not fit");
            assertEquals(4, a.position());
            c.close();
            m = assertThrows(IllegalStateException.class, () -> batch.step(List.of(c), new int[] {1})).getMessage();
            assertTrue(m.contains("closed"), m);
            assertThrows(IllegalArgumentException.class, () -> model.newBatch(0));
        }
        Batch closed;
        try (Model model = Model.load(file)) {
            closed = model.newBatch(1);
            closed.close();
            try (Session s = model.newSession()) {
                String m = assertThrows(IllegalStateException.class, () -> closed.step(List.of(s), new int[] {1})).getMessage();
                assertTrue(m.contains("batch is closed"), m);
            }
        }
    }
}
