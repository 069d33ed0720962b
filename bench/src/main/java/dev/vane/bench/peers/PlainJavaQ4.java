package dev.vane.bench.peers;

import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/** Peer: the plain Java loop a Java developer would write for y = x · Wᵀ over Q4_0 weights. */
public final class PlainJavaQ4 {
    private PlainJavaQ4() {}

    /** x [m, k], y [m, n]; rows of W split over the pool's threads. */
    public static void gemm(Q4Matrix w, float[] x, int m, float[] y, ForkJoinPool pool) {
        int n = w.n(), k = w.k(), blocks = k / Q4Matrix.BLOCK;
        pool.submit(() -> IntStream.range(0, n).parallel().forEach(j -> {
            for (int i = 0; i < m; i++) {
                float acc = 0;
                for (int b = 0; b < blocks; b++) {
                    float d = w.scale(j, b);
                    int off = w.blockOffset(j, b), xo = i * k + b * Q4Matrix.BLOCK;
                    float sum = 0;
                    for (int t = 0; t < 16; t++) {
                        int q = w.blocks()[off + t] & 0xFF;
                        sum += ((q & 0x0F) - 8) * x[xo + t] + ((q >>> 4) - 8) * x[xo + t + 16];
                    }
                    acc += d * sum;
                }
                y[i * n + j] = acc;
            }
        })).join();
    }
}
