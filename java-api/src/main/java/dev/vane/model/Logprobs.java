package dev.vane.model;

import java.util.ArrayList;
import java.util.List;

/** Log probabilities from a row of logits: log softmax at a token, and the k most likely tokens. */
final class Logprobs {
    private Logprobs() {}

    /** log sum exp(logits), in double (the log of softmax's denominator). */
    static double logSumExp(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) max = Math.max(max, v);
        if (max == Float.NEGATIVE_INFINITY) return max;
        double sum = 0;
        for (float v : logits) sum += Math.exp(v - max);
        return max + Math.log(sum);
    }

    /** The k tokens of largest logit, most likely first (ties: lower id first), with their log probabilities. */
    static List<GeneratedToken.TokenLogprob> top(float[] logits, int k, double logSumExp) {
        if (k <= 0) return List.of();
        int[] best = new int[Math.min(k, logits.length)];
        int n = 0;
        for (int id = 0; id < logits.length; id++) {
            if (n == best.length && !(logits[id] > logits[best[n - 1]])) continue;
            int at = n < best.length ? n++ : n - 1;  // insertion into the sorted list, dropping its last
            while (at > 0 && logits[id] > logits[best[at - 1]]) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = id;
        }
        List<GeneratedToken.TokenLogprob> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(new GeneratedToken.TokenLogprob(best[i], (float) (logits[best[i]] - logSumExp)));
        return out;
    }
}
