package dev.vane.guard;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Replaces the REDACT findings' spans of a text. Overlapping spans merge into one, replaced by the
 * replacement of the one that starts first (the longer, then the earlier rule, on a tie). The same
 * code redacts a whole text and each released piece of a stream, so both give the same result.
 */
final class Redactor {
    private Redactor() {}

    /** Findings in order of start, then longest first, then rule order (their order in the list). */
    static List<Finding> sorted(List<Finding> findings) {
        List<Finding> out = new ArrayList<>(findings);
        out.sort(Comparator.comparingInt(Finding::start).thenComparing(Comparator.comparingInt(Finding::end).reversed()));
        return out;
    }

    /**
     * text[from, to) with the sorted findings' REDACT spans replaced; spans are relative to text's
     * index 0 shifted by offset (a finding at offset + i covers text index i), and all lie in [from, to).
     */
    static String redact(CharSequence text, int from, int to, List<Finding> sorted, int offset, Function<Finding, String> replacement) {
        StringBuilder out = new StringBuilder(to - from);
        int pos = from;
        for (int k = 0; k < sorted.size(); k++) {
            Finding f = sorted.get(k);
            if (f.action() != Action.REDACT) continue;
            int start = f.start() - offset, end = f.end() - offset;
            if (start < pos) continue;                 // part of a group already replaced
            out.append(text, pos, start);
            int groupEnd = end;
            for (int j = k + 1; j < sorted.size(); j++) {
                Finding g = sorted.get(j);
                if (g.start() - offset >= groupEnd) break;
                if (g.action() == Action.REDACT) groupEnd = Math.max(groupEnd, g.end() - offset);
            }
            out.append(replacement.apply(f));
            pos = groupEnd;
        }
        out.append(text, pos, to);
        return out.toString();
    }
}
