package dev.vane.model.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Where a grammar's matcher stands after some bytes: the set of parse stacks still alive (the
 * grammar may be ambiguous, as llama.cpp's matcher allows). Immutable; equal states have equal
 * stacks, so a state keys the token-mask cache. Empty: the bytes do not match.
 */
public final class MatchState {
    /** More parses than this at once means a grammar too ambiguous to match in time. */
    static final int MAX_STACKS = 4096;

    final Program program;
    final ParseStack[] stacks;
    private final int hash;

    private MatchState(Program program, ParseStack[] stacks) {
        this.program = program;
        this.stacks = stacks;
        this.hash = Arrays.hashCode(stacks);
    }

    static MatchState initial(Program p) {
        List<ParseStack> out = new ArrayList<>();
        for (int start : p.alternatives[p.root]) Expansion.expand(p, start, null, out);
        return of(p, out);
    }

    private static MatchState of(Program p, List<ParseStack> stacks) {
        LinkedHashSet<ParseStack> unique = new LinkedHashSet<>(stacks);
        if (unique.size() > MAX_STACKS) throw new GrammarException("the grammar is too ambiguous: more than " + MAX_STACKS + " parses at once");
        ParseStack[] a = unique.toArray(new ParseStack[0]);
        // A canonical order, so equal sets compare equal.
        Arrays.sort(a, (x, y) -> x.hashCode() != y.hashCode() ? Integer.compare(x.hashCode(), y.hashCode()) : Integer.compare(x.pos, y.pos));
        return new MatchState(p, a);
    }

    /** The state after byte b (0..255); {@link #isDead()} if b cannot come next. */
    public MatchState advance(int b) {
        List<ParseStack> out = new ArrayList<>();
        for (ParseStack s : stacks) Expansion.advance(program, s, b, out);
        return of(program, out);
    }

    /** The state after bytes, or null as soon as one cannot come next. */
    public MatchState advance(byte[] bytes) {
        MatchState s = this;
        for (byte b : bytes) {
            s = s.advance(b & 0xFF);
            if (s.isDead()) return null;
        }
        return s;
    }

    /** No parse is left: the bytes so far cannot start a match. */
    public boolean isDead() {
        return stacks.length == 0;
    }

    /** The bytes so far are a whole match of the grammar. */
    public boolean isComplete() {
        for (ParseStack s : stacks) if (s == ParseStack.COMPLETE) return true;
        return false;
    }

    /** Some further byte can be accepted. */
    public boolean canContinue() {
        for (ParseStack s : stacks) if (s != ParseStack.COMPLETE) return true;
        return false;
    }

    /**
     * The fewest bytes that make the output so far a whole match (0 when it is one): over the live
     * parses, the shortest finish of each stack's entries.
     */
    public int bytesToComplete() {
        int best = CompletionLengths.UNREACHABLE;
        for (ParseStack s : stacks) {
            int n = 0;
            for (ParseStack e = s; e != ParseStack.COMPLETE && e != null; e = e.next) n = Math.min(CompletionLengths.UNREACHABLE, n + program.bytesToEnd[e.pos]);
            best = Math.min(best, n);
        }
        return best;
    }

    /** Whether byte b can come next. */
    boolean accepts(int b) {
        for (ParseStack s : stacks) if (s != ParseStack.COMPLETE && program.accepts(program.code[s.pos], b)) return true;
        return false;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MatchState m && m.hash == hash && m.program == program && Arrays.equals(m.stacks, stacks);
    }
}
