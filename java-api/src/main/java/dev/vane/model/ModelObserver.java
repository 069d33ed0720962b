package dev.vane.model;

import java.util.OptionalLong;

/**
 * Sees the work a {@link Model} does, for metrics: every generation that ends, every chunk of
 * tokens a session runs on its own (a prompt's chunks), and every decode step (one forward pass
 * over the sessions stepped together). Registered with {@link Model#addObserver}; the model's
 * sessions, batches and schedulers all report through it.
 *
 * <p>Methods are called on the thread that did the work (a session's caller, the scheduler
 * thread), right after it, possibly from several threads at once: an implementation must be
 * thread-safe and quick (record a number, hand off the rest). A {@link RuntimeException} it
 * throws is caught and logged (the first one per registration as a warning, later ones at debug
 * level) and the generation goes on as if nothing had been observed; an {@link Error} is not caught.
 * With no observer registered a step costs one volatile read.
 */
public interface ModelObserver {
    /**
     * Tokens one session ran on its own, in one pass: a chunk of a prompt (a long prompt is several),
     * or what {@link Session#next}, {@link Session#prefill} and {@link Session#logProbabilities} run.
     *
     * @param tokens the chunk's tokens (rows of the pass)
     * @param startPosition the session's position before the chunk
     * @param nanos the pass's wall time
     */
    record PrefillChunk(int tokens, long startPosition, long nanos) {}

    /**
     * One decode pass: the next token of each of sessions sessions (a lone {@link Session#generate}
     * steps one), rows tokens in all (a session may run its pending token and a new one: two rows).
     */
    record DecodeStep(int sessions, int rows, long nanos) {}

    /**
     * A generation ended (any stop reason, cancellation included). Time to first token counts the
     * prompt and the first draw, as {@link GenerationResult#timeToFirstTokenMillis()}; duration runs
     * from the generation's start to its result.
     */
    record GenerationEnd(int promptTokens, int outputTokens, GenerationResult.StopReason stopReason, long timeToFirstTokenNanos,
            long durationNanos) {
        /**
         * The decode time per token after the first: (duration - time to first token) / (output tokens - 1),
         * as OpenTelemetry's gen_ai.server.time_per_output_token defines it; empty for fewer than 2 tokens.
         */
        public OptionalLong timePerOutputTokenNanos() {
            return outputTokens < 2 ? OptionalLong.empty() : OptionalLong.of((durationNanos - timeToFirstTokenNanos) / (outputTokens - 1));
        }
    }

    /** An observer's registration: {@link #close()} stops the calls (idempotent). */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    default void prefillChunk(PrefillChunk chunk) {}

    default void decodeStep(DecodeStep step) {}

    default void generationEnded(GenerationEnd generation) {}
}
