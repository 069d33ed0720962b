package dev.vane.redteam;

import dev.vane.model.chat.ChatMessage;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One probe under one mutation, ready to send: the case's seeded canary and planted PII, the
 * attack as the mutation rewrote it, the messages, and (for special-token probes) the same
 * messages with every smuggled control-token text defanged, which the targets compare against.
 *
 * @param occurrences how many of the probe's control-token texts the sent attack still carries
 * @param samplingSeed the seed a sampling (non-greedy) target draws this case's reply with
 */
public record Case(int index, Probe probe, String mutation, String variant, String canary, Map<PiiKind, String> planted, String attack,
                   List<ChatMessage> messages, List<ChatMessage> defanged, int occurrences, long samplingSeed) {
    public Case {
        Objects.requireNonNull(probe, "probe must not be null");
        Objects.requireNonNull(mutation, "mutation must not be null");
        planted = Map.copyOf(planted);
        messages = List.copyOf(messages);
        defanged = List.copyOf(defanged);
    }

    /** "suite/probe/mutation", unique over a run. */
    public String id() {
        return probe.key() + "/" + mutation;
    }

    /** The content of the last user message (what a moderator judges the reply against). */
    public String userContent() {
        for (int i = messages.size() - 1; i >= 0; i--) if (messages.get(i).role().equals(ChatMessage.USER)) return messages.get(i).content();
        throw new IllegalStateException("case " + id() + " has no user message");
    }
}
