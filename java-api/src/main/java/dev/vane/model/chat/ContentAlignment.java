package dev.vane.model.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds where a renderer put each message's content by rendering the conversation a second time
 * with every content replaced by a marker (private-use characters and the message's index): the
 * text between the markers is the template's scaffolding, so the real text must be those pieces
 * with a content (as it is, or trimmed) between each two. Where the real text is not that (the
 * template changed a content otherwise, or took another branch because of what a content says),
 * the caller falls back to searching the contents in order.
 */
final class ContentAlignment {
    private ContentAlignment() {}

    private static final Pattern MARKER = Pattern.compile("\uE000(\\d+)\uE001");

    static String marker(int message) {
        return "\uE000" + message + "\uE001";
    }

    /** The messages with each content replaced by its marker (tool data kept). */
    static List<ChatMessage> markers(List<ChatMessage> messages) {
        List<ChatMessage> out = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            out.add(new ChatMessage(m.role(), marker(i), m.toolCalls(), m.toolCallId(), m.toolName()));
        }
        return out;
    }

    /** The content spans of text, or null when it does not follow skeleton (see the class comment). */
    static List<ChatPrompt.Span> align(String text, String skeleton, List<ChatMessage> messages) {
        List<String> scaffolding = new ArrayList<>();
        List<Integer> owners = new ArrayList<>();
        Matcher m = MARKER.matcher(skeleton);
        int last = 0;
        while (m.find()) {
            scaffolding.add(skeleton.substring(last, m.start()));
            int owner = Integer.parseInt(m.group(1));
            if (owner >= messages.size()) return null;
            owners.add(owner);
            last = m.end();
        }
        scaffolding.add(skeleton.substring(last));
        List<ChatPrompt.Span> spans = new ArrayList<>();
        int at = 0;
        for (int k = 0; k < owners.size(); k++) {
            if (!text.startsWith(scaffolding.get(k), at)) return null;
            at += scaffolding.get(k).length();
            String content = messages.get(owners.get(k)).content(), next = scaffolding.get(k + 1);
            String found = null;
            for (String c : new String[] {content, content.strip(), content.stripLeading(), content.stripTrailing()}) {
                if (text.startsWith(c, at) && text.startsWith(next, at + c.length())) {
                    found = c;
                    break;
                }
            }
            if (found == null) return null;
            if (!found.isEmpty()) spans.add(new ChatPrompt.Span(at, at + found.length()));
            at += found.length();
        }
        return text.substring(at).equals(scaffolding.getLast()) ? spans : null;
    }

    /** The prompt render makes of messages, its contents aligned, or searched when they do not align. */
    static ChatPrompt render(List<ChatMessage> messages, Function<List<ChatMessage>, String> render) {
        String text = render.apply(messages);
        String skeleton;
        try {
            skeleton = render.apply(markers(messages));
        } catch (RuntimeException e) {
            return ChatPrompt.locate(text, messages);  // the template refused the markers (e.g. it inspects contents)
        }
        List<ChatPrompt.Span> spans = align(text, skeleton, messages);
        return spans != null ? new ChatPrompt(text, spans) : ChatPrompt.locate(text, messages);
    }
}
