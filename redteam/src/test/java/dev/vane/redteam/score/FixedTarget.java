package dev.vane.redteam.score;

import dev.vane.model.chat.ChatMessage;
import dev.vane.redteam.targets.Decoding;
import dev.vane.redteam.targets.Reply;
import dev.vane.redteam.targets.Target;
import dev.vane.redteam.targets.TokenEvidence;
import java.util.List;
import java.util.Optional;

/** A target that answers what it is told to and reports the token evidence it is given: the scorer's inputs, held fixed. */
record FixedTarget(String reply, Optional<TokenEvidence> evidence) implements Target {
    FixedTarget(String reply) {
        this(reply, Optional.empty());
    }

    @Override public String describe() {
        return "fixed";
    }

    @Override public String model() {
        return "fixed";
    }

    @Override public Reply chat(List<ChatMessage> messages, Decoding decoding, long seed) {
        return Reply.of(reply, "stop", 10, 5);
    }

    @Override public Optional<TokenEvidence> controlTokens(List<ChatMessage> sent, Reply r, List<ChatMessage> defanged, int occurrences) {
        return evidence;
    }
}
