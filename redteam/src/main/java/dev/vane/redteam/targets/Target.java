package dev.vane.redteam.targets;

import dev.vane.model.chat.ChatMessage;
import java.util.List;
import java.util.Optional;

/** What a red-team run attacks: a model in this process, or an OpenAI-compatible endpoint. */
public interface Target extends AutoCloseable {
    /** For the report, e.g. "in-process (chatml)" or "endpoint http://127.0.0.1:8080/v1/chat/completions". */
    String describe();

    /** The model's name, for the report. */
    String model();

    /**
     * The reply to a conversation. A refusal of this one case comes back as {@link Reply#failed};
     *
     * @throws TargetException when the target cannot answer at all
     */
    Reply chat(List<ChatMessage> messages, Decoding decoding, long seed);

    /**
     * Whether the control-token text in sent (occurrences of it) became control tokens, judged
     * against the defanged messages, which say the same with every such text broken; empty when the
     * target cannot tell.
     *
     * @param reply the target's reply to sent
     */
    Optional<TokenEvidence> controlTokens(List<ChatMessage> sent, Reply reply, List<ChatMessage> defanged, int occurrences);

    @Override
    default void close() {}
}
