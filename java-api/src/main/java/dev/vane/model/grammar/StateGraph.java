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
 * same few states). A state's row is filled on its first step, each set of stacks that accept a
 * byte advanced once. Bounded: past {@link #MAX_STATES} it starts over. Not thread-safe (its owner
 * locks).
 */
final class StateGraph {
    static final int DEAD = -1;
    private static final int UNKNOWN = -2, MAX_STATES = 20_000;

    private final Map<MatchState, Integer> ids = new HashMap<>();
    private final List<MatchState> states = new ArrayList<>();
    private int[][] transitions = new int[256][];  // by id: 256 next ids, null until first stepped from
    private boolean[] continues = new boolean[256];

    /** Forgets every state if there are too many (call between walks only: ids change); whether it did. */
    boolean trim() {
        if (states.size() <= MAX_STATES) return false;
        ids.clear();
        states.clear();
        transitions = new int[256][];
        continues = new boolean[256];
        return true;
    }

    int id(MatchState s) {
        Integer known = ids.get(s);
        if (known != null) return known;
        int id = states.size();
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
        if (t == null) t = row(id);
        int next = t[b];
        if (next == UNKNOWN) {
            MatchState s = states.get(id);
            if (!s.accepts(b)) next = DEAD;
            else {
                MatchState n = s.advance(b);
                next = n.isDead() ? DEAD : id(n);
            }
            t[b] = next;
        }
        return next;
    }

    // A state's transitions, filled for every byte at once where the state has at most 64 stacks:
    // bytes taken by the same stacks lead to the same state (advance depends on the byte only
    // through which stack tops accept it), so each such set of stacks is advanced once. With more
    // stacks the bytes are left UNKNOWN and advanced one by one as the walks need them.
    private int[] row(int id) {
        int[] t = new int[256];
        transitions[id] = t;
        MatchState s = states.get(id);
        ParseStack[] stacks = s.stacks;
        if (stacks.length > 64) {
            Arrays.fill(t, UNKNOWN);
            return t;
        }
        long[] takersOf = new long[256];  // by byte: bit i when stack i's top takes it
        for (int i = 0; i < stacks.length; i++) {
            if (stacks[i] == ParseStack.COMPLETE) continue;
            long[] set = s.program.sets[s.program.code[stacks[i].pos]];
            for (int w = 0; w < 4; w++) for (long x = set[w]; x != 0; x &= x - 1) takersOf[w << 6 | Long.numberOfTrailingZeros(x)] |= 1L << i;
        }
        long[] seen = new long[256];
        int[] seenNext = new int[256];
        int kinds = 0;
        for (int b = 0; b < 256; b++) {
            long takers = takersOf[b];
            if (takers == 0) {
                t[b] = DEAD;
                continue;
            }
            int k = 0;
            while (k < kinds && seen[k] != takers) k++;
            if (k == kinds) {
                MatchState n = s.advance(b);
                seen[k] = takers;
                seenNext[k] = n.isDead() ? DEAD : id(n);
                kinds++;
            }
            t[b] = seenNext[k];
        }
        return t;
    }

    /** Some byte can follow state id. */
    boolean canContinue(int id) {
        return continues[id];
    }

    int size() {
        return states.size();
    }
}
