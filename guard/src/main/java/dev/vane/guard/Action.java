package dev.vane.guard;

/**
 * What a rule does with what its detector finds, and what a {@link Verdict} decided: ALLOW passes
 * the text on (the finding is only reported), REDACT replaces the matched span, BLOCK refuses the
 * whole text with the policy's block message. A verdict takes the strongest action of its findings.
 */
public enum Action {
    ALLOW, REDACT, BLOCK
}
