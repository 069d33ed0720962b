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

    /** The pattern (tests compare find and holdFrom with it run at every position). */
    final Pattern pattern() {
        return pattern;
    }

    /**
     * False only where an attempt at p can neither match nor read to the end of the text: a cheap
     * test of the chars at (and just before) p that the pattern's start requires. find and holdFrom
     * skip such positions without running the pattern, and in prose most positions are such (no
     * digit where a number would start, no '-' where a PEM header would). A necessary condition:
     * true where unsure. The default is true everywhere.
     */
    boolean mayStart(CharSequence text, int p) {
        return true;
    }

    /** False only when no match can start at or after from (e.g. no '@' for an e-mail). The default is true. */
    boolean mayContain(CharSequence text, int from) {
        return true;
    }

    // As Matcher.find over [from, len) would scan: the leftmost match, then on from its end (a
    // candidate the check rejects is skipped whole too), trying the pattern only where mayStart allows.
    @Override public final List<Match> find(CharSequence text, int from) {
        int len = text.length();
        if (from >= len || !mayContain(text, from)) return List.of();
        List<Match> out = List.of();
        Matcher m = null;
        try {
            for (int p = from; p < len; ) {
                if (!mayStart(text, p)) {
                    p++;
                    continue;
                }
                if (m == null) m = matcher(text);
                m.region(p, len);
                if (!m.lookingAt()) {
                    p++;
                    continue;
                }
                Match match = check(m);
                if (match != null) {
                    if (out.isEmpty()) out = new ArrayList<>();
                    out.add(match);
                }
                p = Math.max(m.end(), p + 1);
            }
            return out;
        } finally {
            if (m != null) release(m);
        }
    }

    // The scan find makes, from from (a point where the whole text's scan also tries an attempt):
    // an attempt that did not read to the end is decided whatever comes next, and a decided
    // candidate (kept or rejected by the check) is skipped whole, as the whole text's scan skips it;
    // the first attempt that read to the end is where the result could still change.
    @Override public final int holdFrom(CharSequence text, int from) {
        int len = text.length();
        Matcher m = null;
        try {
            for (int p = from; p < len; ) {
                if (!mayStart(text, p)) {
                    p++;
                    continue;
                }
                if (m == null) m = matcher(text);
                m.region(p, len);
                boolean matched = m.lookingAt();
                if (m.hitEnd()) return p;
                p = matched ? Math.max(m.end(), p + 1) : p + 1;
            }
            return len;
        } finally {
            if (m != null) release(m);
        }
    }

    // The ASCII classes the patterns use (none of them matches other chars: no UNICODE_CHARACTER_CLASS).
    static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean upper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    static boolean alnum(char c) {
        return digit(c) || upper(c) || c >= 'a' && c <= 'z';
    }

    /** The char before p, or 0 at the text's start (which no lookbehind class holds). */
    static char before(CharSequence text, int p) {
        return p > 0 ? text.charAt(p - 1) : 0;
    }

    /** The char at p, or -1 past the end (where anything could come). */
    static int at(CharSequence text, int p) {
        return p < text.length() ? text.charAt(p) : -1;
    }

    // One matcher per thread and detector, reused (a stream calls find and holdFrom for every token);
    // released it holds no text, so nothing generated stays reachable from it.
    private final ThreadLocal<Matcher> matchers = new ThreadLocal<>();

    private Matcher matcher(CharSequence text) {
        Matcher m = matchers.get();
        if (m == null) {
            m = pattern.matcher(text);
            m.useTransparentBounds(true).useAnchoringBounds(false);
        } else {
            matchers.remove();  // taken: a nested call (a check that scans) gets its own
            m.reset(text);
        }
        return m;
    }

    private void release(Matcher m) {
        matchers.set(m.reset(""));
    }
}
