package dev.vane.model.grammar;

import dev.vane.model.tokenizer.Tokenizer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which tokens of a vocabulary a grammar state allows, as a bit set over token ids: the token trie
 * walked depth first from the state through a lazily built DFA of states ({@link StateGraph}), a
 * subtree skipped as soon as its prefix cannot match (so a state that allows few bytes costs
 * little), each token allowed whose bytes all match. Masks are
 * cached by state in an LRU bounded in bytes, so a state seen before (inside a string, between
 * digits) costs a lookup. End-of-generation and control tokens are not in these masks (see
 * {@link GrammarMatcher}). Thread-safe; one per grammar and tokenizer.
 */
final class TokenMasks {
    private final TokenTrie trie;
    private final int words;
    private final long budgetBytes;
    private final StateGraph graph = new StateGraph();
    private final Map<MatchState, long[]> cache = new LinkedHashMap<>(256, 0.75f, true);
    private long cachedBytes;
    final AtomicLong hits = new AtomicLong(), misses = new AtomicLong();

    private final int[] endTokens;
    static long visited;

    TokenMasks(Tokenizer tok, long budgetBytes) {
        this.trie = TokenTrie.of(tok);
        this.endTokens = java.util.stream.IntStream.range(0, tok.vocabSize()).filter(tok::isEndOfGeneration).toArray();
        this.words = (trie.vocab + 63) >>> 6;
        this.budgetBytes = budgetBytes;
    }

    /** The vocabulary's end-of-generation tokens (shared: do not change). */
    int[] endTokens() {
        return endTokens;
    }

    int vocab() {
        return trie.vocab;
    }

    /** The tokens (by their bytes) state allows; the array is shared: do not change it. */
    long[] allowed(MatchState state) {
        synchronized (cache) {
            long[] m = cache.get(state);
            if (m != null) {
                hits.incrementAndGet();
                return m;
            }
        }
        misses.incrementAndGet();
        long[] m = compute(state);
        synchronized (cache) {
            if (cache.put(state, m) == null) cachedBytes += m.length * 8L + 64;
            var it = cache.entrySet().iterator();
            while (cachedBytes > budgetBytes && it.hasNext()) {
                cachedBytes -= it.next().getValue().length * 8L + 64;
                it.remove();
            }
        }
        return m;
    }

    private long[] compute(MatchState state) {
        long[] mask = new long[words];
        synchronized (graph) {
            graph.trim();
            int id = graph.id(state);
            if (graph.canContinue(id)) walk(id, mask);
        }
        return mask;
    }

    // Allows every token whose bytes lead from state id to a live state: the trie's nodes in
    // preorder, each stepped from its parent's state (at[depth - 1]); a subtree is skipped as soon
    // as its prefix cannot match or nothing can follow it.
    private void walk(int id, long[] mask) {
        TokenTrie t = trie;
        int[] depth = t.depth, bytes = t.bytes, end = t.end, tokenFirst = t.tokenFirst, tokens = t.tokens;
        int[] at = new int[t.maxDepth + 1];
        at[0] = id;
        for (int n = 1; n < t.nodes; ) {
            visited++;
            int d = depth[n], next = graph.step(at[d - 1], bytes[n]);
            if (next == StateGraph.DEAD) {
                n = end[n];
                continue;
            }
            for (int k = tokenFirst[n], kEnd = tokenFirst[n + 1]; k < kEnd; k++) {
                int tok = tokens[k];
                mask[tok >>> 6] |= 1L << tok;
            }
            if (graph.canContinue(next)) {
                at[d] = next;
                n++;
            } else n = end[n];
        }
    }

    /** Entries in the cache now. */
    int cachedStates() {
        synchronized (cache) {
            return cache.size();
        }
    }

    void clear() {
        synchronized (cache) {
            cache.clear();
            cachedBytes = 0;
        }
    }
}
