package dev.vane.guard;

import java.util.List;

/** A detector whose matches are a {@link PhraseMatcher}'s: the phrase lists and the injection phrases. */
abstract class PhraseDetector implements Detector {
    private final PhraseMatcher matcher;

    PhraseDetector(List<PhraseMatcher.Phrase> phrases) {
        this.matcher = new PhraseMatcher(phrases);
    }

    @Override public int maxLength() {
        return matcher.maxLength();
    }

    @Override public List<Match> find(CharSequence text, int from) {
        return matcher.find(text, from);
    }

    @Override public int holdFrom(CharSequence text, int from) {
        return matcher.holdFrom(text, from);
    }
}
