package dev.vane.model;

/**
 * One generation's settings: at most maxTokens new tokens, chosen as sampling says; stops early
 * at an end-of-generation token, or with ignoreEos never draws one (as llama.cpp); addBos puts the BOS token before a prompt that
 * starts a session (position 0).
 */
public record GenerationOptions(int maxTokens, Sampling sampling, boolean ignoreEos, boolean addBos) {
    public GenerationOptions {
        if (maxTokens < 0) throw new IllegalArgumentException("maxTokens must be >= 0, got " + maxTokens);
        java.util.Objects.requireNonNull(sampling, "sampling must not be null");
    }

    /** Greedy, up to maxTokens, stopping at end of generation, BOS added. */
    public static GenerationOptions greedy(int maxTokens) {
        return new GenerationOptions(maxTokens, Sampling.greedy(), false, true);
    }

    public static GenerationOptions of(int maxTokens, Sampling sampling) {
        return new GenerationOptions(maxTokens, sampling, false, true);
    }

    public GenerationOptions withIgnoreEos(boolean ignore) {
        return new GenerationOptions(maxTokens, sampling, ignore, addBos);
    }

    public GenerationOptions withAddBos(boolean add) {
        return new GenerationOptions(maxTokens, sampling, ignoreEos, add);
    }
}
