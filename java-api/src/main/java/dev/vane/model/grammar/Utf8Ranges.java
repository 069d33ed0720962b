package dev.vane.model.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * Code point ranges as sequences of byte ranges: the UTF-8 encodings of [lo, hi] are the union of
 * a few sequences, each a list of {lo byte, hi byte} pairs (as RE2 and Rust's utf8-ranges split
 * them), so that a byte-level matcher accepts exactly the encodings of the range.
 */
final class Utf8Ranges {
    private static final int[] MAX_OF_LENGTH = {0x7F, 0x7FF, 0xFFFF, 0x10FFFF};

    private Utf8Ranges() {}

    /** Each sequence is int[2 * length]: lo0, hi0, lo1, hi1, ... */
    static List<int[]> sequences(int lo, int hi) {
        List<int[]> out = new ArrayList<>();
        split(lo, hi, out);
        return out;
    }

    private static void split(int lo, int hi, List<int[]> out) {
        if (lo > hi) return;
        if (lo <= 0xDFFF && hi >= 0xD800) {  // surrogates have no UTF-8 encoding
            split(lo, 0xD7FF, out);
            split(0xE000, hi, out);
            return;
        }
        for (int max : MAX_OF_LENGTH) {  // one encoded length at a time
            if (lo <= max && hi > max) {
                split(lo, max, out);
                split(max + 1, hi, out);
                return;
            }
        }
        int n = length(lo);
        if (n == 1) {
            out.add(new int[] {lo, hi});
            return;
        }
        // Split until every continuation byte below the first differing one spans its whole range.
        for (int i = 1; i < n; i++) {
            int m = (1 << (6 * i)) - 1;
            if ((lo & ~m) != (hi & ~m)) {
                if ((lo & m) != 0) {
                    split(lo, lo | m, out);
                    split((lo | m) + 1, hi, out);
                    return;
                }
                if ((hi & m) != m) {
                    split(lo, (hi & ~m) - 1, out);
                    split(hi & ~m, hi, out);
                    return;
                }
            }
        }
        byte[] a = encode(lo, n), b = encode(hi, n);
        int[] seq = new int[2 * n];
        for (int i = 0; i < n; i++) {
            seq[2 * i] = a[i] & 0xFF;
            seq[2 * i + 1] = b[i] & 0xFF;
        }
        out.add(seq);
    }

    static int length(int cp) {
        return cp <= 0x7F ? 1 : cp <= 0x7FF ? 2 : cp <= 0xFFFF ? 3 : 4;
    }

    static byte[] encode(int cp, int n) {
        byte[] b = new byte[n];
        if (n == 1) b[0] = (byte) cp;
        else {
            for (int i = n - 1; i > 0; i--) {
                b[i] = (byte) (0x80 | (cp & 0x3F));
                cp >>= 6;
            }
            b[0] = (byte) ((n == 2 ? 0xC0 : n == 3 ? 0xE0 : 0xF0) | cp);
        }
        return b;
    }
}
