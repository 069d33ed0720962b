package dev.vane.samples.cli;

import dev.vane.quant.QuantFormat;
import dev.vane.quant.Quantizer;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/**
 * {@code vane quant-demo [rows cols]}: quantizes a random normal weight matrix into every format
 * and back, and prints bytes per weight and the round-trip error.
 */
final class QuantDemoCommand {
    private QuantDemoCommand() {}

    static void run(String[] args, PrintStream out) {
        int rows = args.length > 0 ? positive(args[0], "rows") : 1024;
        int cols = args.length > 1 ? positive(args[1], "cols") : 4096;
        if (cols % 128 != 0) throw new IllegalArgumentException("cols must be a multiple of 128 (the largest block), got " + cols);
        long n = (long) rows * cols;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = arena.allocate(ValueLayout.JAVA_FLOAT, n);
            Random random = new Random(42);
            for (long i = 0; i < n; i++) w.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) random.nextGaussian());
            MemorySegment back = arena.allocate(ValueLayout.JAVA_FLOAT, n);

            out.printf("Quantizing a [%d, %d] matrix of N(0,1) weights (seed 42) into each format and back%n", rows, cols);
            out.printf("%-16s %9s %14s %14s %14s%n", "format", "bytes/w", "mean |rel err|", "max |rel err|", "rms err/rms");
            for (QuantFormat f : QuantFormat.values()) {
                MemorySegment q = arena.allocate(f.byteSize(rows, cols), 64);
                Quantizer.quantize(f, w, rows, cols, q);
                Quantizer.dequantize(f, q, rows, cols, back);
                ErrorStats e = ErrorStats.of(w, back, n);
                out.printf("%-16s %9.4f %14.3e %14.3e %14.3e%n", f.formatName(),
                        (double) q.byteSize() / n, e.meanRelative(), e.maxRelative(), e.rmsRatio());
            }
            out.println("rel err = |x - x'| / |x| over weights with |x| >= 0.01; rms err/rms = sqrt(sum (x - x')^2 / sum x^2)");
        }
    }

    private static int positive(String s, String name) {
        try {
            int v = Integer.parseInt(s);
            if (v > 0) return v;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a positive integer, got '" + s + "'");
    }
}
