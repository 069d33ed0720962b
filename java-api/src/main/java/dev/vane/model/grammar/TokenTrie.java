package dev.vane.model.grammar;

import dev.vane.model.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A vocabulary's token bytes as a trie, flat in arrays in depth-first (preorder) order, so that a
 * walk over it reads memory front to back. Node 0 is the root (no bytes); node n (n >= 1) is
 * reached by byte[n] from its parent, the closest node before it with depth[n] - 1; its subtree
 * is the nodes n .. end[n] - 1 (a walk skips it by jumping to end[n]). The token ids sorted by
 * their bytes are tokens[]; those whose bytes end at node n are tokens[tokenFirst[n] ..
 * tokenFirst[n + 1]), and those in n's subtree tokens[tokenFirst[n] .. tokenFirst[end[n]]).
 * Tokens with no bytes (control tokens) are left out. One per tokenizer, shared by every grammar.
 */
final class TokenTrie {
    private static final Map<Tokenizer, TokenTrie> BY_TOKENIZER = new WeakHashMap<>();

    final int vocab;
    final int nodes;
    /** The longest token's bytes (the deepest node's depth). */
    final int maxDepth;
    final int[] depth, bytes, end, tokenFirst, tokens;
    /** What each subtree is made of, for walks that allow a subtree whole. */
    final SubtreeChars below;

    private TokenTrie(Tokenizer tok) {
        vocab = tok.vocabSize();
        byte[][] of = new byte[vocab][];
        int n = 0;
        for (int id = 0; id < vocab; id++) {
            of[id] = bytesOf(tok, id);
            if (of[id].length > 0) n++;
        }
        Integer[] sorted = new Integer[n];
        for (int id = 0, k = 0; id < vocab; id++) if (of[id].length > 0) sorted[k++] = id;
        Arrays.sort(sorted, (a, b) -> Arrays.compareUnsigned(of[a], of[b]));
        tokens = new int[n];
        for (int k = 0; k < n; k++) tokens[k] = sorted[k];
        // A node for every distinct prefix, in sorted (= preorder) order: token k adds the bytes past
        // its common prefix with token k - 1. path[d] is the node at depth d on the current path.
        int cap = 1024, count = 1, deepest = 0;
        int[] dep = new int[cap], by = new int[cap], en = new int[cap], first = new int[cap + 1];
        int[] path = new int[1];
        byte[] prev = new byte[0];
        for (int k = 0; k < n; k++) {
            byte[] b = of[tokens[k]];
            int mismatch = Arrays.mismatch(prev, b), common = mismatch < 0 ? b.length : mismatch;  // sorted: prev <= b
            for (int d = prev.length; d > common; d--) en[path[d]] = count;  // the old path's nodes below common end here
            if (b.length >= path.length) path = Arrays.copyOf(path, Math.max(b.length + 1, path.length * 2));
            for (int d = common + 1; d <= b.length; d++) {
                if (count == cap) {
                    cap *= 2;
                    dep = Arrays.copyOf(dep, cap);
                    by = Arrays.copyOf(by, cap);
                    en = Arrays.copyOf(en, cap);
                    first = Arrays.copyOf(first, cap + 1);
                }
                dep[count] = d;
                by[count] = b[d - 1] & 0xFF;
                first[count] = k;
                path[d] = count++;
            }
            deepest = Math.max(deepest, b.length);
            prev = b;
        }
        for (int d = prev.length; d >= 1; d--) en[path[d]] = count;
        en[0] = count;
        first[count] = n;
        nodes = count;
        maxDepth = deepest;
        depth = Arrays.copyOf(dep, count);
        bytes = Arrays.copyOf(by, count);
        end = Arrays.copyOf(en, count);
        tokenFirst = Arrays.copyOf(first, count + 1);
        below = new SubtreeChars(depth, bytes, end, tokenFirst, maxDepth);
    }

    static synchronized TokenTrie of(Tokenizer tok) {
        return BY_TOKENIZER.computeIfAbsent(tok, TokenTrie::new);
    }

    // A token's bytes; none for a token the tokenizer cannot write out.
    static byte[] bytesOf(Tokenizer tok, int id) {
        try {
            return tok.tokenBytes(id);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }
}
