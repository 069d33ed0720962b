package dev.vane.model.grammar;

import java.util.Arrays;

/**
 * The fewest bytes that finish a {@link Program}'s alternative from each position of its code:
 * a byte set counts one, a rule reference its rule's shortest expansion. Rules may recurse, so
 * the rules' shortest lengths are found by relaxing until nothing shrinks (each pass can only
 * lower them, and they are bounded below by 0); a rule with no finite expansion stays unreachable.
 * What a generation needs to close the output within its token budget ({@link MatchState#bytesToComplete()}).
 */
final class CompletionLengths {
    static final int UNREACHABLE = Integer.MAX_VALUE / 4;

    private CompletionLengths() {}

    /** For every code position, the fewest bytes from it to its alternative's END. */
    static int[] of(Program p) {
        int[] rule = new int[p.alternatives.length];
        Arrays.fill(rule, UNREACHABLE);
        int[] toEnd = new int[p.code.length];
        boolean changed = true;
        while (changed) {
            changed = false;
            fill(p, rule, toEnd);
            for (int r = 0; r < rule.length; r++) {
                int best = UNREACHABLE;
                for (int start : p.alternatives[r]) best = Math.min(best, toEnd[start]);
                if (best < rule[r]) {
                    rule[r] = best;
                    changed = true;
                }
            }
        }
        fill(p, rule, toEnd);
        return toEnd;
    }

    // Suffix sums within each alternative: toEnd[i] = cost(code[i]) + toEnd[i + 1], END = 0.
    private static void fill(Program p, int[] rule, int[] toEnd) {
        for (int i = p.code.length - 1; i >= 0; i--) {
            int e = p.code[i];
            if (e == Program.END) toEnd[i] = 0;
            else toEnd[i] = Math.min(UNREACHABLE, (Program.isRef(e) ? rule[Program.ruleOf(e)] : 1) + toEnd[i + 1]);
        }
    }
}
