package dev.vane.bench;

import dev.vane.QuantizedMatrix;
import dev.vane.Tensor;
import dev.vane.Vane;
import dev.vane.bindings.VaneNative;
import dev.vane.quant.QuantFormat;
import dev.vane.quant.Quantizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * The cost of crossing into native code: a tiny GEMV (W [16, 64], M = 1) through the raw FFM
 * downcall handle and through {@link QuantizedMatrix#multiply}, whose shape, liveness and overlap
 * checks come on top. The same call timed from C is {@code build/bench/native/call_overhead};
 * {@code bench/call-overhead.sh} runs both and prints the difference.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CallOverheadJmh {
    static final int N = 16;
    static final int K = 64;

    @Param({"q4_0", "f32"})
    public String format;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private QuantizedMatrix matrix;
    private Tensor x;
    private Tensor y;
    private int formatId;
    private MemorySegment packed;

    @Setup(Level.Trial)
    public void setUp() {
        QuantFormat f = java.util.Arrays.stream(QuantFormat.values())
                .filter(v -> v.formatName().equals(format)).findFirst().orElseThrow();
        Vane.setThreads(threads);
        arena = Arena.ofConfined();
        MemorySegment w = arena.allocate(ValueLayout.JAVA_FLOAT, (long) N * K);
        for (int i = 0; i < N * K; i++) w.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) ((i * 37 % 101) / 50.0 - 1.0));
        packed = Quantizer.quantize(f, w, N, K, arena);
        matrix = QuantizedMatrix.wrap(f, packed, N, K);
        formatId = f.id();
        x = Tensor.allocate(arena, K);
        for (int i = 0; i < K; i++) x.segment().setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) ((i * 13 % 29) / 14.0 - 1.0));
        y = Tensor.allocate(arena, N);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** vane_gemm through its downcall handle, nothing checked on the Java side. */
    @Benchmark
    public int downcall() throws Throwable {
        return (int) VaneNative.GEMM.invokeExact(formatId, packed, packed.byteSize(), (long) N, (long) K,
                x.segment(), (long) K, 1L, MemorySegment.NULL, y.segment(), (long) N);
    }

    /** The public API: QuantizedMatrix.multiply with its argument checks. */
    @Benchmark
    public Tensor multiply() {
        matrix.multiply(x, y);
        return y;
    }
}
