package dev.vane.server;

import dev.vane.model.GeneratedToken;
import dev.vane.model.GenerationResult;
import java.util.ArrayList;
import java.util.List;

/**
 * A reply as an endpoint sends it: pieces of text, each with the tokens drawn since the last one,
 * then the end. A {@link Generating} on the scheduler, or a {@link Refusal} of the guard policy.
 */
interface Reply extends AutoCloseable {
    /** Text to send and the tokens it came from (their log probabilities, when asked for). */
    record Piece(String text, List<GeneratedToken> tokens) {}

    /** How it ended: the last piece (possibly empty), the result, and OpenAI's finish reason. */
    record End(Piece last, GenerationResult result, String finishReason) {}

    /** The next piece, waiting for it; null once the reply has ended (then {@link #end()}). */
    Piece next();

    /** After {@link #next()} returned null: the rest of the text, the result, the finish reason. */
    End end();

    /** All pieces and the end at once (a response in one body): the text joined, every token. */
    default End all() {
        StringBuilder text = new StringBuilder();
        List<GeneratedToken> tokens = new ArrayList<>();
        for (Piece p; (p = next()) != null; ) {
            text.append(p.text());
            tokens.addAll(p.tokens());
        }
        End end = end();
        text.append(end.last().text());
        tokens.addAll(end.last().tokens());
        return new End(new Piece(text.toString(), tokens), end.result(), end.finishReason());
    }

    @Override
    void close();
}
