package dev.vane.bench;

import dev.vane.QuantizedMatrix;
import dev.vane.Tensor;
import dev.vane.quant.QuantFormat;
import dev.vane.quant.Quantizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * y = x · Wᵀ through QuantizedMatrix on a 4096x4096 weight matrix. Each call uses the next of
 * several weight copies, so a GEMV streams from memory instead of hitting the 32 MB L3.
 * For ratios against the machine ceilings and the peers, use {@code vane bench gemm}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class GemmJmh {
    static final int N = 4096;
    static final int K = 4096;
    static final int COPIES = 8;

    @Param({"q4_0", "q8_0", "int4_sym_g128", "fp8_e4m3_row", "f16"})
    public String format;

    @Param({"1", "16", "256"})
    public int m;

    private Arena arena;
    private QuantizedMatrix[] copies;
    private Tensor x;
    private Tensor y;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        QuantFormat f = java.util.Arrays.stream(QuantFormat.values()).filter(v -> v.formatName().equals(format)).findFirst().orElseThrow();
        arena = Arena.ofShared();
        MemorySegment w = arena.allocate(ValueLayout.JAVA_FLOAT, (long) N * K);
        SplittableRandom r = new SplittableRandom(1);
        for (long i = 0; i < (long) N * K; i++) w.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (2 * r.nextDouble() - 1));
        MemorySegment packed = Quantizer.quantize(f, w, N, K, arena);
        copies = new QuantizedMatrix[COPIES];
        for (int c = 0; c < COPIES; c++) {
            copies[c] = QuantizedMatrix.wrap(f, arena.allocate(packed.byteSize(), 64).copyFrom(packed), N, K);
        }
        x = Tensor.allocate(arena, m, K);
        for (long i = 0; i < (long) m * K; i++) x.segment().setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (2 * r.nextDouble() - 1));
        y = Tensor.allocate(arena, m, N);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public Tensor multiply() {
        copies[next++ % COPIES].multiply(x, y);
        return y;
    }
}
