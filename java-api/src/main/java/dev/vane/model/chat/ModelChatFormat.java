package dev.vane.model.chat;

import dev.vane.model.chat.ChatFormatProvider.SpecialTokenTexts;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The chat format of a model, chosen as llama.cpp chooses with --jinja: the model's own template
 * when a {@link ChatFormatProvider} on the class path renders it, else the built-in format its
 * template's markers name, else ChatML (llama.cpp's fallback).
 */
public final class ModelChatFormat {
    private static final System.Logger LOG = System.getLogger(ModelChatFormat.class.getName());

    private ModelChatFormat() {}

    /**
     * @param source the model's template text, or null when its files carry none
     * @param tokens the texts of the model's BOS and EOS tokens
     */
    public static ChatFormat choose(String source, SpecialTokenTexts tokens) {
        if (source != null) {
            for (ChatFormatProvider p : ServiceLoader.load(ChatFormatProvider.class)) {
                Optional<ChatFormat> f = p.create(source, tokens, why -> LOG.log(System.Logger.Level.WARNING,
                        "the model's chat template is not rendered by " + p.getClass().getName() + ", falling back to a built-in format: " + why));
                if (f.isPresent()) return f.get();
            }
            try {
                return ChatTemplate.detect(source);
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, e.getMessage() + "; using chatml, as llama.cpp does");
            }
        }
        return ChatTemplate.CHATML;
    }
}
