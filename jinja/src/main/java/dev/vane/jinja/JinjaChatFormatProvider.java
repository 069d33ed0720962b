package dev.vane.jinja;

import dev.vane.model.chat.ChatFormat;
import dev.vane.model.chat.ChatFormatProvider;
import dev.vane.model.chat.ChatMessage;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The ServiceLoader provider the SDK finds: a model's template as a {@link JinjaChatFormat}, when
 * jinjava renders a probe conversation with it; otherwise empty, and the SDK falls back to its
 * built-in formats.
 */
public final class JinjaChatFormatProvider implements ChatFormatProvider {
    private static final List<ChatMessage> PROBE = List.of(ChatMessage.system("s"), ChatMessage.user("u"), ChatMessage.assistant("a"), ChatMessage.user("u"));

    @Override
    public Optional<ChatFormat> create(String source, SpecialTokenTexts tokens, Consumer<String> log) {
        JinjaChatFormat format = new JinjaChatFormat(source, tokens);
        try {
            format.renderText(PROBE, List.of(), true);
            return Optional.of(format);
        } catch (TemplateRenderException first) {
            // Templates without a system role (e.g. Gemma 1) raise on the system message; try without it.
            try {
                format.renderText(PROBE.subList(1, PROBE.size()), List.of(), true);
                return Optional.of(format);
            } catch (RuntimeException e) {
                log.accept(e.getMessage());
                return Optional.empty();
            }
        } catch (RuntimeException e) {
            log.accept("jinjava could not render it: " + e);
            return Optional.empty();
        }
    }
}
