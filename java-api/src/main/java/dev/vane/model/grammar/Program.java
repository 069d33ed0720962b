package dev.vane.model.grammar;

/**
 * A compiled grammar, flat as llama.cpp keeps it: code holds every rule's alternatives one after
 * another, each a run of elements ended by {@link #END}; an element is a byte set (an index >= 0
 * into sets), or a rule reference ({@link #ref}). alternatives[r] lists where rule r's alternatives
 * start. Immutable.
 */
final class Program {
    static final int END = -1;

    final int[] code;
    final long[][] sets;  // 256-bit byte sets, 4 longs each
    final int[][] alternatives;
    final String[] names;
    final int root;
    /** The fewest bytes from each code position to its alternative's end ({@link CompletionLengths}). */
    final int[] bytesToEnd;

    Program(int[] code, long[][] sets, int[][] alternatives, String[] names, int root) {
        this.code = code;
        this.sets = sets;
        this.alternatives = alternatives;
        this.names = names;
        this.root = root;
        this.bytesToEnd = CompletionLengths.of(this);
    }

    static int ref(int rule) {
        return -2 - rule;
    }

    static boolean isRef(int element) {
        return element <= -2;
    }

    static int ruleOf(int element) {
        return -2 - element;
    }

    boolean accepts(int set, int b) {
        return (sets[set][b >>> 6] & (1L << b)) != 0;
    }
}
