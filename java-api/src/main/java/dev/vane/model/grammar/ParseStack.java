package dev.vane.model.grammar;

/**
 * One parse of the input so far, as a persistent (shared-tail) list of positions in a
 * {@link Program}'s code: the top is the byte set to match next, the rest what follows once the
 * top's alternative ends. {@link #COMPLETE} is the empty stack: the start rule has matched.
 * Immutable, with structural equality and a cached hash, so states can key a cache.
 */
final class ParseStack {
    static final ParseStack COMPLETE = new ParseStack(-1, null);

    final int pos;
    final ParseStack next;
    private final int hash;

    ParseStack(int pos, ParseStack next) {
        this.pos = pos;
        this.next = next;
        this.hash = 31 * (next == null ? 17 : next.hash) + pos;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        ParseStack a = this, b = o instanceof ParseStack s ? s : null;
        while (a != b) {
            if (a == null || b == null || a.hash != b.hash || a.pos != b.pos) return false;
            a = a.next;
            b = b.next;
        }
        return true;
    }
}
