package dev.vane.langchain4j.guard;

import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.guardrail.InputGuardrail;
import dev.langchain4j.guardrail.InputGuardrailResult;
import dev.vane.guard.Direction;
import dev.vane.guard.Policy;
import dev.vane.guard.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A vane-guard {@link Policy} as LangChain4j's input guardrail: each text part of the user message
 * goes through {@link Policy#checkInput}. BLOCK fails with the policy's block message (the
 * {@link PolicyBlockedException} cause names the rules); REDACT succeeds with the redacted text,
 * which is what the model then sees; ALLOW succeeds unchanged.
 *
 * <p>{@code @InputGuardrails(VanePolicyInputGuardrail.class)} instantiates it through the
 * no-argument constructor, which uses {@link Policy#defaults()}; for another policy there, subclass
 * it with a constructor calling {@code super(policy)}, or pass an instance to
 * {@code AiServices.builder(...).inputGuardrails(...)}. Thread-safe.
 */
public class VanePolicyInputGuardrail implements InputGuardrail {
    private final Policy policy;

    /** {@link Policy#defaults()}. */
    public VanePolicyInputGuardrail() {
        this(Policy.defaults());
    }

    public VanePolicyInputGuardrail(Policy policy) {
        this.policy = Objects.requireNonNull(policy, "policy must not be null");
    }

    public static Builder builder() {
        return new Builder();
    }

    public Policy policy() {
        return policy;
    }

    @Override
    public InputGuardrailResult validate(UserMessage userMessage) {
        List<Verdict> verdicts = new ArrayList<>();
        for (Content c : userMessage.contents()) {
            if (c instanceof TextContent t) verdicts.add(policy.checkInput(t.text()));
        }
        for (Verdict v : verdicts) {
            if (v.blocked()) return failure(policy.blockMessage(), new PolicyBlockedException(Direction.INPUT, v));
        }
        Verdict redacted = verdicts.stream().filter(Verdict::redacted).findFirst().orElse(null);
        if (redacted == null) return success();
        // A rewrite puts its one text into every text part of the message, so only a one-part message can be redacted.
        if (verdicts.size() > 1) {
            return failure("the user message has " + verdicts.size() + " text parts and one needs redacting; a guardrail can rewrite only a"
                    + " message of one text part (the rewrite replaces every text part), so send the text as one part");
        }
        return successWith(redacted.text());
    }

    /** Builds a {@link VanePolicyInputGuardrail}. */
    public static final class Builder {
        private Policy policy;

        private Builder() {}

        /** The policy to check with (default {@link Policy#defaults()}). */
        public Builder policy(Policy policy) {
            this.policy = policy;
            return this;
        }

        public VanePolicyInputGuardrail build() {
            return new VanePolicyInputGuardrail(policy == null ? Policy.defaults() : policy);
        }
    }
}
