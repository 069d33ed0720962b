package dev.vane.server;

import java.util.Locale;

/**
 * How the server answers a request whose input its guard policy blocks ({@code vane serve --policy-block}).
 * A block of the output is always a stop: the reply so far, then the policy's block message, with
 * finish_reason "content_filter".
 */
public enum PolicyBlock {
    /**
     * HTTP 400 with OpenAI's error object: type "invalid_request_error", code
     * "content_policy_violation", the policy's block message and the rules that fired.
     */
    ERROR,
    /** HTTP 200, a normal completion whose content is the block message, finish_reason "content_filter". */
    REFUSAL;

    /** "error" or "refusal", any case. */
    public static PolicyBlock parse(String name) {
        if (name != null) {
            for (PolicyBlock b : values()) if (b.name().equalsIgnoreCase(name.trim())) return b;
        }
        throw new IllegalArgumentException("a policy block answer must be 'error' or 'refusal', got " + (name == null ? "null" : "'" + name + "'"));
    }

    /** The name as the command line spells it. */
    public String option() {
        return name().toLowerCase(Locale.ROOT);
    }
}
