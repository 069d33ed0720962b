package dev.vane.bench.model;

import java.io.PrintStream;

/** What the model benchmarks' command lines share. */
public final class BenchArgs {
    private BenchArgs() {}

    /** Reports a rejected command line (a bad number or option) and returns the exit status 2. */
    public static int rejected(PrintStream err, IllegalArgumentException e) {
        err.println(e instanceof NumberFormatException ? "vane bench: not a number: " + e.getMessage() : "vane bench: " + e.getMessage());
        return 2;
    }

    /** The index of the largest value (greedy decoding). */
    public static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
