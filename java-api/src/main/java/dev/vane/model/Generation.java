package dev.vane.model;

import dev.vane.model.grammar.GrammarMatcher;
import dev.vane.model.tokenizer.TextStream;
import dev.vane.model.tokenizer.Tokenizer;
import java.util.Arrays;

/**
 * One generation's state between forward passes, so that a session alone ({@link Session#generate})
 * and several together ({@link Batch#generate}) draw, stream and stop by the same rules: each
 * {@link #draw} samples a token from the logits of the last one, streams it, and says whether to
 * go on; the drawn token becomes the session's pending token, which the next pass runs.
 */
final class Generation {
    private final Session session;
    private final GenerationOptions options;
    private final TokenListener listener;
    private final Tokenizer tok;
    private final Sampler sampler;
    private final TextStream text;
    private final StringBuilder out = new StringBuilder();
    private final int promptTokens, vocab, known;
    private final int[] endTokens;
    private final GrammarMatcher grammar;  // null: unconstrained
    private int[] generated;
    private int n;
    private final JfrEvents.Generation event = JfrEvents.Generation.start();
    private final long t0 = System.nanoTime();
    private long tArrived = t0;  // when the request arrived: a scheduler's submit, before its wait in the queue
    private long tPrefill, tFirst;
    private GenerationResult.StopReason stop = GenerationResult.StopReason.MAX_TOKENS;
    private boolean done, reported;

    Generation(Session session, Tokenizer tok, int vocab, int promptTokens, GenerationOptions options, TokenListener listener) {
        this.session = session;
        this.tok = tok;
        this.options = options;
        this.listener = listener;
        this.promptTokens = promptTokens;
        this.vocab = vocab;
        this.known = tok.vocabSize();
        this.sampler = new Sampler(options.sampling());
        this.text = new TextStream(tok, false);
        this.endTokens = options.ignoreEos() ? Session.endOfGenerationTokens(tok) : new int[0];
        this.grammar = options.grammar() == null ? null : options.grammar().matcher(tok);
        this.generated = new int[Math.max(1, Math.min(options.maxTokens(), 1 << 16))];
    }

    /** The prompt has run: prefill time ends here. */
    void prefilled() {
        tPrefill = tFirst = System.nanoTime();
        if (options.maxTokens() == 0) done = true;
    }

    boolean done() {
        return done;
    }

    /**
     * Draws the next token from logits (which it may change), streams it, and returns whether the
     * generation goes on; the drawn token is then the session's pending token, to run next.
     */
    boolean draw(float[] logits) {
        if (done) return false;
        for (int i = known; i < vocab; i++) logits[i] = Float.NEGATIVE_INFINITY;  // padding rows past the tokenizer's vocabulary
        // Log probabilities are of the model's distribution (before the grammar's mask), as OpenAI reports them.
        float[] raw = options.topLogprobs() >= 0 ? logits.clone() : null;  // the sampler may change logits in place
        for (int e : endTokens) logits[e] = Float.NEGATIVE_INFINITY;  // ignoring EOS means never drawing it (as llama.cpp)
        if (grammar != null) {
            grammar.maskLogits(logits);
            if (options.ignoreEos() && grammar.isComplete() && allNegativeInfinity(logits)) {
                throw new IllegalStateException("the grammar allows only end of generation here, and ignoreEos forbids it");
            }
        }
        int id = session.drawn(sampler, logits);
        if (grammar != null) {
            // The output must close before the tokens run out: a token that leaves too little room is
            // drawn again among those that fit (checking every token only when the first draw did not).
            int left = (int) Math.min(options.maxTokens() - n, session.contextLength() - session.position());
            if (!grammar.fitsBudget(id, left)) {
                grammar.restrictToBudget(logits, left);
                id = session.drawn(sampler, logits);
            }
            grammar.accept(id);
        }
        if (n == 0) tFirst = System.nanoTime();
        if (!options.ignoreEos() && tok.isEndOfGeneration(id)) return stop(GenerationResult.StopReason.END_OF_GENERATION);
        if (n == generated.length) generated = Arrays.copyOf(generated, n * 2);
        generated[n] = id;
        String piece = text.next(id);
        out.append(piece);
        boolean go = listener.onToken(token(id, piece, raw));
        n++;
        if (!go || Thread.currentThread().isInterrupted()) return stop(GenerationResult.StopReason.CANCELLED);
        if (grammar != null && grammar.isComplete() && !grammar.canContinue()) return stop(GenerationResult.StopReason.GRAMMAR_COMPLETE);
        if (n == options.maxTokens()) return stop(GenerationResult.StopReason.MAX_TOKENS);
        if (session.position() >= session.contextLength()) return stop(GenerationResult.StopReason.CONTEXT_FULL);
        return true;
    }

    private static boolean allNegativeInfinity(float[] logits) {
        for (float l : logits) if (l != Float.NEGATIVE_INFINITY) return false;
        return true;
    }

    // The streamed token, with its log probabilities when asked for (from the logits before sampling).
    private GeneratedToken token(int id, String piece, float[] raw) {
        if (raw == null) return new GeneratedToken(id, piece, n);
        double lse = Logprobs.logSumExp(raw);
        return new GeneratedToken(id, piece, n, (float) (raw[id] - lse), Logprobs.top(raw, options.topLogprobs(), lse));
    }

    /** Ends the generation from outside (a scheduler's cancelled request): no further token is drawn. */
    void cancel() {
        end(GenerationResult.StopReason.CANCELLED);
    }

    /**
     * Ends the generation from outside for reason (a scheduler's cancel or deadline), if it has not
     * stopped yet: no further token is drawn. Before its prompt has run, prefill ends here.
     */
    void end(GenerationResult.StopReason reason) {
        if (tPrefill == 0) tPrefill = tFirst = System.nanoTime();
        if (!done) stop(reason);
    }

    private boolean stop(GenerationResult.StopReason reason) {
        stop = reason;
        done = true;
        return false;
    }

    /**
     * The request arrived at arrivedNanos (System.nanoTime()), before it waited for a slot: the
     * telemetry's time to first token and duration count from there, as a client sees them (the
     * result's own time to first token counts from the prompt's start).
     */
    void arrivedAt(long arrivedNanos) {
        tArrived = Math.min(arrivedNanos, t0);
    }

    /**
     * Time to first token counts the prompt and the first draw; decode throughput, the tokens after
     * the first. The first call reports the generation's end to the model's telemetry.
     */
    GenerationResult result() {
        out.append(text.finish());
        long tEnd = System.nanoTime();
        double prefillSeconds = (tPrefill - t0) / 1e9, decodeSeconds = (tEnd - tFirst) / 1e9;
        GenerationResult r = new GenerationResult(out.toString(), Arrays.copyOf(generated, n), stop, promptTokens, (tFirst - t0) / 1e6,
                promptTokens > 0 ? promptTokens / prefillSeconds : 0, n > 1 ? (n - 1) / decodeSeconds : 0);
        if (!reported) {
            reported = true;
            session.model().telemetry().generationEnded(event, new ModelObserver.GenerationEnd(promptTokens, n, stop, tFirst - tArrived, tEnd - tArrived));
        }
        return r;
    }
}
