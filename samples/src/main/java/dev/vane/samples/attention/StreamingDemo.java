package dev.vane.samples.attention;

import dev.vane.Tensor;
import dev.vane.attention.Attention;
import dev.vane.attention.KvCache;
import dev.vane.attention.Rope;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * {@code vane streaming-demo [tokens]}: generation past any context limit with bounded memory
 * (StreamingLLM): each step appends one token's keys and values to a 4-sink + 1024-window f16
 * cache, which evicts the oldest blocks after the sinks, and decodes one query over it with keys
 * rotated by their position in the cache. Prints the cache's blocks in use, the Java heap in use
 * after a GC and the process's resident memory as the token count grows: the cache and the heap
 * stay flat; the resident size grows only while the JVM sizes its heap for the per-step garbage,
 * then stays flat too.
 */
public final class StreamingDemo {
    private StreamingDemo() {}

    public static void main(String[] args) {
        run(args, System.out);
    }

    public static void run(String[] args, PrintStream out) {
        long tokens = args.length > 0 ? Long.parseLong(args[0]) : 100_000;
        if (tokens < 1) throw new IllegalArgumentException("tokens must be >= 1, got " + tokens);
        int heads = 32, kvHeads = 8, d = 128, blockTokens = 4, sinks = 4, window = 1024;
        SplittableRandom r = new SplittableRandom(1);
        Attention attention = new Attention(heads, kvHeads, d);
        Rope rope = new Rope(d, 10000f, Rope.Layout.NORMAL);
        try (Arena arena = Arena.ofConfined();
             KvCache cache = new KvCache(kvHeads, d, blockTokens, (sinks + window) / blockTokens + 2, KvCache.Storage.F16);
             KvCache.Sequence seq = cache.newStreamingSequence(sinks, window)) {
            Tensor k = Tensor.allocate(arena, 1, kvHeads, d), v = Tensor.allocate(arena, 1, kvHeads, d);
            Tensor q = Tensor.allocate(arena, 1, heads, d), o = Tensor.allocate(arena, 1, heads, d);
            out.printf("streaming decode: %d tokens, %d sinks + %d window, f16 cache of %d blocks x %d positions, %d/%d heads, head dim %d%n",
                    tokens, sinks, window, cache.usedBlocks() + cache.freeBlocks(), blockTokens, heads, kvHeads, d);
            out.println("   tokens  cached positions  blocks used  heap MB after GC  resident MB  ms per token (last stretch)");
            long stretchStart = System.nanoTime(), lastReport = 0;
            for (long t = 1; t <= tokens; t++) {
                fill(k, r);
                fill(v, r);
                fill(q, r);
                seq.append(k, v);
                rope.apply(q, seq.length() - 1);
                attention.decode(q, seq, rope, o);
                if (t == tokens || t == 1000 || (t % (tokens / 10 == 0 ? 1 : tokens / 10) == 0)) {
                    double ms = (System.nanoTime() - stretchStart) / 1e6 / (t - lastReport);
                    System.gc();
                    Runtime rt = Runtime.getRuntime();
                    double heap = (rt.totalMemory() - rt.freeMemory()) / 1048576.0;
                    out.printf("%9d  %16d  %11d  %16.1f  %11.1f  %8.3f%n", t, seq.length(), cache.usedBlocks(), heap, residentMb(), ms);
                    stretchStart = System.nanoTime();
                    lastReport = t;
                }
            }
        }
    }

    static void fill(Tensor t, SplittableRandom r) {
        for (long i = 0; i < t.elementCount(); i++) t.segment().setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (2 * r.nextDouble() - 1));
    }

    static double residentMb() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
