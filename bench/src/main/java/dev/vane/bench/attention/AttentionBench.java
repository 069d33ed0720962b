package dev.vane.bench.attention;

import dev.vane.MachineCeilings;
import dev.vane.Tensor;
import dev.vane.Vane;
import dev.vane.attention.Attention;
import dev.vane.attention.KvCache;
import dev.vane.bench.Timing;
import dev.vane.bench.peers.NaiveJavaAttention;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;

/**
 * Attention cases: decode of one token over a paged KV cache (f16, FP8), prefill, and the
 * naive Java peer, with the machine's ceilings from the same run. Decode rotates over enough
 * sequences to read at least 3x the 32 MB L3 per rotation, so the cache streams from memory.
 */
public final class AttentionBench {
    static final long L3_BYTES = 32L << 20;
    static final int BLOCK_TOKENS = 64;

    private final MachineCeilings ceilings;
    private final double minSeconds;

    public AttentionBench(MachineCeilings ceilings, double minSeconds) {
        this.ceilings = ceilings;
        this.minSeconds = minSeconds;
    }

    /** One query token over nkv cached positions. The naive Java peer runs the same shape on f32 heap arrays when withPeer. */
    public AttentionResult decode(KvCache.Storage storage, int nkv, int heads, int kvHeads, int d, int threads, boolean withPeer) {
        Vane.setThreads(threads);
        double elem = storage == KvCache.Storage.F32 ? 4 : storage == KvCache.Storage.F16 ? 2 : 1;
        double bytes = 2.0 * nkv * kvHeads * d * elem + (storage == KvCache.Storage.FP8_E4M3 ? 2.0 * nkv * kvHeads * 4 : 0);
        int copies = (int) Math.max(1, Math.ceil(3.0 * L3_BYTES / bytes));
        int blocks = copies * ((nkv + BLOCK_TOKENS - 1) / BLOCK_TOKENS);
        Attention att = new Attention(heads, kvHeads, d);
        try (Arena arena = Arena.ofConfined(); KvCache cache = new KvCache(kvHeads, d, BLOCK_TOKENS, blocks, storage)) {
            Tensor chunk = random(arena, 1024, kvHeads, d, 5);
            List<KvCache.Sequence> seqs = new ArrayList<>();
            for (int c = 0; c < copies; c++) {
                KvCache.Sequence s = cache.newSequence();
                for (int p = 0; p < nkv; p += 1024) {
                    int n = Math.min(1024, nkv - p);
                    Tensor piece = Tensor.wrap(chunk.segment(), n, kvHeads, d);
                    s.append(piece, piece);
                }
                seqs.add(s);
            }
            Tensor q = random(arena, 1, heads, d, 7), out = Tensor.allocate(arena, 1, heads, d);
            int[] next = {0};
            Timing t = Timing.measure(() -> att.decode(q, seqs.get(next[0]++ % copies), null, out), 3, 10, 10_000, minSeconds);
            Map<String, Double> peers = new LinkedHashMap<>();
            if (withPeer) peers.put("naive_java", naive(1, nkv, heads, kvHeads, d, threads) / t.median());
            for (KvCache.Sequence s : seqs) s.close();
            return new AttentionResult("decode", name(storage), 1, nkv, d, heads, kvHeads, threads, bytes, 4.0 * heads * d * nkv, t, ceilings,
                    peers);
        }
    }

    /** Causal prefill of n tokens (f32 q, k, v). */
    public AttentionResult prefill(int n, int heads, int kvHeads, int d, int threads, boolean withPeer) {
        Vane.setThreads(threads);
        Attention att = new Attention(heads, kvHeads, d);
        try (Arena arena = Arena.ofConfined()) {
            Tensor q = random(arena, n, heads, d, 1), k = random(arena, n, kvHeads, d, 2), v = random(arena, n, kvHeads, d, 3);
            Tensor out = Tensor.allocate(arena, n, heads, d);
            Timing t = Timing.measure(() -> att.prefill(q, k, v, out), 1, 3, 1000, minSeconds);
            Map<String, Double> peers = new LinkedHashMap<>();
            if (withPeer) peers.put("naive_java", naive(n, n, heads, kvHeads, d, threads) / t.median());
            double pairs = (double) n * (n + 1) / 2;
            return new AttentionResult("prefill", "f32", n, n, d, heads, kvHeads, threads, 4.0 * n * (kvHeads + heads) * d * 4 / 2,
                    4.0 * heads * d * pairs, t, ceilings, peers);
        }
    }

    /**
     * Peak resident memory around one causal prefill of n tokens: the growth of the process's
     * high-water mark (VmHWM) during the call, against the bytes of q, k, v and out.
     */
    public String prefillMemory(int n, int heads, int kvHeads, int d, int threads, boolean json) {
        Vane.setThreads(threads);
        Attention att = new Attention(heads, kvHeads, d);
        try (Arena arena = Arena.ofConfined()) {
            Tensor q = random(arena, n, heads, d, 1), k = random(arena, n, kvHeads, d, 2), v = random(arena, n, kvHeads, d, 3);
            Tensor out = Tensor.allocate(arena, n, heads, d);
            out.segment().fill((byte) 0);
            long before = highWaterKb();
            long t0 = System.nanoTime();
            att.prefill(q, k, v, out);
            double seconds = (System.nanoTime() - t0) * 1e-9;
            long after = highWaterKb();
            double io = 4.0 * n * d * (2 * heads + 2 * kvHeads);
            if (json) {
                return String.format(java.util.Locale.ROOT,
                        "{\"family\":\"attention\",\"kind\":\"prefill_memory\",\"m\":%d,\"n\":%d,\"k\":%d,\"heads\":%d,\"kv_heads\":%d,\"threads\":%d,"
                                + "\"seconds\":%.6g,\"io_bytes\":%.6g,\"peak_growth_bytes\":%d}", n, n, d, heads, kvHeads, threads, seconds, io,
                        (after - before) * 1024);
            }
            return String.format(java.util.Locale.ROOT,
                    "prefill n=%d, %d/%d heads, d=%d: %.1f s; q, k, v and out %.0f MB; the process's peak resident memory grew by %.1f MB during the call",
                    n, heads, kvHeads, d, seconds, io / 1e6, (after - before) / 1024.0);
        }
    }

    private static long highWaterKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Seconds of the naive Java peer on the same shape (median of 3). */
    private static double naive(int nq, int nkv, int heads, int kvHeads, int d, int threads) {
        SplittableRandom r = new SplittableRandom(9);
        float[] q = new float[nq * heads * d], k = new float[nkv * kvHeads * d], v = new float[nkv * kvHeads * d], out = new float[nq * heads * d];
        for (float[] a : new float[][] {q, k, v}) for (int i = 0; i < a.length; i++) a[i] = (float) (2 * r.nextDouble() - 1);
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            NaiveJavaAttention.run(q, k, v, out, nq, nkv, heads, kvHeads, d, (float) (1 / Math.sqrt(d)), pool);  // warm-up
            double[] t = new double[3];
            for (int i = 0; i < t.length; i++) {
                long t0 = System.nanoTime();
                NaiveJavaAttention.run(q, k, v, out, nq, nkv, heads, kvHeads, d, (float) (1 / Math.sqrt(d)), pool);
                t[i] = (System.nanoTime() - t0) * 1e-9;
            }
            java.util.Arrays.sort(t);
            return t[1];
        } finally {
            pool.shutdown();
        }
    }

    static Tensor random(Arena arena, long n, int heads, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.allocate(arena, n, heads, d);
        for (long i = 0; i < t.elementCount(); i++) t.segment().setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (2 * r.nextDouble() - 1));
        return t;
    }

    static String name(KvCache.Storage s) {
        return switch (s) {
            case F32 -> "f32";
            case F16 -> "f16";
            case FP8_E4M3 -> "fp8_e4m3";
        };
    }

    /** The cases, in order. */
    public void runAll(boolean quick, int threads, Consumer<AttentionResult> out, Consumer<String> memory) {
        for (KvCache.Storage s : new KvCache.Storage[] {KvCache.Storage.F16, KvCache.Storage.FP8_E4M3}) {
            for (int n : quick ? new int[] {4096} : new int[] {4096, 16384, 65536}) out.accept(decode(s, n, 32, 8, 128, threads, n == 4096));
        }
        out.accept(decode(KvCache.Storage.F16, 7680, 64, 8, 64, threads, false));  // the llama.cpp comparison shape
        out.accept(prefill(quick ? 1024 : 2048, 32, 8, 128, threads, false));
        out.accept(prefill(512, 32, 8, 128, threads, true));
        if (!quick) memory.accept(null);
    }
}
