package dev.vane.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LogprobsTest {
    @Test
    void topKEqualsAFullSortOnSeededLogitsWithTies() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int vocab = 1 + rnd.nextInt(300);
            float[] logits = new float[vocab];
            for (int i = 0; i < vocab; i++) logits[i] = rnd.nextInt(4) == 0 ? (float) rnd.nextInt(3) : (float) rnd.nextGaussian() * 5;
            if (vocab > 3) logits[rnd.nextInt(vocab)] = Float.NEGATIVE_INFINITY;
            int k = rnd.nextInt(GenerationOptions.MAX_TOP_LOGPROBS + 1);
            double lse = Logprobs.logSumExp(logits);
            List<Integer> want = IntStream.range(0, vocab).boxed()
                    .sorted(Comparator.<Integer>comparingDouble(i -> -logits[i]).thenComparingInt(i -> i)).limit(k).toList();
            List<GeneratedToken.TokenLogprob> got = Logprobs.top(logits, k, lse);
            assertEquals(want, got.stream().map(GeneratedToken.TokenLogprob::id).toList(), "trial " + trial);
            for (GeneratedToken.TokenLogprob t : got) assertEquals(logits[t.id()] - lse, t.logprob(), 1e-5);
        }
    }

    @Test
    void logSumExpIsStableAndNormalises() {
        float[] logits = {1000f, 1000f, Float.NEGATIVE_INFINITY};
        assertEquals(1000 + Math.log(2), Logprobs.logSumExp(logits), 1e-9);
        Random rnd = new Random(3);
        float[] l = new float[5000];
        for (int i = 0; i < l.length; i++) l[i] = (float) rnd.nextGaussian() * 8;
        double lse = Logprobs.logSumExp(l), sum = 0;
        for (float v : l) sum += Math.exp(v - lse);
        assertEquals(1.0, sum, 1e-9);
        assertTrue(Double.isInfinite(Logprobs.logSumExp(new float[] {Float.NEGATIVE_INFINITY})));
    }
}
