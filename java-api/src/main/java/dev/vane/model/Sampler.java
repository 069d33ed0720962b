package dev.vane.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Draws tokens from logits as a {@link Sampling} says; one per generation (it holds the seeded generator). */
public final class Sampler {
    private final Sampling s;
    private final SplittableRandom random;

    public Sampler(Sampling sampling) {
        this.s = java.util.Objects.requireNonNull(sampling, "sampling must not be null");
        this.random = new SplittableRandom(sampling.seed());
    }

    /**
     * The next token for these logits (not modified) given the tokens so far (recent[0 .. count),
     * for the repetition penalty). NaN logits are never chosen; all NaN is an error.
     */
    public int sample(float[] logits, int[] recent, int count) {
        int n = logits.length;
        float[] l = logits.clone();
        if (s.repetitionPenalty() != 1f && s.repeatLastN() > 0) {
            boolean[] seen = new boolean[n];
            for (int i = Math.max(0, count - s.repeatLastN()); i < count; i++) {
                int id = recent[i];
                if (id < 0 || id >= n || seen[id]) continue;
                seen[id] = true;
                l[id] = l[id] > 0 ? l[id] / s.repetitionPenalty() : l[id] * s.repetitionPenalty();
            }
        }
        if (s.temperature() == 0f) return argmax(l);
        int[] cand = candidates(l, s.topK());  // by logit, descending (ties: lower id first)
        int m = cand.length;
        double[] p = softmax(l, cand, m, 1f);
        if (s.topP() < 1f) {
            double sum = 0;
            int keep = m;
            for (int i = 0; i < m; i++) {
                sum += p[i];
                if (sum >= s.topP()) {
                    keep = i + 1;
                    break;
                }
            }
            m = keep;
        }
        if (s.minP() > 0f) {
            int keep = 1;
            while (keep < m && p[keep] >= s.minP() * p[0]) keep++;
            m = keep;
        }
        p = softmax(l, cand, m, s.temperature());
        double u = random.nextDouble(), acc = 0;
        for (int i = 0; i < m; i++) {
            acc += p[i];
            if (u < acc) return cand[i];
        }
        return cand[m - 1];
    }

    // Token ids by descending logit (NaN left out), the first k only when k > 0. Each is a long
    // key, an order-reversed float in the high half and the id in the low, so one ascending sort
    // of primitives orders them; with k, a bounded heap keeps the k smallest keys first.
    private static int[] candidates(float[] l, int k) {
        int n = l.length;
        long[] keys = new long[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(l[i])) continue;
            int bits = Float.floatToIntBits(l[i] + 0f);  // + 0f: -0 sorts as 0
            int ascending = bits ^ ((bits >> 31) & 0x7fffffff);
            keys[m++] = ((long) ~ascending << 32) | i;
        }
        if (m == 0) throw new IllegalStateException("every logit is NaN");
        if (k > 0 && k < m) {
            long[] heap = new long[k];  // a max-heap of the k smallest keys seen
            int size = 0;
            for (int i = 0; i < m; i++) {
                long key = keys[i];
                if (size < k) {
                    int j = size++;
                    while (j > 0 && heap[(j - 1) / 2] < key) {
                        heap[j] = heap[(j - 1) / 2];
                        j = (j - 1) / 2;
                    }
                    heap[j] = key;
                } else if (key < heap[0]) {
                    int j = 0;
                    while (true) {
                        int a = 2 * j + 1, b = a + 1, big = j;
                        long bigKey = key;
                        if (a < k && heap[a] > bigKey) { big = a; bigKey = heap[a]; }
                        if (b < k && heap[b] > bigKey) { big = b; }
                        if (big == j) break;
                        heap[j] = heap[big];
                        j = big;
                    }
                    heap[j] = key;
                }
            }
            keys = heap;
            m = k;
        } else {
            keys = Arrays.copyOf(keys, m);
        }
        Arrays.sort(keys);
        int[] ids = new int[m];
        for (int i = 0; i < m; i++) ids[i] = (int) keys[i];
        return ids;
    }

    // Probabilities of the first m candidates (sorted, the largest first). An infinite largest
    // logit takes all the probability (shared by its ties); -inf candidates get none.
    private static double[] softmax(float[] l, int[] cand, int m, float temperature) {
        double[] p = new double[m];
        double max = l[cand[0]], sum = 0;
        if (max == Double.POSITIVE_INFINITY || max == Double.NEGATIVE_INFINITY) {
            for (int i = 0; i < m; i++) sum += p[i] = l[cand[i]] == max ? 1 : 0;
        } else {
            for (int i = 0; i < m; i++) sum += p[i] = Math.exp((l[cand[i]] - max) / temperature);
        }
        for (int i = 0; i < m; i++) p[i] /= sum;
        return p;
    }

    /** The index of the largest value (the lowest on ties; NaN never chosen). */
    public static int argmax(float[] l) {
        int best = -1;
        for (int i = 0; i < l.length; i++) if (!Float.isNaN(l[i]) && (best < 0 || l[i] > l[best])) best = i;
        if (best < 0) throw new IllegalStateException("every logit is NaN");
        return best;
    }
}
