package dev.vane.bench;

import java.util.Arrays;

/** Repeated wall-clock timing of one operation: median and the 10th/90th percentiles. */
public record Timing(double median, double p10, double p90, int runs) {

    /**
     * Runs op warmup times untimed, then at least minRuns times and until minSeconds have passed
     * (at most maxRuns), timing each run.
     */
    public static Timing measure(Runnable op, int warmup, int minRuns, int maxRuns, double minSeconds) {
        for (int i = 0; i < warmup; i++) op.run();
        double[] t = new double[maxRuns];
        int runs = 0;
        long start = System.nanoTime();
        while (runs < maxRuns && (runs < minRuns || (System.nanoTime() - start) * 1e-9 < minSeconds)) {
            long t0 = System.nanoTime();
            op.run();
            t[runs++] = (System.nanoTime() - t0) * 1e-9;
        }
        return of(Arrays.copyOf(t, runs));
    }

    /** The median and 10th/90th percentiles of samples timed elsewhere (at least one). */
    public static Timing of(double... samples) {
        if (samples.length == 0) throw new IllegalArgumentException("no samples");
        double[] s = samples.clone();
        Arrays.sort(s);
        int runs = s.length;
        return new Timing(s[runs / 2], s[(int) (0.1 * (runs - 1))], s[(int) Math.ceil(0.9 * (runs - 1))], runs);
    }
}
