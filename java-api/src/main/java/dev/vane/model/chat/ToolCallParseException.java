package dev.vane.model.chat;

/** A reply that starts a tool call in its family's syntax but does not finish a valid one. */
public class ToolCallParseException extends IllegalArgumentException {
    public ToolCallParseException(String message) {
        super(message);
    }
}
