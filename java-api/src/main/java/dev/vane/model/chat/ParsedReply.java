package dev.vane.model.chat;

import java.util.List;

/** A model's reply split into its text and the tool calls it made (none when it just answered). */
public record ParsedReply(String content, List<ToolCall> toolCalls) {
    public ParsedReply {
        toolCalls = List.copyOf(toolCalls);
    }
}
