package dev.vane.model.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns generated tokens into text as they come: a UTF-8 character split over several byte
 * tokens is held back until it is complete; bytes that can never form one become U+FFFD.
 * Not thread-safe (one per generation).
 */
public final class TextStream {
    private final Tokenizer tokenizer;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private boolean atStart;

    /** With skipLeadingSpace, a space at the very start is dropped (SentencePiece's added prefix). */
    public TextStream(Tokenizer tokenizer, boolean skipLeadingSpace) {
        this.tokenizer = tokenizer;
        this.atStart = skipLeadingSpace;
    }

    /** The text token id completes (possibly empty). */
    public String next(int id) {
        pending.writeBytes(tokenizer.tokenBytes(id));
        ByteBuffer in = ByteBuffer.wrap(pending.toByteArray());
        CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
        utf8.reset();
        CoderResult r = utf8.decode(in, out, false);
        if (r.isError()) throw new IllegalStateException(r.toString());
        pending.reset();
        pending.write(in.array(), in.position(), in.remaining());  // an incomplete character's bytes wait for the next token
        String s = out.flip().toString();
        if (atStart && !s.isEmpty()) {
            atStart = false;
            if (s.startsWith(" ")) s = s.substring(1);
        }
        return s;
    }

    /** What is left at the end (an incomplete character becomes U+FFFD). */
    public String finish() {
        if (pending.size() == 0) return "";
        String s = new String(pending.toByteArray(), StandardCharsets.UTF_8);
        pending.reset();
        return s;
    }
}
