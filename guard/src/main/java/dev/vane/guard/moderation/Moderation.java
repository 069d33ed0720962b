package dev.vane.guard.moderation;

import java.util.List;
import java.util.Objects;

/**
 * A moderator's judgement of the last turn of a conversation: safe, or unsafe with the categories
 * it names (possibly none, when the model wrote "unsafe" alone), plus the model's raw output.
 */
public record Moderation(boolean safe, List<HazardCategory> categories, String rawOutput) {
    public Moderation {
        categories = List.copyOf(categories);
        Objects.requireNonNull(rawOutput, "rawOutput must not be null");
        if (safe && !categories.isEmpty()) throw new IllegalArgumentException("a safe moderation names no categories, got " + categories);
    }

    public boolean unsafe() {
        return !safe;
    }
}
