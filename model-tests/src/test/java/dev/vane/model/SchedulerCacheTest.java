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
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prompt caching in a {@link Scheduler}'s shared KV pool: a prompt seen before reuses all but its
 * last token, a shared beginning exactly its length, with greedy output equal to an uncached run;
 * cached sequences give way when the pool needs their blocks; requests larger than the pool, and
 * bad options, are refused with a clear message; on a sliding-window model only what every layer
 * still holds is reused.
 */
class SchedulerCacheTest {
    private static final GenerationOptions GREEDY = GenerationOptions.greedy(12).withIgnoreEos(true);

    @TempDir
    Path dir;

    private Model tiny() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        ModelGenerator.writeGguf(ModelSpec.tinyLlama(GgmlType.Q8_0), file);
        return Model.load(file);
    }

    private static SchedulerOptions f32(Model m) {
        return SchedulerOptions.defaults(m.config()).withKvStorage(KvCache.Storage.F32);
    }

    private static int[] randomTokens(long seed, int n) {
        return new SplittableRandom(seed).ints(n, 3, 400).toArray();
    }

    private static int[] concat(int[] a, int[] b) {
        return IntStream.concat(IntStream.of(a), IntStream.of(b)).toArray();
    }

    // The greedy tokens of prompt on a fresh session of its own.
    private static int[] alone(Model m, int[] prompt, GenerationOptions o) {
        try (Session s = m.newSession(SessionOptions.defaults(m.config()).withKvStorage(KvCache.Storage.F32))) {
            return s.generate(prompt, o, t -> true).tokens();
        }
    }

    private static int[] run(Scheduler s, int[] prompt, GenerationOptions o) throws Exception {
        return s.submit(prompt, o, t -> true).result().get(60, TimeUnit.SECONDS).tokens();
    }

    @Test
    void theSamePromptTwiceReusesAllButItsLastToken() throws Exception {
        try (Model model = tiny(); Scheduler s = model.newScheduler(f32(model).withPrefillChunk(16))) {
            int[] prompt = randomTokens(1, 70);
            int[] want = alone(model, prompt, GREEDY);
            assertArrayEquals(want, run(s, prompt, GREEDY), "first, uncached");
            Scheduler.Stats first = s.stats();
            assertEquals(1, first.promptLookups());
            assertEquals(0, first.promptHits());
            assertEquals(1, first.cachedSequences());
            // 70 prompt tokens + 11 generated ones run: 81 positions, 2 blocks in every layer.
            assertEquals(2, first.kvBlocksUsed());
            assertArrayEquals(want, run(s, prompt, GREEDY), "second, from the cache");
            Scheduler.Stats second = s.stats();
            assertEquals(1, second.promptHits());
            assertEquals(prompt.length - 1, second.reusedPromptTokens());
            assertEquals(1, second.cachedSequences(), "the second sequence holds all the first did: the first is dropped");
        }
    }

    @Test
    void aSharedBeginningIsReusedExactly() throws Exception {
        try (Model model = tiny(); Scheduler s = model.newScheduler(f32(model).withPrefillChunk(16))) {
            int[] prefix = randomTokens(2, 37);
            int[] p1 = concat(prefix, new int[] {5, 6, 7, 8, 9}), p2 = concat(prefix, new int[] {10, 11, 12});
            assertArrayEquals(alone(model, p1, GREEDY), run(s, p1, GREEDY));
            assertArrayEquals(alone(model, p2, GREEDY), run(s, p2, GREEDY));
            assertEquals(37, s.stats().reusedPromptTokens(), "the shared 37 tokens, not rounded to blocks");
            // A prompt that a cached sequence begins with reuses all but its last token.
            int[] p3 = java.util.Arrays.copyOf(prefix, 30);
            assertArrayEquals(alone(model, p3, GREEDY), run(s, p3, GREEDY));
            assertEquals(37 + 29, s.stats().reusedPromptTokens());
            assertEquals(2, s.stats().promptHits());
        }
    }

    @Test
    void cachedSequencesAreEvictedWhenThePoolNeedsTheirBlocks() throws Exception {
        // A pool of 4 blocks (256 positions) per layer, one slot: each request needs 2..4 blocks.
        try (Model model = tiny(); Scheduler s = model.newScheduler(f32(model).withCapacity(1).withPoolTokens(256).withPrefillChunk(32))) {
            int[] sizes = {100, 150, 60, 200, 90};
            for (int i = 0; i < sizes.length; i++) {
                int[] prompt = randomTokens(10 + i, sizes[i]);
                GenerationOptions o = GenerationOptions.greedy(40).withIgnoreEos(true);
                assertArrayEquals(alone(model, prompt, o), run(s, prompt, o), "request " + i);
                Scheduler.Stats st = s.stats();
                assertTrue(st.kvBlocksUsed() <= st.kvBlocksTotal(), st.toString());
                assertEquals(4, st.kvBlocksTotal());
                assertTrue(st.cachedSequences() >= 1, st.toString());
            }
            // 200 + 40 positions take all 4 blocks: everything cached before had to go.
            assertEquals(0, s.stats().promptHits());
        }
    }

    @Test
    void requestsLargerThanThePoolAndBadInputAreRefused() throws Exception {
        try (Model model = tiny(); Scheduler s = model.newScheduler(f32(model).withPoolTokens(256))) {
            IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                    () -> s.submit(randomTokens(3, 10), GenerationOptions.greedy(300), t -> true));
            assertTrue(big.getMessage().contains("more than the pool's 4"), big.getMessage());
            IllegalArgumentException longPrompt = assertThrows(IllegalArgumentException.class,
                    () -> s.submit(randomTokens(3, 513), GenerationOptions.greedy(1), t -> true));
            assertTrue(longPrompt.getMessage().contains("do not fit the context of 512"), longPrompt.getMessage());
            IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> s.submit(new int[0], GREEDY, t -> true));
            assertTrue(empty.getMessage().contains("prompt is empty"), empty.getMessage());
            IllegalArgumentException vocab = assertThrows(IllegalArgumentException.class, () -> s.submit(new int[] {1, 512}, GREEDY, t -> true));
            assertTrue(vocab.getMessage().contains("outside the vocabulary of 512"), vocab.getMessage());
            // A request that fits still runs.
            assertEquals(12, run(s, randomTokens(4, 20), GREEDY).length);
            checkOptions(SchedulerOptions.defaults(model.config()));
        }
    }

    private static void checkOptions(SchedulerOptions d) {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withPrefillChunk(0)).getMessage().contains("prefillChunk must be in 1..4096"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withCapacity(0)).getMessage().contains("capacity must be in 1..256"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withPoolTokens(-1)).getMessage().contains("poolTokens must be >= 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withQueueCapacity(-1)).getMessage().contains("queueCapacity must be >= 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withContextLength(0)).getMessage().contains("contextLength must be in"));
        assertEquals(5 * 512, d.pooledPositions(), "the default pool: (capacity + 1) contexts");
        assertEquals(SchedulerOptions.DEFAULT_PREFILL_CHUNK, d.prefillChunk());
    }

    @Test
    void withoutPromptCachingNothingIsReused() throws Exception {
        try (Model model = tiny(); Scheduler s = model.newScheduler(f32(model).withPromptCache(false))) {
            int[] prompt = randomTokens(6, 40);
            int[] want = alone(model, prompt, GREEDY);
            assertArrayEquals(want, run(s, prompt, GREEDY));
            assertArrayEquals(want, run(s, prompt, GREEDY));
            Scheduler.Stats st = s.stats();
            assertEquals(0, st.promptLookups());
            assertEquals(0, st.reusedPromptTokens());
            assertEquals(0, st.cachedSequences());
            assertEquals(0, st.kvBlocksUsed(), "finished sequences give their blocks back");
        }
    }

    @Test
    void slidingWindowLayersReuseOnlyWhatEveryLayerStillHolds() throws Exception {
        // Gemma 2's tiny model: windows of 8 on every other layer, so a 300-token prompt leaves
        // only its last window + chunk positions in those layers.
        Path file = dir.resolve("gemma2.gguf");
        FamilyGenerator.writeGguf(FamilySpec.tiny(Architecture.GEMMA2, GgmlType.F32), file);
        try (Model model = Model.load(file); Scheduler s = model.newScheduler(f32(model).withPrefillChunk(16))) {
            int[] prompt = randomTokens(7, 300);
            int[] want = alone(model, prompt, GREEDY);
            assertArrayEquals(want, run(s, prompt, GREEDY));
            assertArrayEquals(want, run(s, prompt, GREEDY), "the same prompt: its last positions are still held");
            assertEquals(299, s.stats().reusedPromptTokens());
            // Sharing only the first 50 tokens: the window layers gave those blocks back, a miss.
            int[] other = concat(java.util.Arrays.copyOf(prompt, 50), randomTokens(8, 20));
            assertArrayEquals(alone(model, other, GREEDY), run(s, other, GREEDY));
            assertEquals(299, s.stats().reusedPromptTokens());
            assertEquals(1, s.stats().promptHits());
        }
    }
}
