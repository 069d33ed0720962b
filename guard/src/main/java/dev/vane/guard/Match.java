package dev.vane.guard;

/**
 * One detection: the span [start, end) of the text a detector was given, and what kind of thing it
 * is (a category such as EMAIL or AWS_ACCESS_KEY, upper case, used for the default redaction "[EMAIL]").
 */
public record Match(int start, int end, String category) {
    public Match {
        if (start < 0 || end <= start) throw new IllegalArgumentException("a match needs 0 <= start < end, got [" + start + ", " + end + ")");
        java.util.Objects.requireNonNull(category, "category must not be null");
    }
}
