package dev.vane.model.chat;

import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * gpt-oss's harmony prompt as the model's own chat template (openai/gpt-oss-20b's
 * chat_template.jinja) renders a conversation without tools: a system header (model identity,
 * knowledge cutoff, the current date, the reasoning effort and the valid channels), a first system
 * message as the developer's instructions, user turns, and earlier answers on the final channel:
 *
 * <pre>
 * &lt;|start|&gt;system&lt;|message|&gt;You are ChatGPT, ... Reasoning: medium ...&lt;|end|&gt;
 * &lt;|start|&gt;developer&lt;|message|&gt;# Instructions\n\n{system}\n\n&lt;|end|&gt;
 * &lt;|start|&gt;user&lt;|message|&gt;{user}&lt;|end|&gt;
 * &lt;|start|&gt;assistant&lt;|channel|&gt;final&lt;|message|&gt;{answer}&lt;|end|&gt;
 * ...
 * &lt;|start|&gt;assistant
 * </pre>
 *
 * (shown on several lines; the prompt has no newlines between messages). This is the prompt
 * llama.cpp gives gpt-oss when it runs the Jinja template; {@link ChatTemplate#GPT_OSS} is its
 * simpler built-in one. The model answers on its channels ("<|channel|>analysis<|message|>...
 * <|end|><|start|>assistant<|channel|>final<|message|>...") and ends with <|return|> (or <|call|>
 * for a tool call); the stop tokens are those of {@link ChatTemplate#GPT_OSS}.
 */
public final class Harmony {
    /** The reasoning effort the system header asks for. */
    public enum Reasoning { LOW, MEDIUM, HIGH }

    static final String IDENTITY = "You are ChatGPT, a large language model trained by OpenAI.";

    private Harmony() {}

    /**
     * The prompt for messages. A system message first becomes the developer's instructions; a
     * later one is left out, as the template leaves it out. With addGenerationPrompt the prompt
     * ends with "<|start|>assistant" for the model to go on; without it a final answer is closed
     * by <|return|> (the training form), earlier ones always by <|end|>.
     */
    public static String render(List<ChatMessage> messages, boolean addGenerationPrompt, Reasoning reasoning, LocalDate today) {
        Objects.requireNonNull(messages, "messages must not be null");
        Objects.requireNonNull(reasoning, "reasoning must not be null");
        Objects.requireNonNull(today, "today must not be null");
        if (messages.isEmpty()) throw new IllegalArgumentException("a chat needs at least one message, got none");
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i) == null) throw new IllegalArgumentException("message " + i + " is null");
        }
        StringBuilder s = new StringBuilder("<|start|>system<|message|>").append(IDENTITY).append('\n')
                .append("Knowledge cutoff: 2024-06\n").append("Current date: ").append(today).append("\n\n")
                .append("Reasoning: ").append(reasoning.name().toLowerCase(Locale.ROOT)).append("\n\n")
                .append("# Valid channels: analysis, commentary, final. Channel must be included for every message.<|end|>");
        int first = 0;
        if (messages.get(0).role().equals(ChatMessage.SYSTEM)) {
            first = 1;
            String developer = messages.get(0).content();
            if (!developer.isEmpty()) s.append("<|start|>developer<|message|># Instructions\n\n").append(developer).append("\n\n<|end|>");
        }
        for (int i = first; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            switch (m.role()) {
                case ChatMessage.USER -> s.append("<|start|>user<|message|>").append(m.content()).append("<|end|>");
                case ChatMessage.ASSISTANT -> s.append("<|start|>assistant<|channel|>final<|message|>").append(m.content())
                        .append(i == messages.size() - 1 && !addGenerationPrompt ? "<|return|>" : "<|end|>");
                default -> { }  // a system message after the first: the template renders none
            }
        }
        if (addGenerationPrompt) s.append("<|start|>assistant");
        return s.toString();
    }
}
