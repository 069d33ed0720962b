package dev.vane.model;

import java.util.Objects;

/**
 * Perplexity of a model on a text, computed as llama.cpp's perplexity tool does: the tokens are
 * cut into chunks of `context` tokens, each chunk runs in a fresh cache with its first token
 * replaced by BOS (when the vocabulary has one), and only the second half of each chunk is scored
 * (every scored token then has at least context/2 tokens before it). PPL = exp(mean negative log
 * likelihood over the scored tokens).
 */
public final class Perplexity {
    /** The result: perplexity, its mean negative log-likelihood (nats per token), and how much was scored. */
    public record Result(double perplexity, double meanNll, long scoredTokens, int chunks, int context, double seconds) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "perplexity %.4f (mean NLL %.5f nats over %d tokens, %d chunks of %d) in %.1f s", perplexity,
                    meanNll, scoredTokens, chunks, context, seconds);
        }
    }

    private Perplexity() {}

    /** The perplexity of model on text (tokenized without BOS; BOS starts each chunk). */
    public static Result of(Model model, String text, int context) {
        Objects.requireNonNull(text, "text must not be null");
        return of(model, model.tokenizer().encode(text, false), context);
    }

    public static Result of(Model model, int[] tokens, int context) {
        Objects.requireNonNull(model, "model must not be null");
        Objects.requireNonNull(tokens, "tokens must not be null");
        if (context < 4) throw new IllegalArgumentException("context must be at least 4 tokens, got " + context);
        int chunks = tokens.length / context;
        if (chunks == 0) throw new IllegalArgumentException("the text has " + tokens.length + " tokens, fewer than one chunk of " + context);
        int bos = model.tokenizer().bos();
        double nll = 0;
        long scored = 0;
        long t0 = System.nanoTime();
        try (Session s = model.newSession(SessionOptions.defaults(model.config()).withContextLength(context))) {
            for (int c = 0; c < chunks; c++) {
                int[] chunk = java.util.Arrays.copyOfRange(tokens, c * context, (c + 1) * context);
                if (bos >= 0) chunk[0] = bos;
                s.truncate(0);
                double[] lp = s.logProbabilities(chunk);
                for (int j = context / 2; j < context - 1; j++) {  // predicting token j + 1 from the logits at j
                    nll -= lp[j];
                    scored++;
                }
            }
        }
        double mean = nll / scored;
        return new Result(Math.exp(mean), mean, scored, chunks, context, (System.nanoTime() - t0) / 1e9);
    }
}
