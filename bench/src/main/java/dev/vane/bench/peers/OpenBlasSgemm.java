package dev.vane.bench.peers;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Peer: OpenBLAS sgemm (through JavaCPP's preset) on the weights dequantized to f32, the
 * fastest thing a Java user can call without quantized kernels: y = x · Wᵀ with W [n, k].
 */
public final class OpenBlasSgemm implements AutoCloseable {
    private final FloatPointer w;
    private final int n;
    private final int k;

    public OpenBlasSgemm(float[] dequantizedW, int n, int k) {
        this.w = new FloatPointer(dequantizedW);
        this.n = n;
        this.k = k;
    }

    public static void setThreads(int threads) {
        openblas_nolapack.blas_set_num_threads(threads);
    }

    /** x [m, k] and y [m, n] in native memory (FloatPointers), row-major. */
    public void gemm(FloatPointer x, int m, FloatPointer y) {
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans, openblas_nolapack.CblasTrans,
                m, n, k, 1.0f, x, k, w, k, 0.0f, y, n);
    }

    @Override
    public void close() {
        w.close();
    }
}
