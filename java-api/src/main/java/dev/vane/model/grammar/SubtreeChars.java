package dev.vane.model.grammar;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * What the characters below each {@link TokenTrie} node are, so that a mask walk can decide a
 * subtree by them instead of visiting it ({@link StateRuns}). A node has a group when every path
 * below it is well-formed UTF-8 going on from the node's own bytes (it may finish a character the
 * node is inside; the last character may be cut short): the ASCII bytes and the
 * {@link Utf8Classes} of the characters begun below it, shared by the nodes with the same ones.
 * Each token (in the trie's order) also has the number of characters its bytes begin.
 */
final class SubtreeChars {
    /** By node: its group, or -1 (a leaf, or something below that is not well-formed). */
    final int[] group;
    /** By group: the ASCII bytes below (bits 0-63, 64-127) and the set of classes, 3 longs each. */
    final long[] groups;
    /** By position in the trie's token order: characters begun by the token's bytes (a last one cut short counts). */
    final int[] tokenChars;

    private record Key(long lo, long hi, long classes) {}

    SubtreeChars(int[] depth, int[] bytes, int[] end, int[] tokenFirst, int maxDepth) {
        int nodes = depth.length;
        // Top down (a node's parent is the node at depth - 1 on the current path): each node's
        // phase in decoding and the characters its bytes begin.
        int[] phase = new int[nodes], begun = new int[nodes], path = new int[maxDepth + 1];
        phase[0] = Utf8Classes.BOUNDARY;
        for (int n = 1; n < nodes; n++) {
            int parent = path[depth[n] - 1];
            phase[n] = Utf8Classes.next(phase[parent], bytes[n]);
            begun[n] = begun[parent] + (phase[parent] == Utf8Classes.BOUNDARY ? 1 : 0);
            path[depth[n]] = n;
        }
        tokenChars = new int[tokenFirst[nodes]];
        for (int n = 0; n < nodes; n++) Arrays.fill(tokenChars, tokenFirst[n], tokenFirst[n + 1], begun[n]);
        // Bottom up (preorder backwards: children before their parent): well-formed below, and what is below.
        long[] lo = new long[nodes], hi = new long[nodes], classes = new long[nodes];
        boolean[] wellFormed = new boolean[nodes];
        group = new int[nodes];
        Map<Key, Integer> ids = new HashMap<>();
        long[] g = new long[3 * 1024];
        for (int n = nodes - 1; n >= 0; n--) {
            boolean ok = true, between = phase[n] == Utf8Classes.BOUNDARY;
            long l = 0, h = 0, c = 0;
            for (int m = n + 1; m < end[n]; m = end[m]) {
                if (phase[m] == Utf8Classes.INVALID || !wellFormed[m]) {
                    ok = false;
                    break;
                }
                int b = bytes[m];
                if (between && b < 64) l |= 1L << b;
                else if (between && b < 128) h |= 1L << b;
                else if (between) c |= 1L << Utf8Classes.classOfLead(b);  // a lead byte: the phase is valid
                l |= lo[m];
                h |= hi[m];
                c |= classes[m];
            }
            wellFormed[n] = ok;
            lo[n] = l;
            hi[n] = h;
            classes[n] = c;
            group[n] = -1;
            if (ok && end[n] > n + 1) {
                int id = ids.computeIfAbsent(new Key(l, h, c), k -> ids.size());
                if (3 * id + 3 > g.length) g = Arrays.copyOf(g, g.length * 2);
                g[3 * id] = l;
                g[3 * id + 1] = h;
                g[3 * id + 2] = c;
                group[n] = id;
            }
        }
        groups = Arrays.copyOf(g, 3 * ids.size());
    }
}
