package dev.vane.model.chat;

import java.util.Objects;
import java.util.Set;

/**
 * One turn of a conversation: who speaks (system, user or assistant) and what they say. The
 * content is taken as is; a chat template decides whether surrounding whitespace survives.
 */
public record ChatMessage(String role, String content) {
    public static final String SYSTEM = "system";
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";

    private static final Set<String> ROLES = Set.of(SYSTEM, USER, ASSISTANT);

    public ChatMessage {
        Objects.requireNonNull(role, "role must not be null");
        Objects.requireNonNull(content, "content must not be null");
        // The templates only know these three; any other role would be rendered in a way no model was trained on.
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException("role '" + role + "' is not one of system, user, assistant");
        }
    }

    public static ChatMessage system(String content) {
        return new ChatMessage(SYSTEM, content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(USER, content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(ASSISTANT, content);
    }
}
