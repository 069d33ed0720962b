package dev.vane.server;

import dev.vane.guard.Direction;
import dev.vane.guard.Finding;
import dev.vane.guard.Policy;
import dev.vane.guard.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The server's guard policy ({@link ServerOptions#policy()}) applied to requests: input texts are
 * checked (redacted or refused) before a prompt is built, and each generation's output streams
 * through an {@link OutputGuard}. Every finding and every blocked request is counted in the server's
 * registry: {@code vane_guard_findings_total{direction, rule, action}} and
 * {@code vane_guard_blocked_requests_total{direction}}. Without a policy it passes everything
 * through and counts nothing. Thread-safe; one per server.
 */
final class ServerGuard {
    static final String FINDINGS = "vane.guard.findings";
    static final String BLOCKED = "vane.guard.blocked.requests";
    static final String CONTENT_FILTER = "content_filter";  // OpenAI's finish reason for a filtered reply

    /**
     * What the model is to see of a request's texts: each text as the policy let it through
     * (redacted where a rule says so), or, when refusal is not null, nothing: the request is
     * answered with the refusal text (the block message) and finish_reason "content_filter".
     */
    record Checked(List<String> texts, String refusal) {}

    private final Policy policy;  // null: no guard
    private final PolicyBlock block;
    private final MeterRegistry registry;
    private final String modelId;

    ServerGuard(Optional<Policy> policy, PolicyBlock block, MeterRegistry registry, String modelId) {
        this.policy = policy.orElse(null);
        this.block = block;
        this.registry = registry;
        this.modelId = modelId;
        // Both blocked counters exist from the start, so a dashboard sees 0 rather than no series.
        if (this.policy != null) for (Direction d : Direction.values()) blocked(d, 0);
    }

    boolean enabled() {
        return policy != null;
    }

    /**
     * Checks a request's input texts; params name each text's field (for the error). A blocked text
     * makes this throw a 400 (PolicyBlock.ERROR) or return a refusal (PolicyBlock.REFUSAL).
     */
    Checked input(List<String> params, List<String> texts) {
        if (policy == null) return new Checked(texts, null);
        List<String> out = new ArrayList<>(texts.size());
        Set<String> blockingRules = new LinkedHashSet<>();
        String firstBlocked = null;
        for (int i = 0; i < texts.size(); i++) {
            Verdict v = policy.checkInput(texts.get(i));
            count(Direction.INPUT, v.findings());
            if (v.blocked()) {
                if (firstBlocked == null) firstBlocked = params.get(i);
                for (Finding f : v.findings()) if (f.action() == dev.vane.guard.Action.BLOCK) blockingRules.add(f.rule());
            }
            out.add(v.text());
        }
        if (firstBlocked == null) return new Checked(out, null);
        blocked(Direction.INPUT, 1);
        if (block == PolicyBlock.REFUSAL) return new Checked(List.of(), policy.blockMessage());
        throw new ApiError(400, "invalid_request_error", "content_policy_violation", firstBlocked,
                policy.blockMessage() + " (policy rules: " + String.join(", ", blockingRules) + ")");
    }

    /** A guard for one generation's output (pass-through without a policy). */
    OutputGuard output() {
        return new OutputGuard(policy == null ? null : policy.streamOutput(), this);
    }

    void count(Direction direction, List<Finding> findings) {
        for (Finding f : findings) {
            Counter.builder(FINDINGS).description("Guard policy findings, by direction, rule and action")
                    .tags("direction", name(direction), "rule", f.rule(), "action", f.action().name().toLowerCase(Locale.ROOT), "gen_ai_request_model", modelId)
                    .register(registry).increment();
        }
    }

    void blocked(Direction direction, int n) {
        Counter.builder(BLOCKED).description("Requests the guard policy blocked, by the direction that fired")
                .tags("direction", name(direction), "gen_ai_request_model", modelId).register(registry).increment(n);
    }

    private static String name(Direction d) {
        return d.name().toLowerCase(Locale.ROOT);
    }
}
