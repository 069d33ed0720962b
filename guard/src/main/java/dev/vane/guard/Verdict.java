package dev.vane.guard;

import java.util.List;
import java.util.Objects;

/**
 * What a policy decided about one text: ALLOW (text is the original), REDACT (text is the original
 * with the redacted spans replaced) or BLOCK (text is the policy's block message), with every
 * finding, in order of start, spans in the original text.
 */
public record Verdict(Action action, String text, List<Finding> findings) {
    public Verdict {
        Objects.requireNonNull(action, "action must not be null");
        Objects.requireNonNull(text, "text must not be null");
        findings = List.copyOf(findings);
    }

    public boolean blocked() {
        return action == Action.BLOCK;
    }

    public boolean redacted() {
        return action == Action.REDACT;
    }
}
