package dev.vane.guard;

import java.util.ArrayList;
import java.util.List;

/**
 * Words and phrases from a list, matched as a reader sees them (see {@link PhraseMatcher}): case,
 * NFKC forms, Cyrillic and Greek look-alikes, leetspeak ("h4t3"), invisible characters and letters
 * split by separators or spaces ("h.a.t.e", "h a t e") are all caught, at whole-word boundaries
 * only, so "class" does not match "ass". Wildcards ("h*te") and misspellings are not caught.
 */
public final class WordListDetector extends PhraseDetector {
    private final String category;

    /**
     * @param phrases  the words or phrases (at least one)
     * @param category what a match is reported as, e.g. "PROFANITY" (upper case letters, digits, '_')
     */
    public WordListDetector(List<String> phrases, String category) {
        super(folded(phrases, category));
        this.category = category;
    }

    public WordListDetector(List<String> phrases) {
        this(phrases, "WORD");
    }

    public String category() {
        return category;
    }

    @Override public String name() {
        return "words";
    }

    private static List<PhraseMatcher.Phrase> folded(List<String> phrases, String category) {
        if (phrases == null || phrases.isEmpty()) throw new IllegalArgumentException("a word list needs at least one word or phrase");
        if (category == null || !category.matches("[A-Z][A-Z0-9_]*")) {
            throw new IllegalArgumentException("a category must be upper case letters, digits and '_', got '" + category + "'");
        }
        List<PhraseMatcher.Phrase> folded = new ArrayList<>();
        for (String p : phrases) {
            if (p == null) throw new IllegalArgumentException("a word list must not hold null");
            folded.add(new PhraseMatcher.Phrase(PhraseMatcher.fold(p), false, category));
        }
        return folded;
    }
}
