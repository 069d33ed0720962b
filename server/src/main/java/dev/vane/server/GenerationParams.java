package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.model.GenerationOptions;
import dev.vane.model.Sampling;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The generation parameters both completion endpoints take, checked as OpenAI defines them:
 * temperature in [0, 2] (1 by default; 0 is greedy), top_p in (0, 1], an optional seed, up to 4
 * non-empty stop sequences, n = 1, and max_tokens within the server's cap and the context left
 * after the prompt.
 */
record GenerationParams(GenerationOptions options, List<String> stops) {
    /** The limits a request is checked against: the server's max_tokens cap and the context per request. */
    record Limits(int maxTokens, int context) {}

    /**
     * @param promptParam the field the prompt came from (named in an error)
     * @param maxTokens   the request's max_tokens, or null for the endpoint's default
     * @param defaultMax  that default (null: as many as the cap and the context allow)
     * @param topLogprobs -1 for no log probabilities, else the alternatives per token
     */
    static GenerationParams of(String promptParam, int promptTokens, Integer maxTokens, Integer defaultMax, Double temperature, Double topP, Long seed, JsonNode stop,
                               Integer n, int topLogprobs, Limits limits) {
        if (n != null && n != 1) throw ApiError.invalidRequest("n", "only n = 1 is supported, got " + n);
        if (promptTokens >= limits.context())
            throw ApiError.invalidRequest(promptParam, "the prompt has " + promptTokens + " tokens; the context holds " + limits.context());
        int room = Math.min(limits.maxTokens(), limits.context() - promptTokens);
        int max = maxTokens != null ? maxTokens : defaultMax != null ? Math.min(defaultMax, room) : room;
        if (maxTokens != null && maxTokens > limits.maxTokens())
            throw ApiError.invalidRequest("max_tokens", "max_tokens must be at most " + limits.maxTokens() + " (the server's limit), got " + maxTokens);
        if (max < 1 || max > room)
            throw ApiError.invalidRequest("max_tokens", "max_tokens must be in 1.." + room + " for this prompt of " + promptTokens + " tokens (context "
                    + limits.context() + "), got " + max);
        GenerationOptions options = GenerationOptions.of(max, sampling(temperature, topP, seed)).withTopLogprobs(topLogprobs);
        return new GenerationParams(options, stopList(stop));
    }

    private static Sampling sampling(Double temperature, Double topP, Long seed) {
        double t = temperature == null ? 1.0 : temperature, p = topP == null ? 1.0 : topP;
        if (!(t >= 0 && t <= 2)) throw ApiError.invalidRequest("temperature", "temperature must be in [0, 2], got " + t);
        if (!(p > 0 && p <= 1)) throw ApiError.invalidRequest("top_p", "top_p must be in (0, 1], got " + p);
        if (t == 0) return Sampling.greedy();
        return new Sampling((float) t, 0, (float) p, 0f, 1f, 0, seed != null ? seed : ThreadLocalRandom.current().nextLong());
    }

    private static List<String> stopList(JsonNode stop) {
        List<String> out = new ArrayList<>();
        if (stop == null || stop.isNull()) return out;
        if (stop.isTextual()) out.add(stop.asText());
        else if (stop.isArray() && stop.size() <= 4) for (JsonNode s : stop) {
            if (!s.isTextual()) throw ApiError.invalidRequest("stop", "'stop' must be a string or an array of up to 4 strings");
            out.add(s.asText());
        }
        else throw ApiError.invalidRequest("stop", "'stop' must be a string or an array of up to 4 strings");
        for (String s : out) if (s.isEmpty()) throw ApiError.invalidRequest("stop", "a stop sequence must not be empty");
        return out;
    }

    /** OpenAI's rule for penalties and logit biases Vane's sampler does not apply: absent or neutral only. */
    static void requireNeutral(String name, Double value) {
        if (value != null && value != 0) throw ApiError.invalidRequest(name, name + " is not supported (only 0), got " + value);
    }
}
