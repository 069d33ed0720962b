package dev.vane.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.vane.model.chat.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/** LangChain4j's messages as Vane's: text only, in the roles a chat template knows. */
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
            if (a.hasToolExecutionRequests()) throw new UnsupportedFeatureException("message " + index + ": tool calls are not supported yet");
            return ChatMessage.assistant(a.text() == null ? "" : a.text());
        }
        throw new UnsupportedFeatureException("message " + index + ": messages of type " + m.type() + " are not supported; expected SYSTEM, USER or AI");
    }
}
