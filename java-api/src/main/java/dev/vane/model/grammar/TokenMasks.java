package dev.vane.model.grammar;

import dev.vane.model.tokenizer.Tokenizer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which tokens of a vocabulary a grammar state allows, as a bit set over token ids: the token trie
 * walked depth first from the state through a lazily built DFA of states ({@link StateGraph}), a
 * subtree skipped as soon as its prefix cannot match (so a state that allows few bytes costs
 * little), each token allowed whose bytes all match. A subtree made of characters the state takes
 * whatever they are, up to a count (the inside of a JSON string: any character but the quote,
 * backslash and controls, as many as are left), is decided by each token's character count
 * instead of being visited ({@link StateRuns}, {@link SubtreeChars}). Masks are
 * cached by state in an LRU bounded in bytes, so a state seen before (inside a string, between
 * digits) costs a lookup. End-of-generation and control tokens are not in these masks (see
 * {@link GrammarMatcher}). Thread-safe; one per grammar and tokenizer.
 */
final class TokenMasks {
    private final TokenTrie trie;
    private final int words;
    private final long budgetBytes;
    private final StateGraph graph = new StateGraph();
    private final StateRuns runs;
    private final Map<MatchState, long[]> cache = new LinkedHashMap<>(256, 0.75f, true);
    private long cachedBytes;
    final AtomicLong hits = new AtomicLong(), misses = new AtomicLong();

    private final int[] endTokens;
    // Trie nodes the walks visited and subtrees they decided by character counts (under the graph's lock; for tests).
    long nodesVisited, subtreesTaken;

    TokenMasks(Tokenizer tok, long budgetBytes) {
        this.trie = TokenTrie.of(tok);
        this.endTokens = java.util.stream.IntStream.range(0, tok.vocabSize()).filter(tok::isEndOfGeneration).toArray();
        this.words = (trie.vocab + 63) >>> 6;
        this.runs = new StateRuns(graph, trie.maxDepth);
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
            if (graph.trim()) runs.clear();
            int id = graph.id(state);
            if (graph.canContinue(id)) walk(id, mask);
        }
        return mask;
    }

    // Allows every token whose bytes lead from state id to a live state: the trie's nodes in
    // preorder, each stepped from its parent's state (at[depth - 1]); a subtree is skipped as soon
    // as its prefix cannot match or nothing can follow it. Where the path so far is made of the
    // characters of the state's run (inRun[depth]: the UTF-8 phase, or INVALID once it is not) and
    // so is everything below, the subtree is decided by counting characters instead of visiting it.
    private void walk(int id, long[] mask) {
        TokenTrie t = trie;
        int[] depth = t.depth, bytes = t.bytes, end = t.end, tokenFirst = t.tokenFirst, tokens = t.tokens;
        int[] group = t.below.group, tokenChars = t.below.tokenChars;
        long[] groups = t.below.groups;
        StateRuns.Run run = runs.of(id);
        long lo = run == null ? 0 : run.lo(), hi = run == null ? 0 : run.hi(), classes = run == null ? 0 : run.classes();
        int most = run == null ? 0 : run.chars();
        int[] at = new int[t.maxDepth + 1], inRun = new int[t.maxDepth + 1];
        at[0] = id;
        inRun[0] = run == null ? Utf8Classes.INVALID : Utf8Classes.BOUNDARY;
        long visited = 0, taken = 0;
        for (int n = 1; n < t.nodes; ) {
            visited++;
            int d = depth[n], b = bytes[n], next = graph.step(at[d - 1], b);
            if (next == StateGraph.DEAD) {
                n = end[n];
                continue;
            }
            int phase = inRun[d - 1];
            if (phase == Utf8Classes.BOUNDARY) {
                int c = b < 128 ? -1 : Utf8Classes.classOfLead(b);
                boolean of = b < 64 ? (lo & 1L << b) != 0 : b < 128 ? (hi & 1L << b) != 0 : c >= 0 && (classes & 1L << c) != 0;
                phase = of ? Utf8Classes.next(phase, b) : Utf8Classes.INVALID;
            } else phase = Utf8Classes.next(phase, b);
            int g = group[n];
            if (phase != Utf8Classes.INVALID && g >= 0
                    && (groups[3 * g] & ~lo) == 0 && (groups[3 * g + 1] & ~hi) == 0 && (groups[3 * g + 2] & ~classes) == 0) {
                // Every token here is made of the run's characters: allowed exactly when it has at most run.chars() of them.
                for (int k = tokenFirst[n], kEnd = tokenFirst[end[n]]; k < kEnd; k++) {
                    if (tokenChars[k] > most) continue;
                    int tok = tokens[k];
                    mask[tok >>> 6] |= 1L << tok;
                }
                taken++;
                n = end[n];
                continue;
            }
            for (int k = tokenFirst[n], kEnd = tokenFirst[n + 1]; k < kEnd; k++) {
                int tok = tokens[k];
                mask[tok >>> 6] |= 1L << tok;
            }
            if (graph.canContinue(next)) {
                at[d] = next;
                inRun[d] = phase;
                n++;
            } else n = end[n];
        }
        nodesVisited += visited;
        subtreesTaken += taken;
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
