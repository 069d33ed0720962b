package dev.vane.redteam.targets;

/**
 * How replies are drawn: at most maxTokens tokens, greedily at temperature 0, else sampled at that
 * temperature (top-p 1, nothing else filtered, as an OpenAI-style endpoint does by default) with
 * each case's own seed, so a sampled run repeats too.
 */
public record Decoding(int maxTokens, double temperature) {
    public Decoding {
        if (maxTokens < 1) throw new IllegalArgumentException("max tokens must be >= 1, got " + maxTokens);
        if (!(temperature >= 0 && temperature <= 2)) throw new IllegalArgumentException("temperature must be in [0, 2], got " + temperature);
    }

    public static Decoding greedy(int maxTokens) {
        return new Decoding(maxTokens, 0);
    }

    public boolean greedy() {
        return temperature == 0;
    }
}
