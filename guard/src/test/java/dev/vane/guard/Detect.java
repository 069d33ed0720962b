package dev.vane.guard;

import java.util.List;

/** Test helpers: what a detector finds in a text, as matched substrings. */
final class Detect {
    private Detect() {}

    static List<String> found(Detector d, String text) {
        return d.find(text, 0).stream().map(m -> text.substring(m.start(), m.end())).toList();
    }
}
