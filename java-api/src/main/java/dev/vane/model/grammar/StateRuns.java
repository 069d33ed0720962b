package dev.vane.model.grammar;

import java.util.Arrays;

/**
 * The run of characters a {@link StateGraph} state takes whatever they are, so that a mask walk
 * can decide whole trie subtrees by their characters ({@link SubtreeChars}) instead of visiting
 * them. A state's step is its most common successor over the ASCII bytes, and its steady bytes the
 * ASCII bytes that lead there; a class of multi-byte characters is steady when every character
 * of it (all its bytes stepped through the graph) leads there too. Steps from a state s make a
 * chain c0 = s, c1, c2, ... A run is a set of characters and a length R such that each of them is
 * steady in c0 .. c(R-1) and dies in cR (or R is past every token's length): then from s a token made of those characters is allowed
 * exactly when it has at most R of them (a last one cut short counts). Inside a JSON string of at
 * most n characters, with k left: every character but the quote, backslash and controls, R = k.
 * Not thread-safe (its owner locks); forget everything when the graph forgets its states.
 */
final class StateRuns {
    // A frontier of states while stepping through a character wider than this is not followed (answers no).
    private static final int MAX_FRONTIER = 64;
    private static final Run NONE = new Run(0, 0, 0, 0);

    /** ASCII bytes lo (0-63) and hi (64-127), the set of {@link Utf8Classes}, and the length R. */
    record Run(long lo, long hi, long classes, int chars) {}

    private final StateGraph graph;
    private final int maxRun;
    private State[] byId = new State[256];

    private static final class State {
        final int step;  // the chain's next state, or StateGraph.DEAD
        final long lo, hi;  // the steady ASCII bytes
        int classesKnown, classesSteady;  // bit c: class c checked; steady
        Run run;

        State(int step, long lo, long hi) {
            this.step = step;
            this.lo = lo;
            this.hi = hi;
        }
    }

    /** maxRun: no token has more characters (a trie's longest token in bytes); a run that long needs no end. */
    StateRuns(StateGraph graph, int maxRun) {
        this.graph = graph;
        this.maxRun = maxRun;
    }

    void clear() {
        byId = new State[256];
    }

    /** The run from state id: its steady ASCII bytes, the classes steady as long, R; null if none. */
    Run of(int id) {
        State s = state(id);
        if (s.run == null) s.run = find(id, s);
        return s.run == NONE ? null : s.run;
    }

    private Run find(int id, State first) {
        long lo = first.lo, hi = first.hi;
        if ((lo | hi) == 0) return NONE;
        // R: how far the chain keeps every first steady byte steady.
        int chars = 0, at = id;
        while (chars < maxRun) {
            State s = state(at);
            if ((lo & ~s.lo) != 0 || (hi & ~s.hi) != 0) break;
            chars++;
            at = s.step;
        }
        long classes = 0;
        for (int c = 0; c < Utf8Classes.COUNT; c++) {
            boolean steady = true;
            for (int j = 0, on = id; j < chars && steady; j++, on = state(on).step) steady = steady(on, c);
            if (steady) classes |= 1L << c;
        }
        if (chars < maxRun) {  // past R, each of the run's characters must die; keep those that do
            for (int b = 0; b < 128; b++) {
                long bit = 1L << b, set = b < 64 ? lo : hi;
                if ((set & bit) != 0 && graph.step(at, b) != StateGraph.DEAD) {
                    if (b < 64) lo &= ~bit;
                    else hi &= ~bit;
                }
            }
            for (int c = 0; c < Utf8Classes.COUNT; c++) {
                for (int b = Utf8Classes.lo(c, 0); b <= Utf8Classes.hi(c, 0) && (classes & 1L << c) != 0; b++) {
                    if (graph.step(at, b) != StateGraph.DEAD) classes &= ~(1L << c);
                }
            }
        }
        return (lo | hi | classes) == 0 ? NONE : new Run(lo, hi, classes, chars);
    }

    private State state(int id) {
        State s = id < byId.length ? byId[id] : null;
        if (s != null) return s;
        // The successors of the ASCII bytes, and the one most of them lead to (on a tie, the one that got there first).
        int[] next = new int[128], distinct = new int[128], count = new int[128];
        int kinds = 0, best = -1;
        for (int b = 0; b < 128; b++) {
            next[b] = graph.step(id, b);
            if (next[b] == StateGraph.DEAD) continue;
            int k = 0;
            while (k < kinds && distinct[k] != next[b]) k++;
            if (k == kinds) distinct[kinds++] = next[b];
            count[k]++;
            if (best < 0 || count[k] > count[best]) best = k;
        }
        int step = best < 0 ? StateGraph.DEAD : distinct[best];
        long lo = 0, hi = 0;
        for (int b = 0; b < 128; b++) {
            if (step == StateGraph.DEAD || next[b] != step) continue;
            if (b < 64) lo |= 1L << b;
            else hi |= 1L << b;
        }
        s = new State(step, lo, hi);
        if (id >= byId.length) byId = Arrays.copyOf(byId, Math.max(id + 1, byId.length * 2));
        byId[id] = s;
        return s;
    }

    // Whether every character of class c leads from state id to its step.
    private boolean steady(int id, int c) {
        State s = state(id);
        int bit = 1 << c;
        if ((s.classesKnown & bit) == 0) {
            if (s.step != StateGraph.DEAD && allLeadTo(id, c, s.step)) s.classesSteady |= bit;
            s.classesKnown |= bit;
        }
        return (s.classesSteady & bit) != 0;
    }

    // Steps every character of class c from id, one byte position at a time over the set of states reached.
    private boolean allLeadTo(int id, int c, int target) {
        int[] frontier = {id};
        int size = 1;
        for (int i = 0; i < Utf8Classes.length(c); i++) {
            int[] next = new int[MAX_FRONTIER];
            int n = 0;
            for (int f = 0; f < size; f++) {
                for (int b = Utf8Classes.lo(c, i); b <= Utf8Classes.hi(c, i); b++) {
                    int s = graph.step(frontier[f], b);
                    if (s == StateGraph.DEAD) return false;
                    int k = 0;
                    while (k < n && next[k] != s) k++;
                    if (k == n) {
                        if (n == MAX_FRONTIER) return false;
                        next[n++] = s;
                    }
                }
            }
            frontier = next;
            size = n;
        }
        return size == 1 && frontier[0] == target;
    }
}
