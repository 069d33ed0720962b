package dev.vane.langchain4j;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.vane.model.ChatReply;
import dev.vane.model.Sampling;
import dev.vane.model.chat.ToolSpec;
import dev.vane.model.grammar.Grammar;
import java.util.ArrayList;
import java.util.List;

/**
 * A request's parameters as Vane's sampling settings, the token limit and the stop sequences.
 * Unset values take llama.cpp's defaults (temperature 0.8, top-k 40, top-p 0.95, min-p 0.05) and
 * a fresh seed; temperature 0 is greedy. A JSON response format becomes a grammar the reply is
 * constrained to (its JSON schema, or any JSON value); tool specifications become the tools the
 * chat format offers, and ToolChoice.REQUIRED a grammar that forces a call ({@link ChatReply.ToolChoice}).
 * Parameters Vane has no equivalent for are refused, not ignored.
 */
record RequestSettings(Sampling sampling, Integer maxOutputTokens, List<String> stops, Grammar grammar, List<ToolSpec> tools, ChatReply.ToolChoice toolChoice) {

    static RequestSettings of(ChatRequestParameters p) {
        if (p.frequencyPenalty() != null && p.frequencyPenalty() != 0) {
            throw new UnsupportedFeatureException("frequencyPenalty is not supported; use VaneChatRequestParameters.repetitionPenalty");
        }
        if (p.presencePenalty() != null && p.presencePenalty() != 0) {
            throw new UnsupportedFeatureException("presencePenalty is not supported; use VaneChatRequestParameters.repetitionPenalty");
        }
        VaneChatRequestParameters v = p instanceof VaneChatRequestParameters x ? x : null;
        Sampling s = Sampling.of(v != null ? v.seed() : null, p.temperature(), p.topP(), p.topK());
        if (v != null && v.minP() != null) s = s.withMinP(v.minP().floatValue());
        if (v != null && v.repetitionPenalty() != null) s = s.withRepetitionPenalty(v.repetitionPenalty().floatValue(), s.repeatLastN());
        List<String> stops = p.stopSequences() == null ? List.of() : List.copyOf(p.stopSequences());
        return new RequestSettings(s, p.maxOutputTokens(), stops, grammar(p.responseFormat()), tools(p.toolSpecifications()), choice(p.toolChoice()));
    }

    // LangChain4j's tool specifications as Vane's (parameters as JSON Schema; none: an empty object).
    private static List<ToolSpec> tools(List<ToolSpecification> specs) {
        if (specs == null) return List.of();
        List<ToolSpec> out = new ArrayList<>(specs.size());
        for (ToolSpecification t : specs) {
            String schema = t.parameters() == null ? "{\"type\":\"object\",\"properties\":{}}" : JsonSchemas.toJson(t.parameters());
            out.add(new ToolSpec(t.name(), t.description() == null ? "" : t.description(), schema));
        }
        return out;
    }

    private static ChatReply.ToolChoice choice(ToolChoice c) {
        if (c == null) return ChatReply.ToolChoice.AUTO;
        return switch (c) {
            case AUTO -> ChatReply.ToolChoice.AUTO;
            case REQUIRED -> ChatReply.ToolChoice.REQUIRED;
            case NONE -> ChatReply.ToolChoice.NONE;
        };
    }

    // A JSON response format as a grammar: its schema when it has one, else any JSON value; text: none.
    private static Grammar grammar(ResponseFormat format) {
        if (format == null || format.type() != ResponseFormatType.JSON) return null;
        if (format.jsonSchema() == null || format.jsonSchema().rootElement() == null) return Grammar.anyJson();
        return Grammar.fromJsonSchema(JsonSchemas.toJson(format.jsonSchema().rootElement()));
    }
}
