package dev.vane.model;

import java.util.List;

/**
 * A token as it is generated: its id, the text it completes (may be empty mid-character), its
 * index in the generation, and, when the options asked for them ({@link GenerationOptions#topLogprobs()}),
 * its natural-log probability under the model's distribution (softmax of the raw logits, before
 * temperature or top-p) and the most likely tokens at that step, most likely first; NaN and an
 * empty list otherwise.
 */
public record GeneratedToken(int id, String text, int index, float logprob, List<TokenLogprob> topLogprobs) {
    /** A candidate token and its natural-log probability. */
    public record TokenLogprob(int id, float logprob) {}

    public GeneratedToken {
        topLogprobs = List.copyOf(topLogprobs);
    }

    /** Without log probabilities. */
    public GeneratedToken(int id, String text, int index) {
        this(id, text, index, Float.NaN, List.of());
    }
}
