package dev.vane;

import dev.vane.bindings.NativeLayouts;
import dev.vane.bindings.NativeLibrary;
import dev.vane.bindings.VaneNative;
import dev.vane.internal.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Library-wide facts and settings: version, where libvane was loaded from, CPU variant, threads.
 *
 * <p>libvane loads on first use. If it cannot be found, calls throw
 * {@link dev.vane.bindings.NativeLibraryException} (an {@link IllegalStateException}) whose message
 * lists every place tried.
 */
public final class Vane {
    private Vane() {}

    private static final String[] FEATURE_NAMES = {"sse2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512dq",
            "avx512vnni", "avx512bf16"};  // VANE_CPU_* bit order

    /** libvane's version, e.g. "0.1.0". */
    public static String version() {
        return VaneNative.version();
    }

    /** The file libvane was loaded from. */
    public static Path libraryPath() {
        return NativeLibrary.load().path();
    }

    /** How the library was found: the -Dvane.library.path setting or the classifier jar's URL. */
    public static String librarySource() {
        return NativeLibrary.load().source();
    }

    /** The CPU features and the kernel variant in use. */
    public static CpuInfo cpu() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(NativeLayouts.CPU_INFO);
            int status = (int) VaneNative.CPU_FEATURES.invokeExact(info);
            Native.check(status);
            int bits = (int) NativeLayouts.CPU_INFO_FEATURES.get(info);
            Set<String> features = new LinkedHashSet<>();
            for (int i = 0; i < FEATURE_NAMES.length; i++) if ((bits & (1 << i)) != 0) features.add(FEATURE_NAMES[i]);
            CpuVariant active = CpuVariant.ofId((int) NativeLayouts.CPU_INFO_ACTIVE.get(info));
            String reason = info.getString(NativeLayouts.CPU_INFO_REASON_OFFSET);
            return new CpuInfo(Set.copyOf(features), active, reason);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * Switches the kernel variant for the whole process (the environment variable
     * {@code VANE_CPU=baseline|avx2|avx512} does the same at load). Call it while no other thread is
     * inside a Vane kernel.
     *
     * @throws VaneException with VANE_E_UNSUPPORTED if this CPU cannot run the variant
     */
    public static void useCpuVariant(CpuVariant variant) {
        java.util.Objects.requireNonNull(variant, "variant must not be null");
        try {
            Native.check((int) VaneNative.CPU_SELECT.invokeExact(variant.id()));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Threads of the native pool (the calling thread included). */
    public static int threads() {
        try {
            return (int) VaneNative.GET_THREADS.invokeExact();
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Sets the native pool's size; default VANE_THREADS or the cores available to the process. */
    public static void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        try {
            Native.check((int) VaneNative.SET_THREADS.invokeExact(threads));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
