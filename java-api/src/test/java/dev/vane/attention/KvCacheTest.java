package dev.vane.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.Tensor;
import dev.vane.quant.Fp8;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * KvCache and Attention.decode against a float64 reference over the values the cache holds:
 * f32 as given, f16 rounded to nearest even, FP8 E4M3 with the per-vector scale amax / 448 (each
 * computed here the way vane.h defines the storage), so the tolerance stays the attention's own,
 * 1e-4 · (1 + Σ p·|v|) (see AttentionTest); how far the stored values are from the originals is
 * native/tests/test_attention.cpp's check.
 */
class KvCacheTest {
    static final int HEADS = 8, KV_HEADS = 2, D = 64;

    /** Token rows [kvHeads * d] appended so far, as the cache stores them. */
    static float[] stored(float[] x, KvCache.Storage s) {
        float[] out = x.clone();
        for (int g = 0; g < x.length / D; g++) {
            float amax = 0;
            for (int e = 0; e < D; e++) amax = Math.max(amax, Math.abs(x[g * D + e]));
            float scale = amax / 448f;
            for (int e = 0; e < D; e++) {
                int i = g * D + e;
                out[i] = switch (s) {
                    case F32 -> x[i];
                    case F16 -> Float.float16ToFloat(Float.floatToFloat16(x[i]));
                    case FP8_E4M3 -> scale > 0 ? Fp8.decodeE4M3(Fp8.encodeE4M3(x[i] / scale)) * scale : 0f;
                };
            }
        }
        return out;
    }

    static float[] token(SplittableRandom r) {
        float[] t = new float[KV_HEADS * D];
        for (int i = 0; i < t.length; i++) t[i] = (float) AttentionTest.gauss(r);
        return t;
    }

    static Tensor tensor(Arena arena, List<float[]> rows) {
        Tensor t = Tensor.allocate(arena, rows.size(), KV_HEADS, D);
        for (int i = 0; i < rows.size(); i++) {
            java.lang.foreign.MemorySegment.copy(rows.get(i), 0, t.segment(), ValueLayout.JAVA_FLOAT, (long) i * KV_HEADS * D * 4, KV_HEADS * D);
        }
        return t;
    }

    /** Checks decode of q over the given key/value rows (already as stored; keys already rotated if need be). */
    static void checkDecode(Tensor out, Tensor q, List<float[]> keys, List<float[]> values, String what) {
        try (Arena arena = Arena.ofConfined()) {
            Tensor k = tensor(arena, keys), v = tensor(arena, values);
            double[] mag = new double[D];
            for (int i = 0; i < q.dim(0); i++) {
                for (int h = 0; h < HEADS; h++) {
                    double[] want = AttentionTest.reference(q, k, v, i, h, HEADS, KV_HEADS, 1 / Math.sqrt(D), true, 0, mag);
                    for (int c = 0; c < D; c++) {
                        assertTrue(Math.abs(out.get(i, h, c) - want[c]) <= 1e-4 * (1 + mag[c]),
                                what + ": out[" + i + ", " + h + ", " + c + "] = " + out.get(i, h, c) + ", reference " + want[c]);
                    }
                }
            }
        }
    }

    @Test
    void appendInPiecesForkTruncateAndCopyOnWrite() {
        for (KvCache.Storage s : KvCache.Storage.values()) {
            SplittableRandom r = new SplittableRandom(s.ordinal() + 1);
            Attention att = new Attention(HEADS, KV_HEADS, D);
            try (Arena arena = Arena.ofConfined(); KvCache cache = new KvCache(KV_HEADS, D, 16, 64, s); KvCache.Sequence a = cache.newSequence()) {
                List<float[]> ka = new ArrayList<>(), va = new ArrayList<>();
                for (int piece : new int[] {77, 1, 50}) {
                    List<float[]> pk = new ArrayList<>(), pv = new ArrayList<>();
                    for (int t = 0; t < piece; t++) {
                        pk.add(token(r));
                        pv.add(token(r));
                    }
                    a.append(tensor(arena, pk), tensor(arena, pv));
                    for (int t = 0; t < piece; t++) {
                        ka.add(stored(pk.get(t), s));
                        va.add(stored(pv.get(t), s));
                    }
                }
                assertEquals(128, a.length());
                Tensor q = AttentionTest.random(arena, r, 3, HEADS, D);
                try (Tensor out = att.decode(q, a)) {
                    checkDecode(out, q, ka, va, s + " after 3 appends");
                }
                // Fork at a partly filled block (100 = 6 blocks + 4), then both write: copy-on-write.
                a.truncate(100);
                List<float[]> kb = new ArrayList<>(ka.subList(0, 100)), vb = new ArrayList<>(va.subList(0, 100));
                ka.subList(100, ka.size()).clear();
                va.subList(100, va.size()).clear();
                int usedBefore = cache.usedBlocks();
                try (KvCache.Sequence b = a.fork()) {
                    assertEquals(usedBefore, cache.usedBlocks(), "a fork shares every block");
                    for (KvCache.Sequence seq : List.of(a, b)) {
                        float[] tk = token(r), tv = token(r);
                        seq.append(tensor(arena, List.of(tk)), tensor(arena, List.of(tv)));
                        (seq == a ? ka : kb).add(stored(tk, s));
                        (seq == a ? va : vb).add(stored(tv, s));
                    }
                    assertEquals(usedBefore + 1, cache.usedBlocks(), "one block copied on write");
                    Tensor q1 = AttentionTest.random(arena, r, 1, HEADS, D);
                    try (Tensor oa = att.decode(q1, a); Tensor ob = att.decode(q1, b)) {
                        checkDecode(oa, q1, ka, va, s + " parent after fork");
                        checkDecode(ob, q1, kb, vb, s + " fork");
                    }
                }
                assertEquals(usedBefore, cache.usedBlocks(), "closing the fork returns its own block");
            }
        }
    }

    @Test
    void streamingKeepsSinksAndWindowWithFlatMemory() {
        SplittableRandom r = new SplittableRandom(11);
        int bt = 4, sinks = 4, window = 16;
        Rope rope = new Rope(D, 10000f, Rope.Layout.NORMAL);
        Attention att = new Attention(HEADS, KV_HEADS, D);
        try (Arena arena = Arena.ofConfined(); KvCache cache = new KvCache(KV_HEADS, D, bt, 8, KvCache.Storage.F32);
             KvCache.Sequence seq = cache.newStreamingSequence(sinks, window)) {
            List<float[]> keys = new ArrayList<>(), values = new ArrayList<>();
            int maxBlocks = 0;
            for (int t = 0; t < 1000; t++) {
                float[] k = token(r), v = token(r);
                seq.append(tensor(arena, List.of(k)), tensor(arena, List.of(v)));
                keys.add(k);
                values.add(v);
                maxBlocks = Math.max(maxBlocks, cache.usedBlocks());
                assertTrue(seq.length() <= sinks + window + bt - 1, "length " + seq.length());
            }
            assertTrue(maxBlocks <= (sinks + window) / bt + 1, "blocks in use stay bounded: " + maxBlocks);
            // The kept tokens: the sinks and the last length - sinks; keys rotated by cache position.
            int n = (int) seq.length();
            List<float[]> kept = new ArrayList<>(), keptV = new ArrayList<>();
            for (int t = 0; t < sinks; t++) {
                kept.add(keys.get(t));
                keptV.add(values.get(t));
            }
            for (int t = keys.size() - (n - sinks); t < keys.size(); t++) {
                kept.add(keys.get(t));
                keptV.add(values.get(t));
            }
            Tensor rotated = tensor(arena, kept);
            long[] positions = new long[n];
            for (int i = 0; i < n; i++) positions[i] = i;
            rope.apply(rotated, positions);
            List<float[]> rotatedRows = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                rotatedRows.add(rotated.segment().asSlice((long) i * KV_HEADS * D * 4, KV_HEADS * D * 4L).toArray(ValueLayout.JAVA_FLOAT));
            }
            Tensor q = AttentionTest.random(arena, r, 1, HEADS, D);
            rope.apply(q, n - 1);
            try (Tensor out = att.decode(q, seq, rope)) {
                checkDecode(out, q, rotatedRows, keptV, "streaming after 1000 tokens");
            }
        }
    }

    /** Decode of q over a and b (same sequence content, any kinds): equal bit for bit. */
    static void assertSameDecode(Attention att, Tensor q, KvCache.Sequence a, KvCache.Sequence b, String what) {
        try (Tensor oa = att.decode(q, a); Tensor ob = att.decode(q, b)) {
            for (int i = 0; i < q.dim(0); i++) {
                for (int h = 0; h < HEADS; h++) {
                    for (int c = 0; c < D; c++) {
                        assertEquals(ob.get(i, h, c), oa.get(i, h, c), what + ": out[" + i + ", " + h + ", " + c + "]");
                    }
                }
            }
        }
    }

    /**
     * A windowed sequence in a pool of exactly windowBlocks blocks grows to 40 times the pool's
     * positions, one token and chunks of up to spare + 1 at a time, and attends (sliding window,
     * soft-cap, sinks; one query and a chunk of them) exactly as a plain sequence in a large pool
     * does, and as the float64 reference on the tokens appended; rolled back by spare tokens it
     * goes on alike.
     */
    @Test
    void windowedSequenceGrowsFarPastItsPool() {
        int bt = 4, window = 10, spare = 3, total = 640;
        int poolBlocks = KvCache.windowBlocks(window, spare, bt);
        assertEquals(4, poolBlocks, "1 + ceil((10 + 3 - 1) / 4)");
        for (KvCache.Storage s : new KvCache.Storage[] {KvCache.Storage.F32, KvCache.Storage.F16}) {
            SplittableRandom r = new SplittableRandom(21 + s.ordinal());
            float[] sinkValues = AttentionTest.sinks(r, HEADS);
            try (Arena arena = Arena.ofConfined(); KvCache small = new KvCache(KV_HEADS, D, bt, poolBlocks, s);
                 KvCache large = new KvCache(KV_HEADS, D, bt, (total + 2 * window) / bt + 2, s);
                 KvCache.Sequence win = small.newWindowedSequence(window, spare); KvCache.Sequence plain = large.newSequence()) {
                Tensor sinks = Tensor.wrap(arena.allocateFrom(ValueLayout.JAVA_FLOAT, sinkValues), HEADS);
                Attention att = new Attention(HEADS, KV_HEADS, D, (float) (2 / Math.sqrt(D)), window, 5f, sinks);
                Attention narrower = new Attention(HEADS, KV_HEADS, D, (float) (1 / Math.sqrt(D)), window - 3);
                assertTrue(win.windowed() && !plain.windowed());
                List<float[]> keys = new ArrayList<>(), values = new ArrayList<>();
                int step = 0;
                while (win.length() < total) {
                    int chunk = step++ % 3 == 0 ? 1 + (int) (win.length() % (spare + 1)) : 1;
                    List<float[]> ck = new ArrayList<>(), cv = new ArrayList<>();
                    for (int t = 0; t < chunk; t++) {
                        ck.add(token(r));
                        cv.add(token(r));
                    }
                    Tensor tk = tensor(arena, ck), tv = tensor(arena, cv);
                    win.append(tk, tv);
                    plain.append(tk, tv);
                    for (int t = 0; t < chunk; t++) {
                        keys.add(stored(ck.get(t), s));
                        values.add(stored(cv.get(t), s));
                    }
                    assertTrue(win.firstKept() <= win.length() - window - spare + 1 || win.firstKept() == 0,
                            "keeps the last window + spare positions: " + win);
                    if (step % 17 == 0 || win.length() >= total) {
                        Tensor q = AttentionTest.random(arena, r, chunk, HEADS, D);
                        assertSameDecode(att, q, win, plain, s + " at " + win.length());
                        assertSameDecode(narrower, q, win, plain, s + " narrower window at " + win.length());
                    }
                }
                assertEquals(total, win.length());
                assertTrue(win.firstKept() >= total - window - spare - bt, "blocks went back: " + win);
                Tensor q = AttentionTest.random(arena, r, spare + 1, HEADS, D);
                try (Tensor out = att.decode(q, win)) {
                    checkDecode(out, q, keys, values, att, sinkValues, s + " windowed after " + total);
                }
                // Roll back a chunk of spare tokens, then go on: still the same as the plain sequence.
                win.truncate(total - spare);
                plain.truncate(total - spare);
                for (int t = 0; t < 2 * window; t++) {
                    Tensor tk = tensor(arena, List.of(token(r))), tv = tensor(arena, List.of(token(r)));
                    win.append(tk, tv);
                    plain.append(tk, tv);
                }
                assertSameDecode(att, AttentionTest.random(arena, r, 1, HEADS, D), win, plain, s + " after a rollback");
            }
        }
    }

    /** Checks decode of q over the given rows with the attention's window, soft-cap and sinks (scale as given to it). */
    static void checkDecode(Tensor out, Tensor q, List<float[]> keys, List<float[]> values, Attention att, float[] sinks, String what) {
        double scale = 2 / Math.sqrt(D);
        try (Arena arena = Arena.ofConfined()) {
            Tensor k = tensor(arena, keys), v = tensor(arena, values);
            double[] mag = new double[D];
            for (int i = 0; i < q.dim(0); i++) {
                for (int h = 0; h < HEADS; h++) {
                    double[] want = AttentionTest.reference(q, k, v, i, h, HEADS, KV_HEADS, scale, true, att.window(), att.softcap(), sinks, mag);
                    for (int c = 0; c < D; c++) {
                        assertTrue(Math.abs(out.get(i, h, c) - want[c]) <= 1e-4 * (1 + mag[c]),
                                what + ": out[" + i + ", " + h + ", " + c + "] = " + out.get(i, h, c) + ", reference " + want[c]);
                    }
                }
            }
        }
    }

    @Test
    void windowedTruncateForkAndBadInput() {
        int bt = 4, window = 8, spare = 4;
        SplittableRandom r = new SplittableRandom(31);
        try (Arena arena = Arena.ofConfined(); KvCache cache = new KvCache(KV_HEADS, D, bt, 3 * KvCache.windowBlocks(window, spare, bt), KvCache.Storage.F32);
             KvCache.Sequence seq = cache.newWindowedSequence(window, spare); KvCache plainCache = new KvCache(KV_HEADS, D, bt, 64, KvCache.Storage.F32);
             KvCache.Sequence plain = plainCache.newSequence()) {
            for (int t = 0; t < 50; t++) {
                Tensor tk = tensor(arena, List.of(token(r))), tv = tensor(arena, List.of(token(r)));
                seq.append(tk, tv);
                plain.append(tk, tv);
            }
            long first = seq.firstKept();
            assertEquals(36, first, "blocks ending at or before 50 - 12 = 38 went back: 0..8");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> seq.truncate(first - 1));
            AttentionTest.assertMessage(e, "cannot truncate to " + (first - 1) + " positions");
            AttentionTest.assertMessage(e, "keeps positions from " + first);
            AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> seq.truncate(51)), "can truncate to 0..50");
            Attention att = new Attention(HEADS, KV_HEADS, D, 0.125f, window);
            // Attention over it needs a window within the sequence's.
            Tensor q1 = AttentionTest.random(arena, r, 1, HEADS, D);
            AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> new Attention(HEADS, KV_HEADS, D).decode(q1, seq)),
                    "needs an attention with a window in 1..8, this one has none");
            AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> new Attention(HEADS, KV_HEADS, D, 0.125f, window + 1).decode(q1, seq)), "this one has window 9");
            // More queries than the kept keys serve.
            Tensor q8 = AttentionTest.random(arena, r, 8, HEADS, D);
            AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> att.decode(q8, seq)),
                    "sees back to position 35, but the windowed sequence keeps positions from 36");
            // Truncate within the kept range, then fork and grow.
            seq.truncate(46);
            plain.truncate(46);
            assertSameDecode(att, q1, seq, plain, "truncated to 46");
            int used = cache.usedBlocks();
            // A fork shares the blocks; both go on by themselves.
            try (KvCache.Sequence fork = seq.fork()) {
                assertTrue(fork.windowed());
                assertEquals(first, fork.firstKept());
                assertEquals(used, cache.usedBlocks(), "a fork shares every block");
                List<Tensor> kv = List.of(tensor(arena, List.of(token(r))), tensor(arena, List.of(token(r))));
                fork.append(kv.get(0), kv.get(1));
                for (int t = 0; t < 30; t++) fork.append(tensor(arena, List.of(token(r))), tensor(arena, List.of(token(r))));
                seq.append(tensor(arena, List.of(token(r))), tensor(arena, List.of(token(r))));
                assertTrue(fork.firstKept() > first && seq.firstKept() == first, fork + " / " + seq);
            }
            seq.truncate(first);
            assertEquals(first, seq.length());
            seq.close();
            assertEquals(0, cache.usedBlocks(), "closing both gives every block back");
        }
        try (KvCache cache = new KvCache(KV_HEADS, D, 4, 2, KvCache.Storage.F32)) {
            AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> cache.newWindowedSequence(0, 2)), "need window >= 1");
            AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> cache.newWindowedSequence(4, -1)), "spare >= 0");
            AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> KvCache.windowBlocks(4, 0, 0)), "blockTokens >= 1");
            // A pool smaller than windowBlocks fills up, with a message saying what a windowed sequence needs.
            try (Arena arena = Arena.ofConfined(); KvCache.Sequence seq = cache.newWindowedSequence(8, 0)) {
                SplittableRandom r1 = new SplittableRandom(1);
                AttentionTest.assertMessage(assertThrows(IllegalStateException.class, () -> {
                    for (int t = 0; t < 20; t++) seq.append(tensor(arena, List.of(token(r1))), tensor(arena, List.of(token(r1))));
                }), "windowBlocks(window, spare, blockTokens)");
            }
        }
    }

    @Test
    void badInput() {
        try (Arena arena = Arena.ofConfined(); KvCache cache = new KvCache(KV_HEADS, D, 4, 2, KvCache.Storage.F16)) {
            SplittableRandom r = new SplittableRandom(3);
            List<float[]> nine = new ArrayList<>();
            for (int t = 0; t < 9; t++) nine.add(token(r));
            try (KvCache.Sequence seq = cache.newSequence()) {
                AttentionTest.assertMessage(assertThrows(IllegalStateException.class, () -> seq.append(tensor(arena, nine), tensor(arena, nine))),
                        "KV cache full");
                assertEquals(0, seq.length());
                assertEquals(2, cache.freeBlocks(), "a failed append takes no block");
                seq.append(tensor(arena, nine.subList(0, 3)), tensor(arena, nine.subList(0, 3)));
                Tensor q = AttentionTest.random(arena, r, 4, HEADS, D);
                AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> new Attention(HEADS, KV_HEADS, D).decode(q, seq)),
                        "holds only 3 positions");
                AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class,
                        () -> new Attention(HEADS, KV_HEADS, 32).decode(Tensor.allocate(arena, 1, HEADS, 32), seq)), "the cache holds 2 KV heads of 64");
                AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class,
                        () -> seq.append(Tensor.allocate(arena, 1, 3, D), Tensor.allocate(arena, 1, 3, D))), "k and v must be [tokens, 2, 64]");
            }
            AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> cache.newStreamingSequence(2, 16)), "multiples of blockTokens");
        }
        // A failed write (NaN into FP8 storage) gives back the blocks it took.
        try (Arena arena = Arena.ofConfined(); KvCache fp8 = new KvCache(KV_HEADS, D, 4, 4, KvCache.Storage.FP8_E4M3);
             KvCache.Sequence seq = fp8.newSequence()) {
            float[] bad = token(new SplittableRandom(1));
            bad[7] = Float.NaN;
            dev.vane.VaneException e = assertThrows(dev.vane.VaneException.class,
                    () -> seq.append(tensor(arena, List.of(bad, bad)), tensor(arena, List.of(bad, bad))));
            assertEquals(dev.vane.bindings.VaneStatus.NON_FINITE, e.status());
            assertEquals(4, fp8.freeBlocks());
            assertEquals(0, seq.length());
        }
        KvCache closed = new KvCache(KV_HEADS, D, 4, 2, KvCache.Storage.F32);
        KvCache.Sequence seq = closed.newSequence();
        closed.close();
        AttentionTest.assertMessage(assertThrows(IllegalStateException.class, () -> seq.truncate(0)), "closed");
    }
}
