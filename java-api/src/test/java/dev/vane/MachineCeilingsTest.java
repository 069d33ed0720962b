package dev.vane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The machine probes from Java: argument checks, and plausible results from small, fast runs
 * (a 16 MiB buffer and one repeat: the figures prove the plumbing, not the machine).
 */
class MachineCeilingsTest {

    private static void assertMessage(Throwable e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
    }

    @Test
    void badArguments() {
        for (long bytes : new long[] {0, -1, MachineCeilings.MIN_READ_BYTES - 1, Long.MIN_VALUE}) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> MachineCeilings.measure(bytes, 1)),
                    "at least 1 MiB", Long.toString(bytes));
        }
        for (long bytes : new long[] {MachineCeilings.MAX_READ_BYTES + 1, Long.MAX_VALUE}) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> MachineCeilings.measure(bytes, 1)),
                    "at most 1 TiB");
        }
        for (int repeats : new int[] {0, -1, MachineCeilings.MAX_REPEATS + 1, Integer.MIN_VALUE}) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> MachineCeilings.measure(16L << 20, repeats)),
                    "repeats must be in [1, 1000]", Integer.toString(repeats));
        }
    }

    @Test
    void defaults() {
        assertEquals(1L << 30, MachineCeilings.DEFAULT_READ_BYTES);
        assertEquals(5, MachineCeilings.DEFAULT_REPEATS);
    }

    @Test
    void plausibleResults() {
        MachineCeilings c = MachineCeilings.measure(16L << 20, 1);
        assertPlausible(c);
        assertEquals(Vane.threads(), c.threads());
        assertEquals(Vane.cpu().active(), c.variant());
        assertTrue(c.summary().startsWith("read ") && c.summary().contains("GFLOP/s"), c.summary());
    }

    @Test
    void oneThread() {
        int before = Vane.threads();
        try {
            Vane.setThreads(1);
            MachineCeilings c = MachineCeilings.measure(16L << 20, 1);
            assertPlausible(c);
            assertEquals(1, c.threads());
        } finally {
            Vane.setThreads(before);
        }
    }

    // Bounds a broken probe cannot meet by accident: a floor any x86-64 core clears with SIMD
    // code, and a ceiling no x86 core reaches (2 x 16-lane fp32 FMAs, or 2 x 64 int8
    // multiply-adds, per cycle at 6 GHz), which a loop the compiler dropped would overshoot.
    private static void assertPlausible(MachineCeilings c) {
        String s = c.toString();
        assertTrue(Double.isFinite(c.readGBps()) && c.readGBps() > 0.5 && c.readGBps() < 2000, s);
        assertTrue(Double.isFinite(c.fmaGflops()) && c.fmaGflops() > 1 && c.fmaGflops() < 384.0 * c.threads(), s);
        assertTrue(Double.isFinite(c.int8Gops()) && c.int8Gops() > 1 && c.int8Gops() < 1536.0 * c.threads(), s);
        assertTrue(c.threads() >= 1, s);
        if ("baseline".equals(System.getenv("VANE_CPU"))) assertEquals(CpuVariant.BASELINE, c.variant(), s);
    }
}
