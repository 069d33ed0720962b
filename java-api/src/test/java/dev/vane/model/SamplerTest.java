package dev.vane.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Sampling stages against their definitions, on hand-made and seeded random logits. */
class SamplerTest {
    private static float[] randomLogits(int n, long seed) {
        Random r = new Random(seed);
        float[] l = new float[n];
        for (int i = 0; i < n; i++) l[i] = (float) (r.nextGaussian() * 2);
        return l;
    }

    @Test
    void greedyTakesTheLargestLowestIdOnTiesAndSkipsNaN() {
        Sampler s = new Sampler(Sampling.greedy());
        assertEquals(2, s.sample(new float[] {1, 2, 3, -1}, new int[0], 0));
        assertEquals(1, s.sample(new float[] {1, 5, 5, 5}, new int[0], 0));
        assertEquals(3, s.sample(new float[] {Float.NaN, 1, Float.NaN, 4}, new int[0], 0));
        assertEquals(0, s.sample(new float[] {Float.NEGATIVE_INFINITY}, new int[0], 0));
        assertThrows(IllegalStateException.class, () -> s.sample(new float[] {Float.NaN, Float.NaN}, new int[0], 0));
    }

    @Test
    void topKOfOneIsGreedyAtAnyTemperature() {
        float[] l = randomLogits(1000, 1);
        int best = Sampler.argmax(l);
        Sampler s = new Sampler(new Sampling(5f, 1, 1f, 0f, 1f, 0, 7));
        for (int i = 0; i < 50; i++) assertEquals(best, s.sample(l, new int[0], 0));
    }

    @Test
    void drawsFollowTheSoftmaxAtTemperature() {
        float[] l = {0f, 1f, 2f, 0.5f, -1f};
        float t = 0.7f;
        double[] p = new double[l.length];
        double sum = 0;
        for (int i = 0; i < l.length; i++) sum += p[i] = Math.exp(l[i] / t);
        Sampler s = new Sampler(new Sampling(t, 0, 1f, 0f, 1f, 0, 123));
        int draws = 40000;
        int[] counts = new int[l.length];
        for (int i = 0; i < draws; i++) counts[s.sample(l, new int[0], 0)]++;
        for (int i = 0; i < l.length; i++) {
            double expected = p[i] / sum;
            double sd = Math.sqrt(expected * (1 - expected) / draws);
            assertTrue(Math.abs(counts[i] / (double) draws - expected) < 5 * sd + 1e-9,
                    "token " + i + ": " + counts[i] + " of " + draws + ", expected " + expected);
        }
    }

    @Test
    void sameSeedSameDraws() {
        float[] l = randomLogits(500, 2);
        Sampling sampling = Sampling.defaults(99);
        int[] a = new int[100], b = new int[100];
        Sampler s1 = new Sampler(sampling), s2 = new Sampler(sampling);
        for (int i = 0; i < 100; i++) {
            a[i] = s1.sample(l, new int[0], 0);
            b[i] = s2.sample(l, new int[0], 0);
        }
        assertEquals(Arrays.toString(a), Arrays.toString(b));
        Sampler other = new Sampler(sampling.withSeed(100));
        int differ = 0;
        for (int i = 0; i < 100; i++) if (other.sample(l, new int[0], 0) != a[i]) differ++;
        assertTrue(differ > 0, "another seed drew the same 100 tokens");
    }

    @Test
    void topKTopPAndMinPKeepOnlyTheirSets() {
        float[] l = randomLogits(200, 3);
        Integer[] order = new Integer[l.length];
        for (int i = 0; i < l.length; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> Float.compare(l[y], l[x]));
        double[] p = new double[l.length];
        double sum = 0;
        for (int i = 0; i < l.length; i++) sum += p[i] = Math.exp(l[order[i]] - l[order[0]]);
        for (int i = 0; i < l.length; i++) p[i] /= sum;
        // top-p 0.5: the smallest prefix reaching 0.5.
        int nucleus = 0;
        for (double acc = 0; acc < 0.5; nucleus++) acc += p[nucleus];
        // min-p 0.2: tokens with p >= 0.2 * p_max.
        int minKept = 0;
        while (minKept < l.length && p[minKept] >= 0.2 * p[0]) minKept++;
        check(l, new Sampling(1f, 5, 1f, 0f, 1f, 0, 1), Arrays.copyOf(order, 5));
        check(l, new Sampling(1f, 0, 0.5f, 0f, 1f, 0, 2), Arrays.copyOf(order, nucleus));
        check(l, new Sampling(1f, 0, 1f, 0.2f, 1f, 0, 3), Arrays.copyOf(order, minKept));
        // The sets come from the unscaled logits: temperature applies after them (llama.cpp's order).
        check(l, new Sampling(2.5f, 0, 0.5f, 0f, 1f, 0, 4), Arrays.copyOf(order, nucleus));
        check(l, new Sampling(0.4f, 0, 1f, 0.2f, 1f, 0, 5), Arrays.copyOf(order, minKept));
    }

    @Test
    void infiniteLogitsTakeAllOrNothing() {
        float inf = Float.POSITIVE_INFINITY;
        Sampler s = new Sampler(new Sampling(1f, 0, 0.9f, 0.05f, 1f, 0, 9));
        for (int i = 0; i < 200; i++) {
            int id = s.sample(new float[] {1f, inf, 3f, inf, Float.NEGATIVE_INFINITY}, new int[0], 0);
            assertTrue(id == 1 || id == 3, "an infinite logit wins, drew " + id);
        }
        assertEquals(2, new Sampler(Sampling.defaults(1)).sample(new float[] {Float.NEGATIVE_INFINITY, Float.NaN, 0.5f}, new int[0], 0));
    }

    private static void check(float[] l, Sampling sampling, Integer[] allowed) {
        Sampler s = new Sampler(sampling);
        boolean[] ok = new boolean[l.length], seen = new boolean[l.length];
        for (int id : allowed) ok[id] = true;
        for (int i = 0; i < 6000; i++) {
            int id = s.sample(l, new int[0], 0);
            assertTrue(ok[id], sampling + " drew " + id + ", outside " + Arrays.toString(allowed));
            seen[id] = true;
        }
        for (int id : allowed) assertTrue(seen[id], sampling + " never drew " + id + " of " + Arrays.toString(allowed) + " (a set cut too short?)");
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        float[] l = {3f, 2.9f, -0.5f, -0.6f};
        Sampler s = new Sampler(Sampling.greedy().withRepetitionPenalty(1.1f, 8));
        assertEquals(1, s.sample(l, new int[] {0}, 1), "3 / 1.1 < 2.9");
        float[] neg = {-1f, -1.05f};
        assertEquals(1, s.sample(neg, new int[] {0}, 1), "-1 * 1.1 < -1.05");
        Sampler mild = new Sampler(Sampling.greedy().withRepetitionPenalty(1.02f, 8));
        assertEquals(0, mild.sample(l, new int[] {0, 0, 0}, 3), "a repeated token is penalized once: 3 / 1.02 > 2.9 (3 / 1.02^3 would not be)");
        assertEquals(1, s.sample(l, new int[] {0, 7}, 1), "only recent[0 .. count) counts");
        assertEquals(0, s.sample(l, new int[] {7, 0}, 1), "only recent[0 .. count) counts");
        Sampler window = new Sampler(Sampling.greedy().withRepetitionPenalty(1.1f, 1));
        assertEquals(0, window.sample(l, new int[] {0, 2}, 2), "token 0 is outside the last 1");
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new Sampling(-1f, 0, 1f, 0f, 1f, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sampling(1f, -1, 1f, 0f, 1f, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sampling(1f, 0, 0f, 0f, 1f, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sampling(1f, 0, 1f, 2f, 1f, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sampling(1f, 0, 1f, 0f, 0f, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sampling(Float.NaN, 0, 1f, 0f, 1f, 0, 0));
    }
}
