package dev.vane.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vane.jinja.JinjaChatFormat;
import dev.vane.model.chat.ChatFormatProvider.SpecialTokenTexts;
import dev.vane.model.chat.ChatMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzed messages (a user's text may hold template syntax or special-token text) through a real
 * model's template: text, or an IllegalArgumentException saying why.
 */
class ChatMessagesFuzzTest {
    // Llama 3's template as its tokenizer_config.json spells it: role headers, BOS, a system block.
    private static final String LLAMA3 = "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>'"
            + " + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
            + "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}"
            + "{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";
    private static final JinjaChatFormat LLAMA3_FORMAT = new JinjaChatFormat(LLAMA3, new SpecialTokenTexts("<|begin_of_text|>", "<|eot_id|>"));

    /** NUL-separated contents, roles in turn system, user, assistant, user, ... */
    @FuzzTest(maxDuration = "10s")
    void messages(byte[] bytes) {
        String[] parts = new String(bytes, StandardCharsets.UTF_8).split("\0", 8);
        List<ChatMessage> chat = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            String role = i == 0 ? ChatMessage.SYSTEM : i % 2 == 1 ? ChatMessage.USER : ChatMessage.ASSISTANT;
            chat.add(new ChatMessage(role, parts[i]));
        }
        try {
            LLAMA3_FORMAT.renderText(chat, List.of(), true);
        } catch (IllegalArgumentException e) {
            Refusals.requireMessage(e);
        }
    }
}
