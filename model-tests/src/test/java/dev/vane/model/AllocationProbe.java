package dev.vane.model;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test helper: how much a piece of code allocated. Heap: the bytes the calling thread allocated
 * (HotSpot's per-thread counter). Native and mapped memory: how far the process's peak resident
 * set (VmHWM) rose above its resident set at the start, the peak reset first through
 * /proc/self/clear_refs, so that an allocation freed again before the code returned (a failed
 * load closing its arena) still counts once its pages were touched.
 */
final class AllocationProbe {
    private AllocationProbe() {}

    record Measured(long heapBytes, long peakRssGrowth) {}

    interface Code {
        void run() throws Exception;
    }

    static Measured measure(Code code) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Files.writeString(Path.of("/proc/self/clear_refs"), "5");  // VmHWM := VmRSS
        long rss0 = status("VmRSS"), heap0 = threads.getCurrentThreadAllocatedBytes();
        code.run();
        long heap = threads.getCurrentThreadAllocatedBytes() - heap0, peak = status("VmHWM");
        return new Measured(heap, Math.max(0, peak - rss0));
    }

    // A /proc/self/status field in bytes (the file gives kB).
    private static long status(String field) throws IOException {
        Matcher m = Pattern.compile(field + ":\\s+(\\d+) kB").matcher(Files.readString(Path.of("/proc/self/status")));
        if (!m.find()) throw new IllegalStateException("/proc/self/status has no " + field);
        return Long.parseLong(m.group(1)) * 1024;
    }
}
