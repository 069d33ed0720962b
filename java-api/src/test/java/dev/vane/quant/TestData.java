package dev.vane.quant;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/** Seeded inputs and poisoned outputs for the tests. */
final class TestData {
    private TestData() {}

    /** N(0,1) weights with a few outliers (x20), as real weight matrices have. */
    /** rows rounded up to a whole number of the format's row groups (q4_0x8, q4_kx8, iq4_nlx8: 8). */
    static int rows(QuantFormat f, int rows) {
        return (rows + f.rowGroup() - 1) / f.rowGroup() * f.rowGroup();
    }

    static float[] weights(long seed, int n) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
            if (r.nextInt(500) == 0) x[i] *= 20;
        }
        return x;
    }

    static MemorySegment floats(Arena arena, float[] x) {
        return arena.allocateFrom(ValueLayout.JAVA_FLOAT, x);
    }

    /** A segment filled with a byte pattern, so an element the kernel does not write shows. */
    static MemorySegment poisoned(Arena arena, long bytes) {
        MemorySegment s = arena.allocate(Math.max(bytes, 1), 64).asSlice(0, bytes);
        s.fill((byte) 0xA5);
        return s;
    }

    /** f32 output poisoned with NaN. */
    static MemorySegment poisonedFloats(Arena arena, long count) {
        MemorySegment s = arena.allocate(ValueLayout.JAVA_FLOAT, Math.max(count, 1)).asSlice(0, 4 * count);
        for (long i = 0; i < count; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, Float.NaN);
        return s;
    }
}
