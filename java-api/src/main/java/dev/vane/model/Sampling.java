package dev.vane.model;

/**
 * How the next token is chosen from the logits, in llama.cpp's order: repetition penalty over the
 * last repeatLastN tokens (a positive logit divided by the penalty, a negative one multiplied),
 * top-k, top-p (the smallest set whose probability reaches p), min-p (tokens at least minP times
 * as likely as the best), then temperature and a draw from a generator seeded with seed.
 * temperature 0 is greedy (the highest logit, the lowest id on ties). topK 0, topP 1, minP 0 and
 * repetitionPenalty 1 turn the stages off.
 */
public record Sampling(float temperature, int topK, float topP, float minP, float repetitionPenalty, int repeatLastN, long seed) {
    public Sampling {
        if (!(temperature >= 0) || !Float.isFinite(temperature)) throw new IllegalArgumentException("temperature must be finite and >= 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("topK must be >= 0 (0 = off), got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        if (!(minP >= 0 && minP <= 1)) throw new IllegalArgumentException("minP must be in [0, 1], got " + minP);
        if (!(repetitionPenalty > 0) || !Float.isFinite(repetitionPenalty)) {
            throw new IllegalArgumentException("repetitionPenalty must be finite and > 0 (1 = off), got " + repetitionPenalty);
        }
        if (repeatLastN < 0) throw new IllegalArgumentException("repeatLastN must be >= 0, got " + repeatLastN);
    }

    /** Always the most likely token. */
    public static Sampling greedy() {
        return new Sampling(0f, 0, 1f, 0f, 1f, 0, 0);
    }

    /** llama.cpp's defaults: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, no repetition penalty. */
    public static Sampling defaults(long seed) {
        return new Sampling(0.8f, 40, 0.95f, 0.05f, 1f, 64, seed);
    }

    /**
     * llama.cpp's defaults ({@link #defaults}) with the values a request sets over them, as the
     * framework adapters take them: null leaves the default, a null seed draws a fresh one.
     */
    public static Sampling of(Long seed, Double temperature, Double topP, Integer topK) {
        Sampling s = defaults(seed != null ? seed : java.util.concurrent.ThreadLocalRandom.current().nextLong());
        if (temperature != null) s = s.withTemperature(temperature.floatValue());
        if (topP != null) s = s.withTopP(topP.floatValue());
        if (topK != null) s = s.withTopK(topK);
        return s;
    }

    public Sampling withTemperature(float t) {
        return new Sampling(t, topK, topP, minP, repetitionPenalty, repeatLastN, seed);
    }

    public Sampling withTopK(int k) {
        return new Sampling(temperature, k, topP, minP, repetitionPenalty, repeatLastN, seed);
    }

    public Sampling withTopP(float p) {
        return new Sampling(temperature, topK, p, minP, repetitionPenalty, repeatLastN, seed);
    }

    public Sampling withMinP(float p) {
        return new Sampling(temperature, topK, topP, p, repetitionPenalty, repeatLastN, seed);
    }

    public Sampling withRepetitionPenalty(float penalty, int lastN) {
        return new Sampling(temperature, topK, topP, minP, penalty, lastN, seed);
    }

    public Sampling withSeed(long s) {
        return new Sampling(temperature, topK, topP, minP, repetitionPenalty, repeatLastN, s);
    }
}
