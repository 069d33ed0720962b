package dev.vane.bench.peers;

import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Peer: the attention a Java developer would write on heap arrays: per query head, all scores,
 * a softmax, the weighted sum of values (causal: the queries are the last nq of the nkv
 * positions). q, out [nq][heads][d]; k, v [nkv][kvHeads][d]; heads split over the pool.
 */
public final class NaiveJavaAttention {
    private NaiveJavaAttention() {}

    public static void run(float[] q, float[] k, float[] v, float[] out, int nq, int nkv, int heads, int kvHeads, int d, float scale,
                           ForkJoinPool pool) {
        int group = heads / kvHeads;
        pool.submit(() -> IntStream.range(0, nq * heads).parallel().forEach(row -> {
            int i = row / heads, h = row % heads, g = h / group, pos = nkv - nq + i;
            float[] s = new float[pos + 1];
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j <= pos; j++) {
                float dot = 0;
                for (int c = 0; c < d; c++) dot += q[(i * heads + h) * d + c] * k[(j * kvHeads + g) * d + c];
                s[j] = dot * scale;
                max = Math.max(max, s[j]);
            }
            float sum = 0;
            for (int j = 0; j <= pos; j++) sum += s[j] = (float) Math.exp(s[j] - max);
            for (int c = 0; c < d; c++) {
                float acc = 0;
                for (int j = 0; j <= pos; j++) acc += s[j] * v[(j * kvHeads + g) * d + c];
                out[(i * heads + h) * d + c] = acc / sum;
            }
        })).join();
    }
}
