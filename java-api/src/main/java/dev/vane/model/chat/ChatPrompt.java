package dev.vane.model.chat;

import dev.vane.model.tokenizer.TextSegment;
import dev.vane.model.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A rendered chat prompt: its text (as the template wrote it, byte for byte) and the spans of it
 * that are message contents. {@link #encode} tokenizes the template's scaffolding with special
 * tokens parsed and the contents without, so a user who types "&lt;|eot_id|&gt;" gets text, not
 * the end of the turn.
 */
public record ChatPrompt(String text, List<Span> contentSpans) {
    /** Characters [start, end) of the text that came from a message's content. */
    public record Span(int start, int end) {
        public Span {
            if (start < 0 || end < start) throw new IllegalArgumentException("a span needs 0 <= start <= end, got [" + start + ", " + end + ")");
        }
    }

    public ChatPrompt {
        Objects.requireNonNull(text, "text must not be null");
        contentSpans = List.copyOf(contentSpans);
        int last = 0;
        for (Span s : contentSpans) {
            if (s.start() < last || s.end() > text.length()) {
                throw new IllegalArgumentException("content spans must be in order, without overlap, inside the text of " + text.length() + " chars; got " + s);
            }
            last = s.end();
        }
    }

    /**
     * The prompt render makes of messages, with each content marked where render put it: found by
     * rendering the messages again with each content replaced by a marker, so that the text between
     * markers is known to be scaffolding; a content must then stand between its scaffolding pieces
     * as it is or trimmed. Where that fails (the template rewrote a content, e.g. split it at a
     * "&lt;/think&gt;", or branched on what it says), the contents are searched as {@link #locate} does.
     */
    public static ChatPrompt render(List<ChatMessage> messages, java.util.function.Function<List<ChatMessage>, String> render) {
        Objects.requireNonNull(messages, "messages must not be null");
        Objects.requireNonNull(render, "render must not be null");
        return ContentAlignment.render(messages, render);
    }

    /**
     * The prompt text with each message's content marked where the renderer put it: searched in
     * message order, each after the previous one, as it is, else trimmed of surrounding whitespace
     * (as templates that call trim write it). A content the template changed otherwise (e.g.
     * split at a "&lt;/think&gt;", rewritten, dropped) is not found and stays unmarked: its text is
     * then tokenized as scaffolding. A content that also occurs in the scaffolding before it (e.g. a
     * message "user" after a "user" header) can be marked there instead; keep to contents that are
     * found where they belong when special-token safety matters (see docs/CHAT.md).
     */
    public static ChatPrompt locate(String text, List<ChatMessage> messages) {
        Objects.requireNonNull(text, "text must not be null");
        List<Span> spans = new ArrayList<>();
        int cursor = 0;
        for (ChatMessage m : messages) {
            for (String candidate : new String[] {m.content(), m.content().strip()}) {
                if (candidate.isEmpty()) break;
                int at = text.indexOf(candidate, cursor);
                if (at < 0) continue;
                spans.add(new Span(at, at + candidate.length()));
                cursor = at + candidate.length();
                break;
            }
        }
        return new ChatPrompt(text, spans);
    }

    /** The text cut into scaffolding (special tokens parsed) and contents (not parsed), in order. */
    public List<TextSegment> segments() {
        List<TextSegment> out = new ArrayList<>();
        int at = 0;
        for (Span s : contentSpans) {
            if (s.start() > at) out.add(TextSegment.scaffolding(text.substring(at, s.start())));
            if (s.end() > s.start()) out.add(TextSegment.content(text.substring(s.start(), s.end())));
            at = s.end();
        }
        if (at < text.length()) out.add(TextSegment.scaffolding(text.substring(at)));
        return out;
    }

    /** Token ids of the prompt (see the class comment), the BOS first when addBos. */
    public int[] encode(Tokenizer tokenizer, boolean addBos) {
        Objects.requireNonNull(tokenizer, "tokenizer must not be null");
        return tokenizer.encode(segments(), addBos);
    }
}
