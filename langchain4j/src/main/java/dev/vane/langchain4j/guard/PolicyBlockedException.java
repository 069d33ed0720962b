package dev.vane.langchain4j.guard;

import dev.vane.guard.Action;
import dev.vane.guard.Direction;
import dev.vane.guard.Finding;
import dev.vane.guard.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Why a Vane guardrail refused a message: the policy's verdict, whose BLOCK findings name the rules
 * that fired. LangChain4j's InputGuardrailException and OutputGuardrailException carry it as their
 * cause, so a caller can tell which rules refused the text without parsing the message.
 */
public final class PolicyBlockedException extends RuntimeException {
    private final Direction direction;
    private final transient Verdict verdict;

    PolicyBlockedException(Direction direction, Verdict verdict) {
        super(direction.name().toLowerCase(Locale.ROOT) + " blocked by policy rule(s) " + blockingRules(verdict) + ": " + verdict.text());
        this.direction = Objects.requireNonNull(direction, "direction must not be null");
        this.verdict = verdict;
    }

    /** INPUT for a user message, OUTPUT for a model's reply. */
    public Direction direction() {
        return direction;
    }

    /** The whole verdict (its text is the policy's block message), with every finding. */
    public Verdict verdict() {
        return verdict;
    }

    /** The names of the BLOCK rules that fired, each once, in the order of their first match. */
    public List<String> rules() {
        return blockingRules(verdict);
    }

    static List<String> blockingRules(Verdict verdict) {
        List<String> names = new ArrayList<>();
        for (Finding f : verdict.findings()) {
            if (f.action() == Action.BLOCK && !names.contains(f.rule())) names.add(f.rule());
        }
        return List.copyOf(names);
    }
}
