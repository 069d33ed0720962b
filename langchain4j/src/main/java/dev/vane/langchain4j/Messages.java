package dev.vane.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ToolCall;
import java.util.ArrayList;
import java.util.List;

/** LangChain4j's messages as Vane's: text, tool calls and tool results, in the roles a chat template knows. */
final class Messages {
    private Messages() {}

    static List<ChatMessage> toVane(List<dev.langchain4j.data.message.ChatMessage> messages) {
        if (messages == null || messages.isEmpty()) throw new IllegalArgumentException("a chat request needs at least one message, got none");
        List<ChatMessage> out = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) out.add(toVane(messages.get(i), i));
        return out;
    }

    private static ChatMessage toVane(dev.langchain4j.data.message.ChatMessage m, int index) {
        if (m instanceof SystemMessage s) return ChatMessage.system(s.text());
        if (m instanceof UserMessage u) {
            if (!u.hasSingleText()) {
                throw new UnsupportedFeatureException("message " + index + ": Vane's models read text only; this user message has "
                        + u.contents().size() + " contents of types " + u.contents().stream().map(c -> c.type().toString()).toList());
            }
            return ChatMessage.user(u.singleText());
        }
        if (m instanceof AiMessage a) {
            String text = a.text() == null ? "" : a.text();
            if (!a.hasToolExecutionRequests()) return ChatMessage.assistant(text);
            List<ToolCall> calls = new ArrayList<>();
            for (ToolExecutionRequest r : a.toolExecutionRequests()) calls.add(new ToolCall(r.id(), r.name(), r.arguments() == null ? "{}" : r.arguments()));
            return ChatMessage.assistant(text, calls);
        }
        if (m instanceof ToolExecutionResultMessage t) return ChatMessage.toolResult(t.id(), t.toolName(), t.text());
        throw new UnsupportedFeatureException("message " + index + ": messages of type " + m.type()
                + " are not supported; expected SYSTEM, USER, AI or TOOL_EXECUTION_RESULT");
    }
}
