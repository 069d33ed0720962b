package dev.vane.redteam.score;

import java.util.Objects;

/**
 * One thing a guard detector found: where (a reply view such as "raw" or "base64", or an input
 * message such as "messages[1]"), which detector, its category and the matched text.
 */
public record Detection(String where, String detector, String category, String text) {
    public Detection {
        Objects.requireNonNull(where, "where must not be null");
        Objects.requireNonNull(detector, "detector must not be null");
        Objects.requireNonNull(category, "category must not be null");
        Objects.requireNonNull(text, "text must not be null");
    }
}
