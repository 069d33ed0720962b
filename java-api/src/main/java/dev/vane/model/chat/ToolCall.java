package dev.vane.model.chat;

import java.util.Objects;

/**
 * A call of a tool the assistant asked for: the call's id (null where the family writes none,
 * e.g. Llama 3.1 and Hermes), the tool's name and its arguments as JSON text (an object).
 */
public record ToolCall(String id, String name, String arguments) {
    public ToolCall {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(arguments, "arguments must not be null (use \"{}\" for none)");
        if (name.isBlank()) throw new IllegalArgumentException("a tool call needs a tool name, got a blank one");
    }
}
