package dev.vane.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vane.jinja.JinjaChatFormat;
import dev.vane.model.chat.ChatFormatProvider.SpecialTokenTexts;
import dev.vane.model.chat.ChatMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A fuzzed chat template source rendering a fixed conversation: text, or an
 * IllegalArgumentException (TemplateRenderException is one) saying why; never another exception
 * or a hang. One fuzz test per class: Jazzer fuzzes one per JVM.
 */
class ChatTemplateSourceFuzzTest {
    private static final SpecialTokenTexts TOKENS = new SpecialTokenTexts("<s>", "</s>");
    private static final List<ChatMessage> CHAT = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"),
            new ChatMessage(ChatMessage.ASSISTANT, "Hello."), ChatMessage.user("2+2?"));

    @FuzzTest(maxDuration = "10s")
    void template(byte[] bytes) {
        String source = new String(bytes, StandardCharsets.UTF_8);
        try {
            new JinjaChatFormat(source, TOKENS).renderText(CHAT, List.of(), true);
        } catch (IllegalArgumentException e) {
            Refusals.requireMessage(e);
        }
    }
}
