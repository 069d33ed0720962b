package dev.vane.jinja;

import dev.vane.model.chat.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/** For templates without a system role: each system message's text opens the next user message, as llama.cpp (minja) does. */
final class SystemMessages {
    private SystemMessages() {}

    static List<ChatMessage> mergedIntoNextUser(List<ChatMessage> messages) {
        List<ChatMessage> out = new ArrayList<>();
        StringBuilder pending = null;
        for (ChatMessage m : messages) {
            if (m.role().equals(ChatMessage.SYSTEM)) {
                pending = pending == null ? new StringBuilder(m.content()) : pending.append("\n").append(m.content());
            } else if (pending != null && m.role().equals(ChatMessage.USER)) {
                out.add(ChatMessage.user(pending.append("\n").append(m.content()).toString()));
                pending = null;
            } else {
                out.add(m);
            }
        }
        if (pending != null) out.add(ChatMessage.user(pending.toString()));  // a trailing system message becomes a user message
        return out;
    }
}
