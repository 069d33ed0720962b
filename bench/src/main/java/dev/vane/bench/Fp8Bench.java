package dev.vane.bench;

import dev.vane.quant.Fp8;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** FP8 E4M3 encoding of 16M floats: libvane's SIMD bulk path against the plain Java scalar loop. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class Fp8Bench {
    static final int N = 1 << 24;

    private float[] values;
    private byte[] codes;

    @Setup(Level.Trial)
    public void setUp() {
        values = new float[N];
        codes = new byte[N];
        Random r = new Random(1);
        for (int i = 0; i < N; i++) values[i] = (float) r.nextGaussian() * 100;
    }

    @Benchmark
    public byte[] encodeNativeBulk() {
        return Fp8.encodeE4M3(values);
    }

    @Benchmark
    public byte[] encodeJavaScalar() {
        for (int i = 0; i < N; i++) codes[i] = Fp8.encodeE4M3(values[i]);
        return codes;
    }
}
