package dev.vane.model;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the model's close guard adds to every forward pass: one {@link InFlight#enter()} and
 * {@link InFlight#exit()} on the gate all sessions of a model share (in this package because the
 * gate is package-private). Run with {@code -t 1} and {@code -t 2} (threads contending for its
 * counter): {@code bench/run.sh InFlightJmh -t 2}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class InFlightJmh {
    private final InFlight gate = new InFlight();

    @Benchmark
    public void enterExit() {
        gate.enter();
        gate.exit();
    }
}
