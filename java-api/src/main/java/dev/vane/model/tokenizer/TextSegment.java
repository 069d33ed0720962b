package dev.vane.model.tokenizer;

import java.util.Objects;

/**
 * A piece of a prompt with its own rule for special-token text: a chat template's scaffolding is
 * encoded with parseSpecial (its "<|im_start|>" is one control token), a message's content
 * without (a user who types "<|eot_id|>" gets text, not the end of the turn).
 */
public record TextSegment(String text, boolean parseSpecial) {
    public TextSegment {
        Objects.requireNonNull(text, "text must not be null");
    }

    /** Template text: special-token text in it is parsed. */
    public static TextSegment scaffolding(String text) {
        return new TextSegment(text, true);
    }

    /** Text someone wrote (a message's content): control-token text in it stays text. */
    public static TextSegment content(String text) {
        return new TextSegment(text, false);
    }
}
