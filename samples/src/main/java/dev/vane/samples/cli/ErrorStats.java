package dev.vane.samples.cli;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Round-trip error of a dequantized matrix against the original. */
record ErrorStats(double meanRelative, double maxRelative, double rmsRatio) {
    /** Weights smaller than this are left out of the relative errors (their error is absolute). */
    static final double RELATIVE_FLOOR = 0.01;

    static ErrorStats of(MemorySegment original, MemorySegment restored, long n) {
        double sumRel = 0, maxRel = 0, sumSqErr = 0, sumSq = 0;
        long counted = 0;
        for (long i = 0; i < n; i++) {
            double x = original.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            double y = restored.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            double err = Math.abs(x - y);
            sumSqErr += err * err;
            sumSq += x * x;
            if (Math.abs(x) >= RELATIVE_FLOOR) {
                double rel = err / Math.abs(x);
                sumRel += rel;
                maxRel = Math.max(maxRel, rel);
                counted++;
            }
        }
        return new ErrorStats(counted == 0 ? 0 : sumRel / counted, maxRel, Math.sqrt(sumSqErr / Math.max(sumSq, Double.MIN_NORMAL)));
    }
}
