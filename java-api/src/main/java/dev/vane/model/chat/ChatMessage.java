package dev.vane.model.chat;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One turn of a conversation: who speaks (system, user, assistant, or tool for a tool's result)
 * and what they say. The content is taken as is; a chat template decides whether surrounding
 * whitespace survives. An assistant message may carry the tool calls it made (its content may
 * then be empty); a tool message carries the result of one call, with the call's id (where the
 * family gives ids) and the tool's name.
 */
public record ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolCallId, String toolName) {
    public static final String SYSTEM = "system";
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";
    public static final String TOOL = "tool";

    private static final Set<String> ROLES = Set.of(SYSTEM, USER, ASSISTANT, TOOL);

    public ChatMessage {
        Objects.requireNonNull(role, "role must not be null");
        Objects.requireNonNull(content, "content must not be null");
        // The templates only know these; any other role would be rendered in a way no model was trained on.
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException("role '" + role + "' is not one of system, user, assistant, tool");
        }
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        if (!toolCalls.isEmpty() && !role.equals(ASSISTANT)) {
            throw new IllegalArgumentException("only an assistant message makes tool calls, this one's role is " + role);
        }
        if ((toolCallId != null || toolName != null) && !role.equals(TOOL)) {
            throw new IllegalArgumentException("a tool call id and tool name belong to a tool message, this one's role is " + role);
        }
    }

    /** A message without tool data. */
    public ChatMessage(String role, String content) {
        this(role, content, List.of(), null, null);
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

    /** An assistant turn that calls tools (content: any text written before the calls, often ""). */
    public static ChatMessage assistant(String content, List<ToolCall> toolCalls) {
        return new ChatMessage(ASSISTANT, content, toolCalls, null, null);
    }

    /** A tool's result for the call toolCallId (null where the family has no ids) of tool toolName. */
    public static ChatMessage toolResult(String toolCallId, String toolName, String content) {
        Objects.requireNonNull(toolName, "toolName must not be null");
        return new ChatMessage(TOOL, content, List.of(), toolCallId, toolName);
    }

    /** Whether this message carries tool data (a tool call or a tool result). */
    public boolean hasToolData() {
        return !toolCalls.isEmpty() || role.equals(TOOL);
    }
}
