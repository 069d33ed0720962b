package dev.vane.langchain4j;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.TokenCountEstimator;
import dev.vane.model.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Token counts from the model's own tokenizer: a text as it would be encoded inside a message
 * (special-token text stays text), messages as the chat format renders them (their scaffolding
 * included, without the BOS and the assistant's opening) — exact for the text, an estimate for a
 * conversation only in that a format may render a message differently next to others.
 */
public final class VaneTokenCountEstimator implements TokenCountEstimator {
    private final Model model;

    public VaneTokenCountEstimator(Model model) {
        this.model = Objects.requireNonNull(model, "model must not be null");
    }

    @Override
    public int estimateTokenCountInText(String text) {
        Objects.requireNonNull(text, "text must not be null");
        return model.tokenizer().encode(text, false, false).length;
    }

    @Override
    public int estimateTokenCountInMessage(ChatMessage message) {
        Objects.requireNonNull(message, "message must not be null");
        return estimateTokenCountInMessages(List.of(message));
    }

    @Override
    public int estimateTokenCountInMessages(Iterable<ChatMessage> messages) {
        Objects.requireNonNull(messages, "messages must not be null");
        List<ChatMessage> list = new ArrayList<>();
        messages.forEach(list::add);
        if (list.isEmpty()) return 0;
        return model.chatFormat().render(Messages.toVane(list), List.of(), false).encode(model.tokenizer(), false).length;
    }
}
