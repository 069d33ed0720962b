package dev.vane.guard;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds phrases in text the way a reader sees them: each code point {@link Fold folded} (NFKC, case,
 * look-alikes, leetspeak, invisible characters dropped), up to {@link #MAX_GAP} separators, spaces or
 * invisible characters allowed between the letters of a word ("b.a.d", "b a d", "ba\u200Bd"), and 1..
 * {@link #MAX_SPACE} of them between words. A phrase matches at whole-word boundaries only, and
 * every occurrence is reported (overlaps included) with its span in the original text.
 */
final class PhraseMatcher {
    static final int MAX_GAP = 3;
    static final int MAX_SPACE = 8;
    private static final String SEPARATORS = ".-_*·'";

    /** A phrase already folded (see {@link #fold}); lineStart: only at the start of a line. */
    record Phrase(String folded, boolean lineStart, String category) {}

    /** A trie of folded phrases; ' ' edges stand for a gap between words. */
    private static final class Node {
        final Map<Character, Node> next = new HashMap<>();
        final boolean wordLast;   // the char into this node is a word char: a phrase ending here needs a word boundary
        String category;          // non-null where a phrase ends

        Node(boolean wordLast) {
            this.wordLast = wordLast;
        }
    }

    private final Node anywhere = new Node(false), lineStart = new Node(false);
    private final int maxLength;

    PhraseMatcher(List<Phrase> phrases) {
        int longest = 0;
        for (Phrase p : phrases) {
            Node n = p.lineStart() ? lineStart : anywhere;
            for (int i = 0; i < p.folded().length(); i++) n = n.next.computeIfAbsent(p.folded().charAt(i), k -> new Node(Fold.wordChar(k)));
            n.category = p.category();
            longest = Math.max(longest, p.folded().length());
        }
        // Each phrase char: one code point (2 chars) and up to MAX_SPACE gap chars; then the look past the end.
        maxLength = longest * (2 + Math.max(MAX_GAP, MAX_SPACE)) + Detector.CONTEXT;
    }

    int maxLength() {
        return maxLength;
    }

    /**
     * A phrase as the matcher compares it: folded per code point, separators inside words dropped
     * (they are gaps), runs of white space as one ' '.
     *
     * @throws IllegalArgumentException if nothing is left
     */
    static String fold(String phrase) {
        StringBuilder out = new StringBuilder();
        phrase.strip().codePoints().forEach(cp -> {
            if (Character.isWhitespace(cp)) {
                if (!out.isEmpty() && out.charAt(out.length() - 1) != ' ') out.append(' ');
            } else if (SEPARATORS.indexOf(cp) < 0) {
                out.append(Fold.of(cp));
            }
        });
        String s = out.toString().strip();
        if (s.isEmpty()) throw new IllegalArgumentException("a phrase needs at least one letter, digit or symbol, got '" + phrase + "'");
        return s;
    }

    List<Match> find(CharSequence text, int from) {
        List<Match> out = new ArrayList<>();
        for (int s = from; s < text.length(); s++) {
            if (Character.isLowSurrogate(text.charAt(s))) continue;
            Walk w = new Walk(text, s, false);
            w.start(anywhere, false);
            w.start(lineStart, true);
            for (Match m : w.found) if (!out.contains(m)) out.add(m);
        }
        return out;
    }

    int holdFrom(CharSequence text, int from) {
        int len = text.length();
        for (int s = Math.max(from, len - maxLength); s < len; s++) {
            if (Character.isLowSurrogate(text.charAt(s))) continue;
            Walk w = new Walk(text, s, true);
            w.start(anywhere, false);
            w.start(lineStart, true);
            if (w.live) return s;
        }
        return len;
    }

    /**
     * All phrases matched from one start. With holding, live is set where the text ends before the
     * answer is known (mid-phrase, or right after one where the word could go on); otherwise the end
     * of the text counts as a word boundary.
     */
    private static final class Walk {
        final CharSequence text;
        final int s;
        final boolean holding;
        final List<Match> found = new ArrayList<>();
        boolean live;

        Walk(CharSequence text, int s, boolean holding) {
            this.text = text;
            this.s = s;
            this.holding = holding;
        }

        void start(Node root, boolean atLineStart) {
            String f = Fold.of(Character.codePointAt(text, s));
            if (f.isEmpty() || !startOk(text, s, Fold.wordChar(f.charAt(0)), atLineStart)) return;
            letters(root, f, 0, s + Character.charCount(Character.codePointAt(text, s)), true);
        }

        // Walk the folded chars f[k..] of the code point that ends at pos, from node n. isolated:
        // that code point starts the phrase or follows a gap.
        private void letters(Node n, String f, int k, int pos, boolean isolated) {
            if (k == f.length()) {
                after(n, pos, isolated);
                return;
            }
            for (char c : choices(f.charAt(k))) {
                Node next = n.next.get(c);
                if (next != null) letters(next, f, k + 1, pos, isolated);
            }
        }

        // After a letter: a phrase may end here, go on to the next word, or go on in this word. A
        // space inside a word is a gap only after an isolated letter ("b a d"), so "bad word" is two words.
        private void after(Node n, int pos, boolean isolated) {
            int len = text.length();
            if (n.category != null) end(n, pos);
            Node space = n.next.get(' ');
            if (space != null) {
                int q = pos, count = 0;
                while (q < len && count < MAX_SPACE && wordGap(Character.codePointAt(text, q))) {
                    q += Character.charCount(Character.codePointAt(text, q));
                    count++;
                }
                if (q >= len) live |= holding;
                else if (count > 0) next(space, q, true);
            }
            if (n.next.size() > (space == null ? 0 : 1)) {
                int q = pos, gaps = 0;
                while (q < len && gaps < MAX_GAP && innerGap(Character.codePointAt(text, q), isolated)) {
                    q += Character.charCount(Character.codePointAt(text, q));
                    gaps++;
                }
                if (q >= len) live |= holding;
                else next(n, q, gaps > 0);
            }
        }

        private void next(Node n, int pos, boolean isolated) {
            int cp = Character.codePointAt(text, pos);
            String f = Fold.of(cp);
            if (!f.isEmpty()) letters(n, f, 0, pos + Character.charCount(cp), isolated);
        }

        private void end(Node n, int pos) {
            int len = text.length(), q = pos;
            if (n.wordLast) {
                while (q < len && q - pos < Detector.CONTEXT && Fold.invisible(text.charAt(q))) q++;
                if (q >= len) {
                    if (holding) live = true;
                    else found.add(new Match(s, pos, n.category));
                    return;
                }
                if (q - pos >= Detector.CONTEXT || Fold.wordChar(Character.codePointAt(text, q))) return;
            }
            if (!holding) found.add(new Match(s, pos, n.category));
        }
    }

    private static char[] choices(char c) {
        return c == '1' ? new char[] {'1', 'i', 'l'} : new char[] {c};
    }

    // Before a phrase: a non-word char (invisible ones skipped), or for a line-start phrase only
    // blanks back to a newline or the text's start; looking back at most CONTEXT chars.
    private static boolean startOk(CharSequence text, int s, boolean word, boolean lineStart) {
        for (int q = s - 1; q >= s - Detector.CONTEXT; q--) {
            if (q < 0) return true;
            char c = text.charAt(q);
            if (Fold.invisible(c)) continue;
            if (lineStart) {
                if (c == '\n') return true;
                if (c == ' ' || c == '\t' || c == '\r') continue;
                return false;
            }
            return !word || !Fold.wordChar(Character.codePointBefore(text, q + 1));
        }
        return false;
    }

    private static boolean wordGap(int cp) {
        return Character.isWhitespace(cp) || Fold.invisible(cp) || SEPARATORS.indexOf(cp) >= 0;
    }

    private static boolean innerGap(int cp, boolean afterIsolated) {
        return afterIsolated && (cp == ' ' || cp == '\t') || Fold.invisible(cp) || SEPARATORS.indexOf(cp) >= 0;
    }
}
