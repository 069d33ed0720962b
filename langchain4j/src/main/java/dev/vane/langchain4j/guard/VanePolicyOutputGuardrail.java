package dev.vane.langchain4j.guard;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.guardrail.OutputGuardrail;
import dev.langchain4j.guardrail.OutputGuardrailResult;
import dev.vane.guard.Direction;
import dev.vane.guard.Policy;
import dev.vane.guard.Verdict;
import java.util.Objects;

/**
 * A vane-guard {@link Policy} as LangChain4j's output guardrail: the reply's text (and its thinking,
 * when the model returns some) goes through {@link Policy#checkOutput}. BLOCK fails with the
 * policy's block message, and does not ask for a retry or a reprompt: another sample of the same
 * prompt is no safer (the {@link PolicyBlockedException} cause names the rules); REDACT succeeds
 * with the reply rewritten; ALLOW succeeds unchanged. A reply of tool calls alone passes.
 *
 * <p>The no-argument constructor (used by {@code @OutputGuardrails(VanePolicyOutputGuardrail.class)})
 * takes {@link Policy#defaults()}. Thread-safe.
 */
public class VanePolicyOutputGuardrail implements OutputGuardrail {
    private final Policy policy;

    /** {@link Policy#defaults()}. */
    public VanePolicyOutputGuardrail() {
        this(Policy.defaults());
    }

    public VanePolicyOutputGuardrail(Policy policy) {
        this.policy = Objects.requireNonNull(policy, "policy must not be null");
    }

    public static Builder builder() {
        return new Builder();
    }

    public Policy policy() {
        return policy;
    }

    @Override
    public OutputGuardrailResult validate(AiMessage reply) {
        Verdict text = reply.text() == null ? null : policy.checkOutput(reply.text());
        Verdict thinking = reply.thinking() == null ? null : policy.checkOutput(reply.thinking());
        for (Verdict v : new Verdict[] {text, thinking}) {
            if (v != null && v.blocked()) return failure(policy.blockMessage(), new PolicyBlockedException(Direction.OUTPUT, v));
        }
        boolean textRedacted = text != null && text.redacted();
        boolean thinkingRedacted = thinking != null && thinking.redacted();
        if (!textRedacted && !thinkingRedacted) return success();
        AiMessage.Builder b = reply.toBuilder();
        if (textRedacted) b.text(text.text());
        if (thinkingRedacted) b.thinking(thinking.text());
        return successWith(b.build());
    }

    /** Builds a {@link VanePolicyOutputGuardrail}. */
    public static final class Builder {
        private Policy policy;

        private Builder() {}

        /** The policy to check with (default {@link Policy#defaults()}). */
        public Builder policy(Policy policy) {
            this.policy = policy;
            return this;
        }

        public VanePolicyOutputGuardrail build() {
            return new VanePolicyOutputGuardrail(policy == null ? Policy.defaults() : policy);
        }
    }
}
