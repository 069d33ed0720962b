package dev.vane.samples.attention;

import dev.vane.Tensor;
import dev.vane.attention.Attention;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * {@code vane attention-demo}: cross-attention of text tokens over image-patch embeddings, as in
 * vision-language models. A synthetic 24x24 grid of patch keys where each patch carries a
 * feature of its row; text queries that ask for one row's feature; prints where each query's
 * attention mass lands (it should concentrate on the asked-for row) and the time.
 */
public final class CrossModalDemo {
    private CrossModalDemo() {}

    public static void main(String[] args) {
        run(System.out);
    }

    public static void run(PrintStream out) {
        int grid = 24, patches = grid * grid, heads = 8, kvHeads = 2, d = 64, queries = 6;
        SplittableRandom r = new SplittableRandom(7);
        try (Arena arena = Arena.ofConfined()) {
            // Row features: one random unit direction per grid row; a patch's key is its row's
            // direction (strongly) plus noise; its value is a one-hot of its row in the first 24 dims.
            float[][] rowDir = new float[grid][d];
            for (float[] dir : rowDir) {
                double norm = 0;
                for (int c = 0; c < d; c++) norm += (dir[c] = (float) gauss(r)) * dir[c];
                for (int c = 0; c < d; c++) dir[c] /= (float) Math.sqrt(norm);
            }
            Tensor k = Tensor.allocate(arena, patches, kvHeads, d), v = Tensor.allocate(arena, patches, kvHeads, d);
            for (int p = 0; p < patches; p++) {
                for (int g = 0; g < kvHeads; g++) {
                    for (int c = 0; c < d; c++) {
                        k.set(rowDir[p / grid][c] * 24f + (float) gauss(r) * 0.5f, p, g, c);
                        v.set(c == p / grid ? 1f : 0f, p, g, c);
                    }
                }
            }
            int[] asked = new int[queries];
            Tensor q = Tensor.allocate(arena, queries, heads, d);
            for (int i = 0; i < queries; i++) {
                asked[i] = r.nextInt(grid);
                for (int h = 0; h < heads; h++) for (int c = 0; c < d; c++) q.set(rowDir[asked[i]][c], i, h, c);
            }
            Attention cross = new Attention(heads, kvHeads, d);
            cross.cross(q, k, v).close();  // warm-up: the first call loads and compiles
            long t0 = System.nanoTime();
            try (Tensor o = cross.cross(q, k, v)) {
                double ms = (System.nanoTime() - t0) / 1e6;
                out.printf("cross-attention: %d text queries x %d heads over %d image patches (%dx%d grid), head dim %d, %d KV heads: %.2f ms%n",
                        queries, heads, patches, grid, grid, d, kvHeads, ms);
                out.println("query  asked row  attention mass on that row (head 0)  row with the most mass");
                for (int i = 0; i < queries; i++) {
                    int best = 0;
                    for (int c = 0; c < grid; c++) if (o.get(i, 0, c) > o.get(i, 0, best)) best = c;
                    out.printf("%5d  %9d  %35.3f  %21d%n", i, asked[i], o.get(i, 0, asked[i]), best);
                }
            }
        }
    }

    static double gauss(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }
}
