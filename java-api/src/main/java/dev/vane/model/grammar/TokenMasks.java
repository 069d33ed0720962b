package dev.vane.model.grammar;

import dev.vane.model.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which tokens of a vocabulary a grammar state allows, as a bit set over token ids: the token trie
 * walked depth first from the state, a subtree left as soon as its prefix cannot match (so a
 * state that allows few bytes costs little), each token allowed whose bytes all match. Masks are
 * cached by state in an LRU bounded in bytes, so a state seen before (inside a string, between
 * digits) costs a lookup. End-of-generation and control tokens are not in these masks (see
 * {@link GrammarMatcher}). Thread-safe; one per grammar and tokenizer.
 */
final class TokenMasks {
    private final TokenTrie trie;
    private final int words;
    private final long budgetBytes;
    private final Map<MatchState, long[]> cache = new LinkedHashMap<>(256, 0.75f, true);
    private long cachedBytes;
    final AtomicLong hits = new AtomicLong(), misses = new AtomicLong();

    TokenMasks(Tokenizer tok, long budgetBytes) {
        this.trie = TokenTrie.of(tok);
        this.words = (trie.vocab + 63) >>> 6;
        this.budgetBytes = budgetBytes;
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
        List<ParseStack> live = new ArrayList<>();
        for (ParseStack s : state.stacks) if (s != ParseStack.COMPLETE) live.add(s);
        walk(state.program, 0, live, mask);
        return mask;
    }

    private void walk(Program p, int node, List<ParseStack> stacks, long[] mask) {
        TokenTrie t = trie;
        for (int c = t.childFirst[node], end = t.childFirst[node + 1]; c < end; c++) {
            int b = t.childByte[c];
            List<ParseStack> next = new ArrayList<>(stacks.size() + 2);
            for (ParseStack s : stacks) Expansion.advance(p, s, b, next);
            if (next.isEmpty()) continue;
            if (next.size() > 8) next = new ArrayList<>(new HashSet<>(next));  // ambiguity: drop duplicate parses
            int child = t.childNode[c];
            for (int k = t.tokenFirst[child], kEnd = t.tokenFirst[child + 1]; k < kEnd; k++) {
                int id = t.tokens[k];
                mask[id >>> 6] |= 1L << id;
            }
            next.removeIf(s -> s == ParseStack.COMPLETE);
            if (!next.isEmpty() && t.childFirst[child] != t.childFirst[child + 1]) walk(p, child, next, mask);
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
