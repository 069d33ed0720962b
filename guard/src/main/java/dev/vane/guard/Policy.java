package dev.vane.guard;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Named rules applied to prompts and chat messages ({@link #checkInput}) and to what a model
 * generates ({@link #checkOutput}, or token by token with {@link #streamOutput}). Immutable and
 * thread-safe; built with {@link #builder()}, loaded from a file with {@link PolicyLoader}, or
 * {@link #defaults()}. See docs/GUARD.md.
 */
public final class Policy {
    /** The block message when a policy names none. */
    public static final String DEFAULT_BLOCK_MESSAGE = "This content was blocked by policy.";

    private final List<Rule> rules;
    private final String blockMessage;
    private final Map<String, Rule> byName;

    private Policy(List<Rule> rules, String blockMessage) {
        this.rules = List.copyOf(rules);
        this.blockMessage = blockMessage;
        Map<String, Rule> m = new HashMap<>();
        for (Rule r : rules) m.put(r.name(), r);
        this.byName = Map.copyOf(m);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * PII redacted (e-mail, phone, payment card, IBAN, US SSN, UK NINO) both ways; secrets (API keys,
     * PEM private keys) redacted both ways; prompt injection and special-token text blocked on input.
     */
    public static Policy defaults() {
        return defaults(new SpecialTokenDetector());
    }

    /** {@link #defaults()} with a model's own special-token texts, e.g. {@code SpecialTokenDetector.forModel(model.specialTokenTexts())}. */
    public static Policy defaults(SpecialTokenDetector specialTokens) {
        return builder()
                .rule(Rule.of("email", new EmailDetector(), Action.REDACT))
                .rule(Rule.of("phone", new PhoneDetector(), Action.REDACT))
                .rule(Rule.of("payment-card", new PaymentCardDetector(), Action.REDACT))
                .rule(Rule.of("iban", new IbanDetector(), Action.REDACT))
                .rule(Rule.of("us-ssn", new UsSsnDetector(), Action.REDACT))
                .rule(Rule.of("uk-nino", new UkNinoDetector(), Action.REDACT))
                .rule(Rule.of("api-key", new ApiKeyDetector(), Action.REDACT))
                .rule(Rule.of("pem-private-key", new PemPrivateKeyDetector(), Action.REDACT))
                .rule(Rule.of("prompt-injection", new PromptInjectionDetector(), Action.BLOCK).on(Direction.INPUT))
                .rule(Rule.of("special-tokens", specialTokens, Action.BLOCK).on(Direction.INPUT))
                .build();
    }

    public List<Rule> rules() {
        return rules;
    }

    public String blockMessage() {
        return blockMessage;
    }

    /** A prompt or one chat message's content. */
    public Verdict checkInput(String text) {
        return check(Direction.INPUT, text);
    }

    /** A whole generated text. */
    public Verdict checkOutput(String text) {
        return check(Direction.OUTPUT, text);
    }

    public Verdict check(Direction direction, String text) {
        Objects.requireNonNull(direction, "direction must not be null");
        Objects.requireNonNull(text, "text must not be null");
        List<Finding> findings = new ArrayList<>();
        for (Rule r : rules) {
            if (!r.appliesTo(direction)) continue;
            for (Match m : r.detector().find(text, 0)) findings.add(finding(r, m, 0));
        }
        return verdict(text, Redactor.sorted(findings));
    }

    /** A guard for one generation's output stream (not thread-safe: one per generation). */
    public StreamGuard streamOutput() {
        return new StreamGuard(this, Direction.OUTPUT);
    }

    /** A guard for a stream in the given direction (for example a prompt read in pieces). */
    public StreamGuard stream(Direction direction) {
        return new StreamGuard(this, Objects.requireNonNull(direction, "direction must not be null"));
    }

    Verdict verdict(String text, List<Finding> sorted) {
        Action action = Action.ALLOW;
        for (Finding f : sorted) if (f.action().compareTo(action) > 0) action = f.action();
        return switch (action) {
            case ALLOW -> new Verdict(Action.ALLOW, text, sorted);
            case REDACT -> new Verdict(Action.REDACT, Redactor.redact(text, 0, text.length(), sorted, 0, this::replacement), sorted);
            case BLOCK -> new Verdict(Action.BLOCK, blockMessage, sorted);
        };
    }

    static Finding finding(Rule r, Match m, int offset) {
        return new Finding(r.name(), r.detector().name(), offset + m.start(), offset + m.end(), m.category(), r.action());
    }

    String replacement(Finding f) {
        return byName.get(f.rule()).replacementFor(f.category());
    }

    /** Collects rules in order; {@link #build()} checks them. */
    public static final class Builder {
        private final List<Rule> rules = new ArrayList<>();
        private String blockMessage = DEFAULT_BLOCK_MESSAGE;

        private Builder() {}

        public Builder rule(Rule rule) {
            rules.add(Objects.requireNonNull(rule, "rule must not be null"));
            return this;
        }

        /** A rule on input and output with the default replacement. */
        public Builder rule(String name, Detector detector, Action action) {
            return rule(Rule.of(name, detector, action));
        }

        /** What a blocked text is replaced by (not blank). */
        public Builder blockMessage(String message) {
            if (message == null || message.isBlank()) throw new IllegalArgumentException("blockMessage must be a non-blank text, got " + (message == null ? "null" : "'" + message + "'"));
            this.blockMessage = message;
            return this;
        }

        /** @throws IllegalArgumentException if two rules share a name */
        public Policy build() {
            Set<String> names = new HashSet<>();
            for (Rule r : rules) {
                if (!names.add(r.name())) throw new IllegalArgumentException("two rules are named '" + r.name() + "'; rule names must be unique");
            }
            return new Policy(rules, blockMessage);
        }
    }
}
