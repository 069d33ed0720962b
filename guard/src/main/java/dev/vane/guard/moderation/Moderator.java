package dev.vane.guard.moderation;

import java.util.List;

/**
 * Judges the last turn of a conversation (a user prompt when it is the user's, a reply when it is
 * the agent's). Implementations say whether they are thread-safe.
 */
public interface Moderator {
    Moderation moderate(List<Turn> conversation);

    /** A prompt alone. */
    default Moderation moderateInput(String prompt) {
        return moderate(List.of(Turn.user(prompt)));
    }

    /** A reply to a prompt. */
    default Moderation moderateOutput(String prompt, String reply) {
        return moderate(List.of(Turn.user(prompt), Turn.agent(reply)));
    }
}
