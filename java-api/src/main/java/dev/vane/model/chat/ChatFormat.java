package dev.vane.model.chat;

import java.util.List;

/**
 * What renders a conversation for a model: the built-in {@link ChatTemplate}s, or the model's own
 * Jinja template when a {@link ChatFormatProvider} (module vane-jinja) is on the class path.
 */
public interface ChatFormat {
    /** A short name for messages and logs (e.g. "chatml", "jinja"). */
    String formatName();

    /**
     * The prompt for messages, with tools offered to the model (empty for none) and, when
     * addGenerationPrompt, the header that opens the assistant's reply.
     *
     * @throws IllegalArgumentException when the format cannot render these messages or tools (the
     *     message says why, e.g. a template's raise_exception)
     */
    ChatPrompt render(List<ChatMessage> messages, List<ToolSpec> tools, boolean addGenerationPrompt);

    /** How the model writes a tool call in its reply ({@link ToolCallFormat#NONE} if this format knows none). */
    ToolCallFormat toolCallFormat();

    /** The texts of the tokens that end the assistant's turn (see {@link ChatTemplate#stopTokens()}). */
    List<String> stopTokens();
}
