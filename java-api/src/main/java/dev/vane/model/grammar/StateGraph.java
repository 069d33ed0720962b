package dev.vane.model.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The matcher's states as a lazily built DFA: each distinct {@link MatchState} gets an id, and
 * its byte transitions are computed once, on first use, then read from a table. A trie walk then
 * costs an array read per trie node once the states it passes through are known, which is what
 * makes a cold mask over a 150k vocabulary affordable (most tokens inside a string lead through the
 * same few states). Bounded: past {@link #MAX_STATES} it starts over. Not thread-safe (its owner
 * locks).
 */
final class StateGraph {
    static final int DEAD = -1;
    static long computeNs, computed, live, created;
    private static final int UNKNOWN = -2, MAX_STATES = 20_000;

    private final Map<MatchState, Integer> ids = new HashMap<>();
    private final List<MatchState> states = new ArrayList<>();
    private int[][] transitions = new int[256][];  // by id: 256 next ids, null until first stepped from
    private boolean[] continues = new boolean[256];

    /** Forgets every state if there are too many (call between walks only: ids change). */
    void trim() {
        if (states.size() > MAX_STATES) {
            ids.clear();
            states.clear();
            transitions = new int[256][];
            continues = new boolean[256];
        }
    }

    int id(MatchState s) {
        Integer known = ids.get(s);
        if (known != null) return known;
        int id = states.size();
        created++;
        ids.put(s, id);
        states.add(s);
        if (id == transitions.length) {
            transitions = Arrays.copyOf(transitions, id * 2);
            continues = Arrays.copyOf(continues, id * 2);
        }
        continues[id] = s.canContinue();
        return id;
    }

    /** The state after byte b from state id, or {@link #DEAD}. */
    int step(int id, int b) {
        int[] t = transitions[id];
        if (t == null) {
            t = new int[256];
            Arrays.fill(t, UNKNOWN);
            transitions[id] = t;
        }
        int next = t[b];
        if (next == UNKNOWN) {
            long t0 = System.nanoTime(); computed++;
            MatchState s = states.get(id);
            if (!s.accepts(b)) next = DEAD;
            else {
                MatchState n = s.advance(b);
                next = n.isDead() ? DEAD : id(n);
            }
            t[b] = next;
            if (next != DEAD) live++;
            computeNs += System.nanoTime() - t0;
        }
        return next;
    }

    /** Some byte can follow state id. */
    boolean canContinue(int id) {
        return continues[id];
    }

    int size() {
        return states.size();
    }
}
