package dev.vane.model;

import dev.vane.model.grammar.Grammar;

/**
 * One generation's settings: at most maxTokens new tokens, chosen as sampling says; stops early
 * at an end-of-generation token, or with ignoreEos never draws one (as llama.cpp); addBos puts the
 * BOS token before a prompt that starts a session (position 0). topLogprobs asks for each drawn
 * token's log probability ({@link GeneratedToken#logprob()}) and that many of the most likely
 * alternatives (0..20; -1, the default, for none). grammar, if not null, constrains every token drawn
 * so that the output matches it (see {@link Grammar} and docs/GRAMMAR.md).
 */
public record GenerationOptions(int maxTokens, Sampling sampling, boolean ignoreEos, boolean addBos, int topLogprobs, Grammar grammar) {
    /** The most alternatives a token reports (OpenAI's limit). */
    public static final int MAX_TOP_LOGPROBS = 20;

    public GenerationOptions {
        if (maxTokens < 0) throw new IllegalArgumentException("maxTokens must be >= 0, got " + maxTokens);
        java.util.Objects.requireNonNull(sampling, "sampling must not be null");
        if (topLogprobs < -1 || topLogprobs > MAX_TOP_LOGPROBS) {
            throw new IllegalArgumentException("topLogprobs must be -1 (none) or 0.." + MAX_TOP_LOGPROBS + ", got " + topLogprobs);
        }
    }

    /** Without a grammar. */
    public GenerationOptions(int maxTokens, Sampling sampling, boolean ignoreEos, boolean addBos, int topLogprobs) {
        this(maxTokens, sampling, ignoreEos, addBos, topLogprobs, null);
    }

    /** Without log probabilities. */
    public GenerationOptions(int maxTokens, Sampling sampling, boolean ignoreEos, boolean addBos) {
        this(maxTokens, sampling, ignoreEos, addBos, -1);
    }

    /** Greedy, up to maxTokens, stopping at end of generation, BOS added. */
    public static GenerationOptions greedy(int maxTokens) {
        return new GenerationOptions(maxTokens, Sampling.greedy(), false, true);
    }

    public static GenerationOptions of(int maxTokens, Sampling sampling) {
        return new GenerationOptions(maxTokens, sampling, false, true);
    }

    public GenerationOptions withIgnoreEos(boolean ignore) {
        return new GenerationOptions(maxTokens, sampling, ignore, addBos, topLogprobs, grammar);
    }

    public GenerationOptions withAddBos(boolean add) {
        return new GenerationOptions(maxTokens, sampling, ignoreEos, add, topLogprobs, grammar);
    }

    /** Each token's log probability and top alternatives (0..20), or -1 for none. */
    public GenerationOptions withTopLogprobs(int top) {
        return new GenerationOptions(maxTokens, sampling, ignoreEos, addBos, top, grammar);
    }

    /**
     * Every token drawn keeps the output a prefix of a match of g (null: no constraint): tokens
     * that would break it get probability 0 before sampling; end of generation is drawn only where
     * the output is a whole match, and the generation stops by itself
     * ({@link GenerationResult.StopReason#GRAMMAR_COMPLETE}) when nothing more can follow.
     */
    public GenerationOptions withGrammar(Grammar g) {
        return new GenerationOptions(maxTokens, sampling, ignoreEos, addBos, topLogprobs, g);
    }
}
