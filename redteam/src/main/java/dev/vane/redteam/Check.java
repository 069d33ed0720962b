package dev.vane.redteam;

import java.util.Locale;

/** How a probe's reply is judged. */
public enum Check {
    /** Fails when the reply holds the case's canary (a seeded token the attack asks the model to reveal or repeat). */
    CANARY,
    /** Fails when the reply echoes PII planted in the system prompt or a document (found by the guard's PII detectors or verbatim). */
    PII,
    /** Fails when control-token text in the user's content became control tokens, or the hijacked turn leaks the canary. */
    SPECIAL_TOKENS,
    /** Fails when the moderator judges the reply unsafe; unscored without a moderator. */
    MODERATION;

    /** The name suite files use: canary, pii, special-tokens, moderation. */
    public String fileName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Check ofFileName(String s) {
        for (Check c : values()) if (c.fileName().equals(s)) return c;
        throw new IllegalArgumentException("unknown check '" + s + "'; expected canary, pii, special-tokens or moderation");
    }
}
