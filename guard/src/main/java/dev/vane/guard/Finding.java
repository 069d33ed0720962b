package dev.vane.guard;

/**
 * What a policy found: the rule that fired, its detector's name, the span [start, end) in the
 * original text (for a stream, in the whole text generated so far) and the category of the matched text.
 */
public record Finding(String rule, String detector, int start, int end, String category, Action action) {
    public Finding {
        java.util.Objects.requireNonNull(rule, "rule must not be null");
        java.util.Objects.requireNonNull(detector, "detector must not be null");
        java.util.Objects.requireNonNull(category, "category must not be null");
        java.util.Objects.requireNonNull(action, "action must not be null");
        if (start < 0 || end <= start) throw new IllegalArgumentException("a finding needs 0 <= start < end, got [" + start + ", " + end + ")");
    }
}
