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
 * let through the stop sequences and then the output guard, each with the tokens drawn since the
 * last piece, then the end (the held-back text, the result, the finish reason). A BLOCK of the
 * output guard stops the generation at that token (its slot is freed) and ends the reply with the
 * policy's block message, finish_reason "content_filter". The handler's thread takes pieces as they
 * come; closing cancels the generation if it still runs (a client gone mid-stream) and waits for
 * the scheduler to let go of it.
 */
final class Generating implements Reply {
    private static final Object END = new Object();

    private final Scheduler.Ticket ticket;
    private final StopSequences stops;
    private final OutputGuard guard;
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final StringBuilder streamed = new StringBuilder();  // every piece drawn, as the result's text starts
    private final List<GeneratedToken> unsent = new ArrayList<>();  // scheduler thread until END
    private boolean ended;

    /** Submits the prompt on the scheduler (a sequence it owns: a prompt that begins as a cached one reuses its KV blocks). */
    Generating(Scheduler scheduler, int[] prompt, GenerationParams params, Instant deadline, OutputGuard guard) {
        this.stops = new StopSequences(params.stops());
        this.guard = guard;
        try {
            ticket = scheduler.submit(prompt, params.options(), this::onToken, deadline);
        } catch (RejectedExecutionException e) {
            throw ApiError.busy("the server is busy: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidRequest(null, e.getMessage());
        }
        ticket.result().whenComplete((r, e) -> events.add(END));
    }

    // On the scheduler thread: queue what the stop sequences and the guard let through, with its
    // tokens. Returning false when the guard blocks ends the generation before its next token.
    private boolean onToken(GeneratedToken t) {
        streamed.append(t.text());
        unsent.add(t);
        String out = guard.accept(stops.add(t.text()));
        if (!out.isEmpty()) events.add(new Piece(out, take()));
        return !stops.stopped() && !guard.stopped();
    }

    private List<GeneratedToken> take() {
        List<GeneratedToken> t = List.copyOf(unsent);
        unsent.clear();
        return t;
    }

    @Override
    public Piece next() {
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

    @Override
    public End end() {
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
        if (guard.stopped()) return new End(new Piece(guard.message(), take()), result, ServerGuard.CONTENT_FILTER);
        // The text the last token left unfinished (bytes of a character), then what the stop sequences held back,
        // then what the guard held back (a possible match the end of the text decides).
        String rest = result.text().length() > streamed.length() ? result.text().substring(streamed.length()) : "";
        String text = guard.accept(stops.add(rest) + stops.flush());
        if (!guard.stopped()) text += guard.finish();
        if (guard.stopped()) return new End(new Piece(text + guard.message(), take()), result, ServerGuard.CONTENT_FILTER);
        // OpenAI's finish reasons: stop (a stop sequence, end of turn, the response format's grammar complete), length (max_tokens,
        // the context, the request's deadline).
        boolean stopped = stops.stopped() || result.stopReason() == GenerationResult.StopReason.END_OF_GENERATION
                || result.stopReason() == GenerationResult.StopReason.GRAMMAR_COMPLETE;
        return new End(new Piece(text, take()), result, stopped ? "stop" : "length");
    }

    @Override
    public void close() {
        ticket.cancel();
        ticket.result().exceptionally(e -> null).join();  // the scheduler has let go of it
    }
}
