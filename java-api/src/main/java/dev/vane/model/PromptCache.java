package dev.vane.model;

import java.util.ArrayList;
import java.util.List;

/**
 * A scheduler's finished sequences, kept (least recently used first) so that a new prompt that
 * begins as one of them, or as a running sequence, forks its KV blocks instead of recomputing
 * them. A fork reuses exactly the shared prefix, capped at the prompt's length - 1 (the last
 * prompt token always runs, for the first draw's logits), with no rounding to blocks (the
 * partly shared last block is copied on the fork's first write); on a sliding-window model only
 * a prefix from every layer's first kept position on can be reused, otherwise it is a miss.
 * Entries are evicted, oldest first, when the pool needs their blocks. Scheduler thread only.
 */
final class PromptCache implements AutoCloseable {
    /** Where a prompt's reusable prefix is: source's first length positions. */
    record Match(Session source, int length) {}

    private final List<Session> entries = new ArrayList<>();  // least recently used first
    private long lookups, hits, reusedTokens;

    /**
     * The longest reusable prefix of prompt among the entries and the running sequences, or null
     * for none; counts the lookup (and the hit), and marks a matching entry as just used.
     */
    Match lookup(int[] prompt, List<Session> running) {
        lookups++;
        Session best = null;
        int bestLength = 0;
        for (List<Session> from : List.of(entries, running)) {
            for (Session s : from) {
                int n = Math.min(s.commonPrefix(prompt), prompt.length - 1);
                if (n > bestLength && s.reusable(n)) {
                    best = s;
                    bestLength = n;
                }
            }
        }
        if (best == null) return null;
        hits++;
        reusedTokens += bestLength;
        if (entries.remove(best)) entries.add(best);
        return new Match(best, bestLength);
    }

    /**
     * Keeps a finished sequence (the cache takes it), dropping the entries it makes useless: those
     * whose tokens begin it and whose every reusable prefix it can serve.
     */
    void add(Session finished) {
        int[] tokens = finished.cachedTokens();
        if (tokens.length == 0) {
            finished.close();
            return;
        }
        entries.removeIf(e -> {
            boolean dominated = e.commonPrefix(tokens) == e.position() && finished.firstKept() <= e.firstKept();
            if (dominated) e.close();
            return dominated;
        });
        entries.add(finished);
    }

    /** Evicts the least recently used entry (its blocks not shared with others go back to the pool); false if none. */
    boolean evictOldest() {
        if (entries.isEmpty()) return false;
        entries.remove(0).close();
        return true;
    }

    int size() {
        return entries.size();
    }

    long lookups() {
        return lookups;
    }

    long hits() {
        return hits;
    }

    long reusedTokens() {
        return reusedTokens;
    }

    @Override
    public void close() {
        for (Session s : entries) s.close();
        entries.clear();
    }

    @Override
    public String toString() {
        return "PromptCache[" + entries.size() + " entries; " + lookups + " lookups, " + hits + " hits, " + reusedTokens + " tokens reused]";
    }
}
