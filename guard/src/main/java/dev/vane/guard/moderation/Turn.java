package dev.vane.guard.moderation;

import java.util.Objects;

/** One message of the conversation a moderator judges: who said it and what. */
public record Turn(Role role, String text) {
    /** Llama Guard's two roles: the user, and the model being moderated ("Agent" in its prompt). */
    public enum Role { USER, AGENT }

    public Turn {
        Objects.requireNonNull(role, "role must not be null");
        Objects.requireNonNull(text, "text must not be null");
    }

    public static Turn user(String text) {
        return new Turn(Role.USER, text);
    }

    public static Turn agent(String text) {
        return new Turn(Role.AGENT, text);
    }
}
