package dev.vane.guard.moderation;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A moderator whose answers are scripted (a Llama Guard answer text per last-turn text, read by
 * the real parser), recording each conversation it was asked about: how the policy side is tested
 * without a trained guard model.
 */
final class ScriptedModerator implements Moderator {
    private final Function<String, String> answer;
    final List<List<Turn>> asked = new ArrayList<>();

    ScriptedModerator(Function<String, String> answer) {
        this.answer = answer;
    }

    /** "unsafe\nS1" for texts with "knife", "unsafe\nS6" with "doctor", "unsafe\nS10,S1" with "insult", "unsafe\nS10" with "slur", "unsafe" with "bad", else "safe". */
    static ScriptedModerator keywords() {
        return new ScriptedModerator(t -> t.contains("knife") ? "unsafe\nS1" : t.contains("doctor") ? "\n\nunsafe\nS6"
                : t.contains("insult") ? "unsafe\nS10, S1" : t.contains("slur") ? "unsafe\nS10" : t.contains("bad") ? "unsafe" : "safe");
    }

    @Override
    public synchronized Moderation moderate(List<Turn> conversation) {
        asked.add(List.copyOf(conversation));
        return LlamaGuardOutput.parse(answer.apply(conversation.getLast().text()));
    }
}
