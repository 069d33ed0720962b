package dev.vane.spark;

import dev.vane.model.GenerationOptions;
import dev.vane.model.ModelConfig;
import dev.vane.model.Sampling;
import dev.vane.model.SchedulerOptions;
import java.io.Serializable;

/**
 * A generation job's settings as they travel to the executors (the ML Params of
 * {@link VaneGenerator}, or the arguments of the SQL functions): how each row is generated, and
 * how a partition's rows are batched: batchSize sequences stepped together, at most maxInFlight
 * rows taken from the partition and not yet returned.
 *
 * @param contextLength positions of one row's sequence (prompt and generated tokens); 0 for the
 *     model's context, at most 4096 (as a {@code Session} has by default)
 */
public record GeneratorSettings(int maxTokens, double temperature, int topK, double topP, double minP, double repetitionPenalty, int repeatLastN,
        long seed, boolean ignoreEos, boolean addBos, int batchSize, int maxInFlight, int contextLength, boolean promptCache, TooLong onTooLong)
        implements Serializable {
    public GeneratorSettings {
        if (maxTokens < 1) throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
        if (batchSize < 1 || batchSize > 256) throw new IllegalArgumentException("batchSize must be in 1..256, got " + batchSize);
        if (maxInFlight < batchSize) {
            throw new IllegalArgumentException("maxInFlight must be >= batchSize (" + batchSize + "): rows taken from a partition before the first"
                    + " comes back, got " + maxInFlight);
        }
        if (contextLength < 0 || contextLength > 1 << 22) throw new IllegalArgumentException("contextLength must be in 0..2^22 (0: the model's), got " + contextLength);
        if (onTooLong == null) throw new IllegalArgumentException("onTooLong must be set (FAIL or ERROR)");
        sampling(temperature, topK, topP, minP, repetitionPenalty, repeatLastN, seed);  // the same checks, with Sampling's messages
    }

    /** Greedy, up to maxTokens, 8 sequences a batch, 16 in flight, the model's context, prompt caching on, too-long rows fail the task. */
    public static GeneratorSettings greedy(int maxTokens) {
        return new GeneratorSettings(maxTokens, 0, 0, 1, 0, 1, 0, 0, false, true, 8, 16, 0, true, TooLong.FAIL);
    }

    public GenerationOptions options() {
        return new GenerationOptions(maxTokens, sampling(temperature, topK, topP, minP, repetitionPenalty, repeatLastN, seed), ignoreEos, addBos);
    }

    /** The positions a row's sequence holds on this model. */
    public int context(ModelConfig c) {
        return contextLength > 0 ? contextLength : Math.min(c.contextLength(), 4096);
    }

    /**
     * A partition's scheduler: batchSize slots, room in its queue for every row in flight (the
     * partition's reader bounds them), one sequence's context per row.
     */
    public SchedulerOptions schedulerOptions(ModelConfig c) {
        return SchedulerOptions.defaults(c).withCapacity(batchSize).withQueueCapacity(maxInFlight).withContextLength(context(c)).withPromptCache(promptCache);
    }

    public GeneratorSettings withBatching(int batchSize, int maxInFlight) {
        return new GeneratorSettings(maxTokens, temperature, topK, topP, minP, repetitionPenalty, repeatLastN, seed, ignoreEos, addBos, batchSize, maxInFlight,
                contextLength, promptCache, onTooLong);
    }

    public GeneratorSettings withOnTooLong(TooLong t) {
        return new GeneratorSettings(maxTokens, temperature, topK, topP, minP, repetitionPenalty, repeatLastN, seed, ignoreEos, addBos, batchSize, maxInFlight,
                contextLength, promptCache, t);
    }

    public GeneratorSettings withContextLength(int n) {
        return new GeneratorSettings(maxTokens, temperature, topK, topP, minP, repetitionPenalty, repeatLastN, seed, ignoreEos, addBos, batchSize, maxInFlight,
                n, promptCache, onTooLong);
    }

    public GeneratorSettings withIgnoreEos(boolean ignore) {
        return new GeneratorSettings(maxTokens, temperature, topK, topP, minP, repetitionPenalty, repeatLastN, seed, ignore, addBos, batchSize, maxInFlight,
                contextLength, promptCache, onTooLong);
    }

    private static Sampling sampling(double temperature, int topK, double topP, double minP, double repetitionPenalty, int repeatLastN, long seed) {
        return new Sampling((float) temperature, topK, (float) topP, (float) minP, (float) repetitionPenalty, repeatLastN, seed);
    }
}
