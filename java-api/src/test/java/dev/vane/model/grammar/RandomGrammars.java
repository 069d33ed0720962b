package dev.vane.model.grammar;

import java.util.SplittableRandom;

/** Seeded random GBNF over a few rules, literals (some multi-byte), classes, groups and repetitions. */
final class RandomGrammars {
    private static final String[] LITERALS = {"\"a\"", "\"b\"", "\"ab\"", "\"é\"", "\"😀\"", "\"{\"", "\"\\\"\"", "\" \"", "\"12\""};
    private static final String[] CLASSES = {"[a-c]", "[^a-z]", "[0-9]", "[α-ω]", "[é😀x]", "."};
    private static final String[] SUFFIXES = {"", "", "", "*", "+", "?", "{2}", "{1,3}", "{0,2}"};

    private RandomGrammars() {}

    static String gbnf(SplittableRandom r) {
        int rules = 1 + r.nextInt(3);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < rules; i++) b.append(i == 0 ? "root" : "r" + i).append(" ::= ").append(alternatives(r, rules, 2)).append('\n');
        return b.toString();
    }

    private static String alternatives(SplittableRandom r, int rules, int depth) {
        int n = 1 + r.nextInt(3);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) b.append(" | ");
            int items = 1 + r.nextInt(3);
            for (int k = 0; k < items; k++) {
                if (k > 0) b.append(' ');
                int kind = r.nextInt(depth > 0 ? 4 : 3);
                String item = switch (kind) {
                    case 0 -> LITERALS[r.nextInt(LITERALS.length)];
                    case 1 -> CLASSES[r.nextInt(CLASSES.length)];
                    case 2 -> "r" + (1 + r.nextInt(Math.max(1, rules - 1)));
                    default -> "( " + alternatives(r, rules, depth - 1) + " )";
                };
                if (item.startsWith("r") && rules == 1) item = LITERALS[0];
                b.append(item).append(SUFFIXES[r.nextInt(SUFFIXES.length)]);
            }
        }
        return b.toString();
    }
}
