package dev.vane.bench.gemm;

import dev.vane.MachineCeilings;
import dev.vane.QuantizedMatrix;
import dev.vane.Tensor;
import dev.vane.Vane;
import dev.vane.bench.Timing;
import dev.vane.bench.peers.OpenBlasSgemm;
import dev.vane.bench.peers.PlainJavaQ4;
import dev.vane.bench.peers.Q4Matrix;
import dev.vane.bench.peers.VectorApiQ4;
import dev.vane.quant.QuantFormat;
import dev.vane.quant.Quantizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Runs GEMM cases: Vane against its peers on the same shapes, in one process. GEMV-sized runs
 * rotate over enough copies of the weights that they stream from memory rather than hit L3.
 */
public final class GemmBench {
    /** L3 of the machine the numbers are taken on; rotations cover several times this. */
    static final long L3_BYTES = 32L << 20;
    /** Peers too slow to time at larger batches are measured only up to these M. */
    static final int PLAIN_JAVA_MAX_M = 4;
    static final int VECTOR_API_MAX_M = 16;

    private final MachineCeilings ceilings;
    private final double minSeconds;
    private final Map<String, Map<String, Double>> peerSeconds = new LinkedHashMap<>();

    public GemmBench(MachineCeilings ceilings, double minSeconds) {
        this.ceilings = ceilings;
        this.minSeconds = minSeconds;
    }

    /** Measures every format x M x threads on one shape, reporting each result as it is done. */
    public void runShape(int n, int k, List<QuantFormat> formats, int[] ms, int[] threadCounts, Consumer<GemmResult> out) {
        float[] w = uniform(n * (long) k, 1);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment wSeg = arena.allocateFrom(ValueLayout.JAVA_FLOAT, w);
            for (int threads : threadCounts) {
                for (int m : ms) {
                    Map<String, Double> peers = peers(w, n, k, m, threads);
                    for (QuantFormat f : formats) out.accept(measureVane(f, wSeg, n, k, m, threads, peers, arena));
                }
            }
        }
    }

    private GemmResult measureVane(QuantFormat f, MemorySegment w, int n, int k, int m, int threads,
                                   Map<String, Double> peers, Arena arena) {
        Vane.setThreads(threads);
        long bytes = f.byteSize(n, k);
        MemorySegment first = Quantizer.quantize(f, w, n, k, arena);
        List<QuantizedMatrix> copies = new ArrayList<>();
        try (Arena copiesArena = Arena.ofConfined(); Tensor x = Tensor.of(uniform((long) m * k, 2), m, k);
             Tensor y = Tensor.allocate(m, n)) {
            for (int c = 0; c < rotation(bytes); c++) {
                MemorySegment copy = c == 0 ? first : copiesArena.allocate(bytes, 64).copyFrom(first);
                copies.add(QuantizedMatrix.wrap(f, copy, n, k));
            }
            int[] next = {0};
            Timing t = Timing.measure(() -> copies.get(next[0]++ % copies.size()).multiply(x, y),
                    2, 5, 10_000, minSeconds);
            Map<String, Double> ratios = new LinkedHashMap<>();
            peers.forEach((name, seconds) -> ratios.put(name, seconds / t.median()));
            return new GemmResult(f.formatName(), m, n, k, threads, bytes, t, ceilings, ratios);
        }
    }

    /** Seconds per call of each peer on this shape (cached: they do not depend on Vane's format). */
    private Map<String, Double> peers(float[] w, int n, int k, int m, int threads) {
        String key = n + "x" + k + "x" + m + "x" + threads;
        Map<String, Double> cached = peerSeconds.get(key);
        if (cached != null) return cached;
        Map<String, Double> seconds = new LinkedHashMap<>();
        byte[] q4 = Quantizer.quantize(QuantFormat.Q4_0, w, n, k);
        float[] x = uniform((long) m * k, 2), y = new float[m * n];
        List<Q4Matrix> q4Copies = new ArrayList<>();
        for (int c = 0; c < rotation(q4.length); c++) q4Copies.add(new Q4Matrix(c == 0 ? q4 : q4.clone(), n, k));
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            int[] next = {0};
            if (m <= PLAIN_JAVA_MAX_M) {
                seconds.put("plain_java", Timing.measure(() -> PlainJavaQ4.gemm(q4Copies.get(next[0]++ % q4Copies.size()), x, m, y, pool),
                        1, 3, 1000, minSeconds).median());
            }
            if (m <= VECTOR_API_MAX_M) {
                seconds.put("vector_api", Timing.measure(() -> VectorApiQ4.gemm(q4Copies.get(next[0]++ % q4Copies.size()), x, m, y, pool),
                        2, 5, 1000, minSeconds).median());
            }
        } finally {
            pool.shutdown();
        }
        OpenBlasSgemm.setThreads(threads);
        try (OpenBlasSgemm blas = new OpenBlasSgemm(Quantizer.dequantize(QuantFormat.Q4_0, q4, n, k), n, k);
             FloatPointer xp = new FloatPointer(x); FloatPointer yp = new FloatPointer((long) m * n)) {
            seconds.put("openblas", Timing.measure(() -> blas.gemm(xp, m, yp), 2, 5, 1000, minSeconds).median());
        }
        peerSeconds.put(key, seconds);
        return seconds;
    }

    /** Copies needed so that cycling through them reads at least 3x L3 (1 if one copy already does). */
    static int rotation(long bytes) {
        return (int) Math.max(1, Math.min(64, (3 * L3_BYTES + bytes - 1) / bytes));
    }

    /** Uniform values in [-1, 1), deterministic per seed. */
    static float[] uniform(long count, long seed) {
        if (count > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("too many values: " + count);
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[(int) count];
        for (int i = 0; i < v.length; i++) v[i] = (float) (2 * r.nextDouble() - 1);
        return v;
    }
}
