package dev.vane.model;

/**
 * What one generation produced and how fast: the generated text and ids, why it stopped, the
 * prompt's token count, time to first token (prompt processing plus the first draw), and
 * prefill and decode throughput.
 */
public record GenerationResult(String text, int[] tokens, StopReason stopReason, int promptTokens, double timeToFirstTokenMillis,
        double prefillTokensPerSecond, double decodeTokensPerSecond) {

    public enum StopReason {
        /** maxTokens were generated. */
        MAX_TOKENS,
        /** An end-of-generation token was drawn (it is not part of the text). */
        END_OF_GENERATION,
        /** The listener returned false, or the thread was interrupted. */
        CANCELLED,
        /** The session's context is full. */
        CONTEXT_FULL,
        /**
         * The request's deadline passed while it ran (a {@link Scheduler}'s): it stopped before its
         * next token, keeping those already streamed (none if its prompt was still running).
         */
        DEADLINE,
        /**
         * The output is a whole match of the generation's grammar and no further byte can follow
         * it ({@link GenerationOptions#withGrammar}).
         */
        GRAMMAR_COMPLETE
    }

    public GenerationResult {
        tokens = tokens.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public String toString() {
        return String.format("%d prompt tokens, %d generated (%s): first token %.1f ms, prefill %.1f tok/s, decode %.1f tok/s", promptTokens,
                tokens.length, stopReason, timeToFirstTokenMillis, prefillTokensPerSecond, decodeTokensPerSecond);
    }
}
