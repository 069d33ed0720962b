package dev.vane.server;

import dev.vane.model.GeneratedToken;
import dev.vane.model.GenerationResult;
import dev.vane.model.Scheduler;
import dev.vane.model.StopSequences;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;

/**
 * One request's generation on the server's scheduler, as an endpoint sends it: pieces of text
 * let through the stop sequences, each with the tokens drawn since the last piece, then the end
 * (the held-back text, the result, the finish reason). The handler's thread takes them as they
 * come; closing cancels the generation if it still runs (a client gone mid-stream) and waits for
 * the scheduler to let go of it.
 */
final class Generating implements AutoCloseable {
    /** Text to send and the tokens it came from (their log probabilities, when asked for). */
    record Piece(String text, List<GeneratedToken> tokens) {}

    /** How it ended: the last piece (possibly empty), the result, and OpenAI's finish reason. */
    record End(Piece last, GenerationResult result, String finishReason) {}

    private static final Object END = new Object();

    private final Scheduler.Ticket ticket;
    private final StopSequences stops;
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final StringBuilder streamed = new StringBuilder();  // every piece drawn, as the result's text starts
    private final List<GeneratedToken> unsent = new ArrayList<>();  // scheduler thread until END
    private boolean ended;

    /** Submits the prompt on the scheduler (a sequence it owns: a prompt that begins as a cached one reuses its KV blocks). */
    Generating(Scheduler scheduler, int[] prompt, GenerationParams params, Instant deadline) {
        this.stops = new StopSequences(params.stops());
        try {
            ticket = scheduler.submit(prompt, params.options(), this::onToken, deadline);
        } catch (RejectedExecutionException e) {
            throw ApiError.busy("the server is busy: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidRequest(null, e.getMessage());
        }
        ticket.result().whenComplete((r, e) -> events.add(END));
    }

    // On the scheduler thread: queue what the stop sequences let through, with its tokens.
    private boolean onToken(GeneratedToken t) {
        streamed.append(t.text());
        unsent.add(t);
        String out = stops.add(t.text());
        if (!out.isEmpty()) events.add(new Piece(out, take()));
        return !stops.stopped();
    }

    private List<GeneratedToken> take() {
        List<GeneratedToken> t = List.copyOf(unsent);
        unsent.clear();
        return t;
    }

    /** The next piece, waiting for it; null once the generation has ended (then {@link #end()}). */
    Piece next() {
        if (ended) return null;
        Object e;
        try {
            e = events.take();
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the generation", x);
        }
        if (e == END) {
            ended = true;
            return null;
        }
        return (Piece) e;
    }

    /** After {@link #next()} returned null: the rest of the text, the result, the finish reason. */
    End end() {
        if (!ended) throw new IllegalStateException("the generation has not ended");
        GenerationResult result;
        try {
            result = ticket.result().join();
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
            if (cause instanceof java.util.concurrent.CancellationException) throw ApiError.unavailable("the server is shutting down");
            if (cause instanceof java.util.concurrent.TimeoutException) throw ApiError.timeout("the request waited past its deadline for a free slot");
            throw cause instanceof RuntimeException r ? r : new IllegalStateException("the generation failed", cause);
        }
        // The text the last token left unfinished (bytes of a character), then what the stop sequences held back.
        String rest = result.text().length() > streamed.length() ? result.text().substring(streamed.length()) : "";
        String text = stops.add(rest) + stops.flush();
        // OpenAI's finish reasons: stop (a stop sequence, end of turn, the response format's grammar complete), length (max_tokens,
        // the context, the request's deadline).
        boolean stopped = stops.stopped() || result.stopReason() == GenerationResult.StopReason.END_OF_GENERATION
                || result.stopReason() == GenerationResult.StopReason.GRAMMAR_COMPLETE;
        return new End(new Piece(text, take()), result, stopped ? "stop" : "length");
    }

    /** All pieces and the end at once (a response in one body): the text joined, every token. */
    End all() {
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
    public void close() {
        ticket.cancel();
        ticket.result().exceptionally(e -> null).join();  // the scheduler has let go of it
    }
}
