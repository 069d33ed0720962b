package dev.vane.model.chat;

import java.util.List;

/**
 * The prompt text of each chat format, written to produce byte for byte what llama.cpp's built-in
 * (non-Jinja) templates produce (llm_chat_apply_template in src/llama-chat.cpp), quirks included:
 * some formats trim contents and others keep them verbatim, Llama 2 and Mistral never add an
 * assistant prompt, and none of them adds the BOS token (the tokenizer does).
 */
final class Formats {
    private Formats() {}

    static String chatml(List<ChatMessage> chat, boolean addAssistant) {
        StringBuilder s = new StringBuilder();
        for (ChatMessage m : chat) s.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
        if (addAssistant) s.append("<|im_start|>assistant\n");
        return s.toString();
    }

    static String llama3(List<ChatMessage> chat, boolean addAssistant) {
        StringBuilder s = new StringBuilder();
        for (ChatMessage m : chat) {
            s.append("<|start_header_id|>").append(m.role()).append("<|end_header_id|>\n\n").append(trim(m.content())).append("<|eot_id|>");
        }
        if (addAssistant) s.append("<|start_header_id|>assistant<|end_header_id|>\n\n");
        return s.toString();
    }

    /**
     * Llama 2: "[INST] user [/INST]answer</s>[INST] ...". systemTags: wrap a system message in
     * <<SYS>> (without them it is kept as a plain line); bosInside: open later turns with "<s>";
     * strip: trim every content.
     */
    static String llama2(List<ChatMessage> chat, boolean systemTags, boolean bosInside, boolean strip) {
        StringBuilder s = new StringBuilder("[INST] ");
        boolean insideTurn = true;  // the first "[INST] " is already written (its BOS comes from the tokenizer)
        for (ChatMessage m : chat) {
            String content = strip ? trim(m.content()) : m.content();
            if (!insideTurn) {
                insideTurn = true;
                s.append(bosInside ? "<s>[INST] " : "[INST] ");
            }
            switch (m.role()) {
                case ChatMessage.SYSTEM -> {
                    if (systemTags) s.append("<<SYS>>\n").append(content).append("\n<</SYS>>\n\n");
                    else s.append(content).append('\n');
                }
                case ChatMessage.USER -> s.append(content).append(" [/INST]");
                default -> {
                    s.append(content).append("</s>");
                    insideTurn = false;
                }
            }
        }
        return s.toString();
    }

    /**
     * Mistral v1/v3/v3-tekken: a system message opens the [INST] block it shares with the next user
     * message. v1 puts a space before [INST] and [/INST]; tekken has no space after [INST] nor before
     * an answer; v3 trims answers.
     */
    static String mistral(List<ChatMessage> chat, String leadingSpace, String trailingSpace, boolean trimAnswers) {
        StringBuilder s = new StringBuilder();
        boolean insideTurn = false;
        for (ChatMessage m : chat) {
            if (!insideTurn) {
                s.append(leadingSpace).append("[INST]").append(trailingSpace);
                insideTurn = true;
            }
            switch (m.role()) {
                case ChatMessage.SYSTEM -> s.append(m.content()).append("\n\n");
                case ChatMessage.USER -> s.append(m.content()).append(leadingSpace).append("[/INST]");
                default -> {
                    s.append(trailingSpace).append(trimAnswers ? trim(m.content()) : m.content()).append("</s>");
                    insideTurn = false;
                }
            }
        }
        return s.toString();
    }

    /** Mistral v7: system prompts get their own [SYSTEM_PROMPT] block. */
    static String mistralV7(List<ChatMessage> chat) {
        StringBuilder s = new StringBuilder();
        for (ChatMessage m : chat) {
            switch (m.role()) {
                case ChatMessage.SYSTEM -> s.append("[SYSTEM_PROMPT] ").append(m.content()).append("[/SYSTEM_PROMPT]");
                case ChatMessage.USER -> s.append("[INST] ").append(m.content()).append("[/INST]");
                default -> s.append(' ').append(m.content()).append("</s>");
            }
        }
        return s.toString();
    }

    static String zephyr(List<ChatMessage> chat, boolean addAssistant) {
        StringBuilder s = new StringBuilder();
        for (ChatMessage m : chat) s.append("<|").append(m.role()).append("|>\n").append(m.content()).append("<|endoftext|>\n");
        if (addAssistant) s.append("<|assistant|>\n");
        return s.toString();
    }

    /**
     * Gemma has no system role: the system content (trimmed) opens the next user turn, followed by
     * a blank line. The assistant is called "model". Several system messages before a user turn
     * are joined without a separator, as llama.cpp of August 2026 joins them (its versions of early
     * 2025 kept only the last).
     */
    static String gemma(List<ChatMessage> chat, boolean addAssistant) {
        StringBuilder s = new StringBuilder();
        String system = "";
        for (ChatMessage m : chat) {
            if (m.role().equals(ChatMessage.SYSTEM)) {
                system += trim(m.content());
                continue;
            }
            boolean model = m.role().equals(ChatMessage.ASSISTANT);
            s.append("<start_of_turn>").append(model ? "model" : m.role()).append('\n');
            if (!system.isEmpty() && !model) {
                s.append(system).append("\n\n");
                system = "";
            }
            s.append(trim(m.content())).append("<end_of_turn>\n");
        }
        if (addAssistant) s.append("<start_of_turn>model\n");
        return s.toString();
    }

    /** Phi-3: every message as <|role|>\n content <|end|>\n, contents as they are. */
    static String phi3(List<ChatMessage> chat, boolean addAssistant) {
        StringBuilder s = new StringBuilder();
        for (ChatMessage m : chat) s.append("<|").append(m.role()).append("|>\n").append(m.content()).append("<|end|>\n");
        if (addAssistant) s.append("<|assistant|>\n");
        return s.toString();
    }

    /** gpt-oss (llama.cpp's built-in harmony): <|start|>role<|message|>content, then <|return|> after an answer, <|end|> after the rest. */
    static String gptOss(List<ChatMessage> chat, boolean addAssistant) {
        StringBuilder s = new StringBuilder();
        for (ChatMessage m : chat) {
            s.append("<|start|>").append(m.role()).append("<|message|>").append(m.content());
            s.append(m.role().equals(ChatMessage.ASSISTANT) ? "<|return|>" : "<|end|>");
        }
        if (addAssistant) s.append("<|start|>assistant");
        return s.toString();
    }

    /**
     * llama.cpp's trim: C isspace in the "C" locale (space, \t, \n, \v, \f, \r) at both ends. Not
     * String.strip (which also removes Unicode spaces such as U+2003) nor String.trim (which
     * removes every control character).
     */
    static String trim(String s) {
        int start = 0, end = s.length();
        while (start < end && isCSpace(s.charAt(start))) start++;
        while (end > start && isCSpace(s.charAt(end - 1))) end--;
        return s.substring(start, end);
    }

    private static boolean isCSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
