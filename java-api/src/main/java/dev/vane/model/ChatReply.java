package dev.vane.model;

import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ChatTemplate;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One reply to a conversation, as a framework adapter asks for it: the messages rendered in the
 * model's chat format (ChatML when its files name none Vane renders, as llama.cpp falls back), run
 * in a fresh session of contextLength tokens, the reply generated and cut before the first stop
 * sequence. The text is the reply as sent; stopSequenceFound tells a stop sequence apart from the
 * result's own stop reason.
 */
public record ChatReply(String text, GenerationResult result, boolean stopSequenceFound) {

    /** The chat format {@link #generate} renders a model's conversations in. */
    public static ChatTemplate formatOf(Model model) {
        return model.chatTemplate().orElse(ChatTemplate.CHATML);
    }

    /**
     * Generates the reply. maxTokens null means as many as the context leaves; grammar, when not
     * null, constrains the reply ({@link GenerationOptions#withGrammar}); onText gets each piece of
     * text once the stop sequences let it through; cancelled is asked once a token.
     *
     * @throws IllegalArgumentException if the prompt leaves no room in contextLength
     */
    public static ChatReply generate(Model model, int contextLength, List<ChatMessage> messages, Sampling sampling, Integer maxTokens, List<String> stops,
            dev.vane.model.grammar.Grammar grammar, Consumer<String> onText, BooleanSupplier cancelled) {
        Objects.requireNonNull(model, "model must not be null");
        Objects.requireNonNull(sampling, "sampling must not be null");
        Objects.requireNonNull(onText, "onText must not be null");
        Objects.requireNonNull(cancelled, "cancelled must not be null");
        if (maxTokens != null && maxTokens < 1) throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
        int[] ids = model.tokenizer().encode(formatOf(model).render(messages, true), true);
        if (ids.length >= contextLength) {
            throw new IllegalArgumentException("the prompt is " + ids.length + " tokens, which leaves no room in the context of " + contextLength
                    + " tokens; shorten the conversation or use a larger context length");
        }
        int room = contextLength - ids.length;
        GenerationOptions options = new GenerationOptions(maxTokens == null ? room : Math.min(maxTokens, room), sampling, false, false).withGrammar(grammar);
        StopSequences stopper = new StopSequences(stops);
        StringBuilder text = new StringBuilder();
        Consumer<String> send = piece -> {
            if (piece.isEmpty()) return;
            text.append(piece);
            onText.accept(piece);
        };
        GenerationResult result;
        try (Session session = model.newSession(SessionOptions.defaults(model.config()).withContextLength(contextLength))) {
            result = session.generate(ids, options, t -> {
                send.accept(stopper.add(t.text()));
                return !stopper.stopped() && !cancelled.getAsBoolean();
            });
        }
        send.accept(stopper.flush());
        return new ChatReply(text.toString(), result, stopper.stopped());
    }
}
