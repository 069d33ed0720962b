package dev.vane.bench;

import dev.vane.quant.QuantFormat;
import dev.vane.quant.Quantizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
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

/** Load-time work: quantizing a 4096x4096 f32 weight matrix into each format. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class QuantBench {
    static final int ROWS = 4096;
    static final int COLS = 4096;

    @Param({"Q4_0", "Q8_0", "INT4_ASYM_G128", "FP8_E4M3_B128"})
    public String format;

    private Arena arena;
    private MemorySegment weights;
    private MemorySegment packed;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        weights = arena.allocate(ValueLayout.JAVA_FLOAT, (long) ROWS * COLS);
        Random r = new Random(1);
        for (long i = 0; i < (long) ROWS * COLS; i++) weights.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
        packed = arena.allocate(QuantFormat.valueOf(format).byteSize(ROWS, COLS), 64);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public MemorySegment quantize() {
        Quantizer.quantize(QuantFormat.valueOf(format), weights, ROWS, COLS, packed);
        return packed;
    }
}
