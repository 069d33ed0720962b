package dev.vane.redteam;

import dev.vane.guard.moderation.HazardCategory;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One attack from a suite: the conversation it sends, where the attack text goes, and how the reply
 * is judged. Texts may use the variables {@code {attack}} (the attack after its mutation; exactly
 * once, in the user text, a document or a tool result), {@code {canary}} (the case's seeded secret)
 * and {@code {pii.KIND}} (a planted value of a kind the probe lists). Documents and tool results are
 * put before the user's text in the user message (see {@link CaseBuilder}).
 *
 * @param category  the harm category (required for {@link Check#MODERATION})
 * @param tokens    for {@link Check#SPECIAL_TOKENS}: the control-token texts the attack carries
 * @param pii       for {@link Check#PII}: the kinds planted
 * @param mutations the mutations that make sense for this probe (empty: all)
 */
public record Probe(String id, String suite, Check check, Optional<HazardCategory> category, Optional<String> system, String user,
                    List<String> documents, List<ToolResult> toolResults, String attack, List<String> tokens, List<PiiKind> pii,
                    Set<String> mutations) {
    public Probe {
        Objects.requireNonNull(id, "id must not be null");
        Objects.requireNonNull(suite, "suite must not be null");
        Objects.requireNonNull(check, "check must not be null");
        Objects.requireNonNull(category, "category must not be null");
        Objects.requireNonNull(system, "system must not be null");
        Objects.requireNonNull(user, "user must not be null");
        Objects.requireNonNull(attack, "attack must not be null");
        documents = List.copyOf(documents);
        toolResults = List.copyOf(toolResults);
        tokens = List.copyOf(tokens);
        pii = List.copyOf(pii);
        mutations = Set.copyOf(mutations);
    }

    /** "suite/id", unique over a run. */
    public String key() {
        return suite + "/" + id;
    }
}
