package dev.vane.bench.peers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.quant.QuantFormat;
import dev.vane.quant.Quantizer;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;

/** The peers compute the same product as a float64 reference; a wrong peer would make every ratio meaningless. */
class PeersTest {
    static final int N = 37, K = 128, M = 3;

    @Test
    void everyPeerComputesXTimesWTransposed() {
        Random r = new Random(3);
        float[] w = new float[N * K], x = new float[M * K];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        byte[] q4 = Quantizer.quantize(QuantFormat.Q4_0, w, N, K);
        float[] wd = Quantizer.dequantize(QuantFormat.Q4_0, q4, N, K);
        double[] ref = new double[M * N];
        double[] abs = new double[M * N];
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                for (int c = 0; c < K; c++) {
                    double p = (double) x[i * K + c] * wd[j * K + c];
                    ref[i * N + j] += p;
                    abs[i * N + j] += Math.abs(p);
                }
            }
        }
        Q4Matrix q = new Q4Matrix(q4, N, K);
        ForkJoinPool pool = new ForkJoinPool(2);
        float[] plain = new float[M * N], vector = new float[M * N];
        PlainJavaQ4.gemm(q, x, M, plain, pool);
        VectorApiQ4.gemm(q, x, M, vector, pool);
        pool.shutdown();
        float[] blas = new float[M * N];
        try (OpenBlasSgemm s = new OpenBlasSgemm(wd, N, K); FloatPointer xp = new FloatPointer(x); FloatPointer yp = new FloatPointer((long) M * N)) {
            s.gemm(xp, M, yp);
            yp.get(blas);
        }
        for (int i = 0; i < M * N; i++) {
            double tol = (K + 2) * 0x1p-24 * abs[i] + 1e-6;  // f32 accumulation in any order
            for (float[] got : new float[][] {plain, vector, blas}) {
                assertTrue(Math.abs(got[i] - ref[i]) <= tol, "element " + i + ": " + got[i] + " vs " + ref[i]);
            }
        }
    }
}
