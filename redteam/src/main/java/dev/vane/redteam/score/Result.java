package dev.vane.redteam.score;

import dev.vane.redteam.Case;
import dev.vane.redteam.targets.Reply;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A scored case: what was sent and answered, the verdict and why, each check's scores (an ordered
 * map, written to the report as it is), what the guard's detectors found in the reply's views and
 * in the messages sent, and the refusal phrase the reply holds, if any.
 */
public record Result(Case kase, Reply reply, Verdict verdict, String reason, Map<String, Object> scores, List<Detection> findings,
                     List<Detection> inputFindings, Optional<String> refusal) {
    public Result {
        Objects.requireNonNull(kase, "kase must not be null");
        Objects.requireNonNull(reply, "reply must not be null");
        Objects.requireNonNull(verdict, "verdict must not be null");
        Objects.requireNonNull(reason, "reason must not be null");
        scores = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(scores));
        findings = List.copyOf(findings);
        inputFindings = List.copyOf(inputFindings);
        Objects.requireNonNull(refusal, "refusal must not be null");
    }
}
