package dev.vane.guard;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A detector made of one bounded regular expression and a check of each candidate (a checksum, a
 * range). The pattern's quantifiers are all bounded, so an attempt at a position reads at most
 * {@link #maxLength()} chars; lookbehinds read at most {@link Detector#CONTEXT} chars before it.
 */
abstract class RegexDetector implements Detector {
    private final String name;
    private final Pattern pattern;
    private final int maxLength;

    RegexDetector(String name, Pattern pattern, int maxLength) {
        this.name = name;
        this.pattern = pattern;
        this.maxLength = maxLength;
    }

    /**
     * The match for a candidate the pattern found (usually its whole span), or null when the check
     * rejects it. A match may be shorter than the candidate, never outside it.
     */
    abstract Match check(Matcher m);

    @Override public final String name() {
        return name;
    }

    @Override public final int maxLength() {
        return maxLength;
    }

    @Override public final List<Match> find(CharSequence text, int from) {
        Matcher m = matcher(text, from);
        List<Match> out = new ArrayList<>();
        while (m.find()) {
            Match match = check(m);
            if (match != null) out.add(match);
        }
        return out;
    }

    // An attempt that did not read past the end is final whatever comes next; the first one that did
    // is where a match could still start. Attempts further back than maxLength cannot reach the end.
    @Override public final int holdFrom(CharSequence text, int from) {
        int len = text.length();
        Matcher m = matcher(text, from);
        for (int p = Math.max(from, len - maxLength); p < len; p++) {
            m.region(p, len);
            m.lookingAt();
            if (m.hitEnd()) return p;
        }
        return len;
    }

    private Matcher matcher(CharSequence text, int from) {
        Matcher m = pattern.matcher(text);
        m.useTransparentBounds(true).useAnchoringBounds(false);
        m.region(from, text.length());
        return m;
    }
}
