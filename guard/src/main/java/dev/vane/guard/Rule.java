package dev.vane.guard;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One named rule of a {@link Policy}: what its detector finds is allowed (reported only), redacted
 * or blocked, in the directions it applies to. replacement is the text a REDACT puts in place of a
 * match; null means "[" + the match's category + "]", e.g. "[EMAIL]".
 */
public record Rule(String name, Detector detector, Action action, String replacement, Set<Direction> directions) {
    public Rule {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw new IllegalArgumentException("a rule name must be letters, digits, '_', '.' or '-' (starting with a letter or digit), got '" + name + "'");
        }
        Objects.requireNonNull(detector, "rule '" + name + "' needs a detector");
        Objects.requireNonNull(action, "rule '" + name + "' needs an action (ALLOW, REDACT or BLOCK)");
        if (replacement != null && action != Action.REDACT) {
            throw new IllegalArgumentException("rule '" + name + "' has a replacement but its action is " + action + ", not REDACT");
        }
        if (directions == null || directions.isEmpty()) {
            throw new IllegalArgumentException("rule '" + name + "' must apply to INPUT, OUTPUT or both");
        }
        directions = Set.copyOf(directions);
    }

    /** A rule on input and output, with the default replacement. */
    public static Rule of(String name, Detector detector, Action action) {
        return new Rule(name, detector, action, null, EnumSet.allOf(Direction.class));
    }

    public Rule withReplacement(String text) {
        return new Rule(name, detector, action, Objects.requireNonNull(text, "replacement must not be null"), directions);
    }

    /** The same rule on the given directions only. */
    public Rule on(Direction first, Direction... more) {
        return new Rule(name, detector, action, replacement, EnumSet.of(first, more));
    }

    public boolean appliesTo(Direction d) {
        return directions.contains(d);
    }

    /** What a REDACT of a match of this category puts in its place. */
    public String replacementFor(String category) {
        return replacement != null ? replacement : "[" + category + "]";
    }
}
