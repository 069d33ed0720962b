package dev.vane.langchain4j;

import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.vane.model.Sampling;
import dev.vane.model.grammar.Grammar;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A request's parameters as Vane's sampling settings, the token limit and the stop sequences.
 * Unset values take llama.cpp's defaults (temperature 0.8, top-k 40, top-p 0.95, min-p 0.05) and
 * a fresh seed; temperature 0 is greedy. A JSON response format becomes a grammar the reply is
 * constrained to (its JSON schema, or any JSON value). Parameters Vane has no equivalent for are
 * refused, not ignored.
 */
record RequestSettings(Sampling sampling, Integer maxOutputTokens, List<String> stops, Grammar grammar) {

    static RequestSettings of(ChatRequestParameters p) {
        if (p.frequencyPenalty() != null && p.frequencyPenalty() != 0) {
            throw new UnsupportedFeatureException("frequencyPenalty is not supported; use VaneChatRequestParameters.repetitionPenalty");
        }
        if (p.presencePenalty() != null && p.presencePenalty() != 0) {
            throw new UnsupportedFeatureException("presencePenalty is not supported; use VaneChatRequestParameters.repetitionPenalty");
        }
        if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty()) throw new UnsupportedFeatureException("tools are not supported yet");
        VaneChatRequestParameters v = p instanceof VaneChatRequestParameters x ? x : null;
        long seed = v != null && v.seed() != null ? v.seed() : ThreadLocalRandom.current().nextLong();
        Sampling s = Sampling.defaults(seed);
        if (p.temperature() != null) s = s.withTemperature(p.temperature().floatValue());
        if (p.topP() != null) s = s.withTopP(p.topP().floatValue());
        if (p.topK() != null) s = s.withTopK(p.topK());
        if (v != null && v.minP() != null) s = s.withMinP(v.minP().floatValue());
        if (v != null && v.repetitionPenalty() != null) s = s.withRepetitionPenalty(v.repetitionPenalty().floatValue(), s.repeatLastN());
        List<String> stops = p.stopSequences() == null ? List.of() : List.copyOf(p.stopSequences());
        return new RequestSettings(s, p.maxOutputTokens(), stops, grammar(p.responseFormat()));
    }

    // A JSON response format as a grammar: its schema when it has one, else any JSON value; text: none.
    private static Grammar grammar(ResponseFormat format) {
        if (format == null || format.type() != ResponseFormatType.JSON) return null;
        if (format.jsonSchema() == null || format.jsonSchema().rootElement() == null) return Grammar.anyJson();
        return Grammar.fromJsonSchema(JsonSchemas.toJson(format.jsonSchema().rootElement()));
    }
}
