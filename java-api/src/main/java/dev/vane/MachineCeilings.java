package dev.vane;

import dev.vane.bindings.VaneNative;
import dev.vane.internal.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * This machine's ceilings, measured in this process with libvane's probes: what a benchmark
 * reports its results against (docs/CEILINGS.md).
 *
 * <p>Each probe runs the active kernel variant on every thread of the native pool at once and
 * keeps the median of its timed repeats. Measure while no other Vane work runs: a pool that is
 * busy runs a probe on the calling thread alone.
 *
 * @param readGBps streaming read bandwidth, GB/s (1e9 bytes per second), over a buffer far
 *     larger than the last-level cache
 * @param fmaGflops fp32 multiply-add peak, GFLOP/s: a multiply and an add count 2 flops per
 *     lane, fused ({@code vfmadd} on 256 bits with AVX2, 512 with AVX-512) or not
 *     ({@code mulps + addps}, baseline SSE2)
 * @param int8Gops integer dot-product peak, Gop/s, 2 ops per multiply-add: AVX-512 counts int8
 *     products of {@code vpdpbusd}, AVX2 of {@code vpmaddubsw + vpmaddwd + vpaddd}; the baseline, which has no 8-bit
 *     multiply-add, counts int16 products ({@code pmaddwd + paddd}), its own integer-dot ceiling
 * @param threads threads of the native pool during the measurement
 * @param variant the kernel variant the probes ran
 */
public record MachineCeilings(double readGBps, double fmaGflops, double int8Gops, int threads, CpuVariant variant) {

    /** Read buffer of {@link #measure()}: 1 GiB, far larger than any L3 this targets. */
    public static final long DEFAULT_READ_BYTES = 1L << 30;
    /** Repeats of {@link #measure()}, per probe. */
    public static final int DEFAULT_REPEATS = 5;
    /** The smallest read buffer the probe accepts (1 MiB); a meaningful one is >= 8x the L3 cache. */
    public static final long MIN_READ_BYTES = 1L << 20;
    /** The largest read buffer the probe accepts, whatever the machine (1 TiB). */
    public static final long MAX_READ_BYTES = 1L << 40;
    /** The most repeats per probe. */
    public static final int MAX_REPEATS = 1000;

    /**
     * Measures with a 1 GiB read buffer and 5 repeats per probe: about 2 seconds on a 2-core
     * machine.
     */
    public static MachineCeilings measure() {
        return measure(DEFAULT_READ_BYTES, DEFAULT_REPEATS);
    }

    /**
     * Measures with a read buffer of {@code readBytes} and {@code repeats} timed repeats per probe
     * (the result is each probe's median). The read buffer must be far larger than the
     * last-level cache, or the read figure is a cache bandwidth: use at least 8x the L3 size.
     * A compute repeat takes about 0.1 s.
     *
     * @throws IllegalArgumentException if readBytes is below 1 MiB, above 1 TiB or above half the
     *     physical memory, or repeats is outside [1, 1000]
     * @throws VaneException with VANE_E_OUT_OF_MEMORY if the read buffer cannot be allocated
     */
    public static MachineCeilings measure(long readBytes, int repeats) {
        if (readBytes < MIN_READ_BYTES) {
            throw new IllegalArgumentException("readBytes must be at least 1 MiB (" + MIN_READ_BYTES + "), got "
                    + readBytes + "; use at least 8x the L3 cache size so the reads come from memory (default 1 GiB)");
        }
        if (readBytes > MAX_READ_BYTES) {
            throw new IllegalArgumentException("readBytes must be at most 1 TiB (" + MAX_READ_BYTES + "), got " + readBytes);
        }
        long physical = physicalMemory();
        if (physical > 0 && readBytes > physical / 2) {
            throw new IllegalArgumentException("readBytes = " + readBytes + " is more than half the physical memory ("
                    + physical + " bytes); a buffer that large would swap or be killed");
        }
        if (repeats < 1 || repeats > MAX_REPEATS) {
            throw new IllegalArgumentException("repeats must be in [1, " + MAX_REPEATS + "], got " + repeats);
        }
        int threads = Vane.threads();
        CpuVariant variant = Vane.cpu().active();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_DOUBLE);
            Native.check((int) VaneNative.PROBE_READ_BANDWIDTH.invokeExact(readBytes, repeats, out));
            double read = out.get(ValueLayout.JAVA_DOUBLE, 0);
            double fma = compute(VaneNative.PROBE_FMA_PEAK, repeats, out);
            double int8 = compute(VaneNative.PROBE_INT8_DOT_PEAK, repeats, out);
            return new MachineCeilings(read, fma, int8, threads, variant);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** One line for a report, e.g. "read 31.9 GB/s, fma 226.6 GFLOP/s, int8 428.1 Gop/s (avx2, 2 threads)". */
    public String summary() {
        return String.format(Locale.ROOT, "read %.1f GB/s, fma %.1f GFLOP/s, int8 %.1f Gop/s (%s, %d threads)",
                readGBps, fmaGflops, int8Gops, variant.name().toLowerCase(Locale.ROOT), threads);
    }

    private static double compute(MethodHandle probe, int repeats, MemorySegment out) throws Throwable {
        Native.check((int) probe.invokeExact(repeats, out));
        return out.get(ValueLayout.JAVA_DOUBLE, 0);
    }

    /** Physical memory (or the container's limit) in bytes as the JDK reports it; 0 if unknown. */
    public static long physicalMemory() {
        try {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                return os.getTotalMemorySize();
            }
        } catch (RuntimeException | LinkageError e) {
            // Not a HotSpot-style JDK: libvane checks against the physical memory itself.
        }
        return 0;
    }
}
