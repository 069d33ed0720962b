package dev.vane.model.grammar;

import dev.vane.model.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A vocabulary's token bytes as a trie, flat in arrays: node n's children are
 * childByte/childNode[childFirst[n] .. childFirst[n + 1]), and the tokens whose bytes end at n are
 * tokens[tokenFirst[n] .. tokenFirst[n + 1]). Tokens with no bytes (control tokens) are left out.
 * One per tokenizer, shared by every grammar.
 */
final class TokenTrie {
    private static final Map<Tokenizer, TokenTrie> BY_TOKENIZER = new WeakHashMap<>();

    final int vocab;
    int[] childFirst, childByte, childNode, tokenFirst, tokens;
    private int nodes, children, placed;

    private TokenTrie(Tokenizer tok) {
        vocab = tok.vocabSize();
        byte[][] bytes = new byte[vocab][];
        Integer[] order = new Integer[vocab];
        int n = 0;
        for (int id = 0; id < vocab; id++) {
            bytes[id] = bytesOf(tok, id);
            if (bytes[id].length > 0) order[n++] = id;
        }
        Integer[] sorted = Arrays.copyOf(order, n);
        Arrays.sort(sorted, (a, b) -> Arrays.compareUnsigned(bytes[a], bytes[b]));
        int cap = n * 2 + 16;
        childFirst = new int[cap];
        tokenFirst = new int[cap];
        childByte = new int[cap];
        childNode = new int[cap];
        tokens = new int[n];
        // Breadth-first over ranges of the sorted tokens: node i covers [lo, hi) at depth d.
        int[] lo = new int[cap], hi = new int[cap], depth = new int[cap];
        lo[0] = 0;
        hi[0] = n;
        nodes = 1;
        for (int i = 0; i < nodes; i++) {
            int a = lo[i], b = hi[i], d = depth[i];
            tokenFirst[i] = placed;
            while (a < b && bytes[sorted[a]].length == d) tokens[placed++] = sorted[a++];
            childFirst[i] = children;
            while (a < b) {
                int c = bytes[sorted[a]][d] & 0xFF, end = a;
                while (end < b && (bytes[sorted[end]][d] & 0xFF) == c) end++;
                if (nodes + 1 >= lo.length) {
                    int grow = lo.length * 2;
                    lo = Arrays.copyOf(lo, grow);
                    hi = Arrays.copyOf(hi, grow);
                    depth = Arrays.copyOf(depth, grow);
                    childFirst = Arrays.copyOf(childFirst, grow);
                    tokenFirst = Arrays.copyOf(tokenFirst, grow);
                    childByte = Arrays.copyOf(childByte, grow);
                    childNode = Arrays.copyOf(childNode, grow);
                }
                lo[nodes] = a;
                hi[nodes] = end;
                depth[nodes] = d + 1;
                childByte[children] = c;
                childNode[children++] = nodes++;
                a = end;
            }
        }
        childFirst[nodes] = children;
        tokenFirst[nodes] = placed;
    }

    static synchronized TokenTrie of(Tokenizer tok) {
        return BY_TOKENIZER.computeIfAbsent(tok, TokenTrie::new);
    }

    int nodeCount() {
        return nodes;
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
