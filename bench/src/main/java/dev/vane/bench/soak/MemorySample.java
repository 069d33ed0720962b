package dev.vane.bench.soak;

import dev.vane.NativeMemory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The process's resident memory (VmRSS of /proc/self/status) and Vane's counted native memory
 * ({@link NativeMemory}) at one moment.
 */
record MemorySample(long rssBytes, long nativeBytes, long nativeArenas) {
    static MemorySample now() {
        return new MemorySample(rss(), NativeMemory.liveBytes(), NativeMemory.liveArenas());
    }

    // VmRSS in bytes (Linux); the soak refuses to run where there is none.
    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading /proc/self/status for VmRSS", e);
        }
        throw new IllegalStateException("/proc/self/status has no VmRSS line (the soak needs Linux)");
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    @Override
    public String toString() {
        return "RSS " + mib(rssBytes) + ", native " + nativeBytes + " bytes in " + nativeArenas + " arenas";
    }
}
