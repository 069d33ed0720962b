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
