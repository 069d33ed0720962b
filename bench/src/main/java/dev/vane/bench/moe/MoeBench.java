package dev.vane.bench.moe;

import dev.vane.FeedForward;
import dev.vane.MachineCeilings;
import dev.vane.QuantizedMatrix;
import dev.vane.Tensor;
import dev.vane.Vane;
import dev.vane.bench.Timing;
import dev.vane.moe.Gating;
import dev.vane.moe.MoeLayer;
import dev.vane.moe.MoeStats;
import dev.vane.quant.QuantFormat;
import dev.vane.quant.Quantizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Times a mixture-of-experts layer (Mixtral-shaped by default: D 4096, F 14336, 8 experts, top 2)
 * against k dense FFNs doing the same useful work and against one dense FFN holding all experts'
 * parameters, in one process. Expert weights are a few random rows quantized once and repeated
 * (the kernels' speed does not depend on the values); the router is random, so tokens spread
 * over the experts as with a trained model's balanced router. Every expert is 3 x ~33 MB in
 * q4_0, far past the L3, so decode streams its weights from memory.
 */
public final class MoeBench {
    private final MachineCeilings ceilings;
    private final double minSeconds;

    public MoeBench(MachineCeilings ceilings, double minSeconds) {
        this.ceilings = ceilings;
        this.minSeconds = minSeconds;
    }

    public void run(QuantFormat format, int d, int f, int experts, int k, int[] tokens, int threads, Consumer<MoeResult> out) {
        Vane.setThreads(threads);
        try (Arena arena = Arena.ofShared()) {
            List<FeedForward> ffns = new ArrayList<>();
            for (int e = 0; e < experts; e++) ffns.add(ffn(format, d, f, arena, e));
            FeedForward all = ffn(format, d, f * experts, arena, 99);
            QuantizedMatrix router = QuantizedMatrix.quantize(QuantFormat.F32, randomTensor(experts, d, 7, arena), arena);
            MoeLayer layer = new MoeLayer(router, ffns, Gating.softmaxTopK(k, true));
            long routerBytes = router.segment().byteSize(), expertBytes = 3 * format.byteSize(f, d);
            for (int t : tokens) {
                Tensor x = randomTensor(t, d, 11 + t, arena);
                Tensor y = Tensor.allocate(arena, t, d);
                double[] overhead = new double[1];
                long[] load = new long[experts];
                List<Double> shares = new ArrayList<>();
                Timing moe = Timing.measure(() -> {
                    MoeStats s = layer.forward(x, y);
                    shares.add(s.overheadShare());
                    long[] l = s.tokensPerExpert();
                    for (int e = 0; e < experts; e++) load[e] += l[e] > 0 ? 1 : 0;
                }, 2, 5, 2000, minSeconds);
                double[] sorted = shares.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                overhead[0] = sorted[sorted.length / 2];
                int[] next = {0};
                Timing kDense = Timing.measure(() -> {
                    for (int j = 0; j < k; j++) ffns.get((next[0]++) % experts).forward(x, y);
                }, 2, 5, 2000, minSeconds);
                Timing denseAll = Timing.measure(() -> all.forward(x, y), 2, 5, 2000, minSeconds);
                // Bytes read: the router and, per call, every expert some token chose (at most all E).
                double expertsTouched = Arrays.stream(load).sum() / (double) Math.max(1, moe.runs() + 2);
                long bytes = routerBytes + Math.round(expertsTouched * expertBytes);
                out.accept(new MoeResult(format.formatName(), t, d, f, experts, k, threads, bytes, moe, overhead[0], kDense, denseAll,
                        ceilings));
            }
        }
    }

    /** A SwiGLU FFN [D, F] in format, built from repeated quantized rows. */
    static FeedForward ffn(QuantFormat format, int d, int f, Arena arena, int seed) {
        return new FeedForward(repeated(format, f, d, arena, seed), repeated(format, f, d, arena, seed + 1000),
                repeated(format, d, f, arena, seed + 2000));
    }

    /** A [rows, cols] matrix: 16 random rows quantized, their bytes repeated down to rows. */
    static QuantizedMatrix repeated(QuantFormat format, int rows, int cols, Arena arena, int seed) {
        int seedRows = 16;
        try (Arena tmp = Arena.ofConfined()) {
            Tensor src = randomTensor(seedRows, cols, seed, tmp);
            MemorySegment seedBytes = Quantizer.quantize(format, src.segment(), seedRows, cols, tmp);
            MemorySegment packed = arena.allocate(format.byteSize(rows, cols), 64);
            if (!format.planar()) {
                long rowBytes = seedBytes.byteSize() / seedRows;
                for (long r = 0; r < rows; r++) MemorySegment.copy(seedBytes, (r % seedRows) * rowBytes, packed, r * rowBytes, rowBytes);
            } else {  // FP8: codes, then scales; every scale from the seed's first
                for (long r = 0; r < rows; r++) MemorySegment.copy(seedBytes, (r % seedRows) * cols, packed, r * cols, cols);
                float scale = seedBytes.get(ValueLayout.JAVA_FLOAT, format.scalesOffset(seedRows, cols));
                long off = format.scalesOffset(rows, cols);
                for (long s = 0; s < format.scaleCount(rows, cols); s++) packed.set(ValueLayout.JAVA_FLOAT, off + 4 * s, scale);
            }
            return QuantizedMatrix.wrap(format, packed, rows, cols);
        }
    }

    static Tensor randomTensor(int rows, int cols, long seed, Arena arena) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.allocate(arena, rows, cols);
        for (long i = 0; i < (long) rows * cols; i++) t.segment().setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (2 * r.nextDouble() - 1));
        return t;
    }
}
