package dev.vane.server;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.model.Model;
import dev.vane.model.Pooling;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * POST /v1/embeddings: each input text's final hidden states mean-pooled and scaled to unit length
 * ({@link Model#embed}); the pooling is declared in the response ({@code "pooling": "mean"}) and
 * in /v1/models. Input: a string or an array of strings (token arrays are not supported);
 * encoding_format float (default) or base64 (little-endian f32, as OpenAI's).
 */
final class EmbeddingsApi {
    record EmbeddingRequest(String model, JsonNode input, @JsonProperty("encoding_format") String encodingFormat, Integer dimensions, String user) {}

    static final Pooling POOLING = Pooling.MEAN;
    private static final int MAX_INPUTS = 2048;  // OpenAI's

    private final Model model;
    private final String modelId;

    EmbeddingsApi(Model model, String modelId) {
        this.model = model;
        this.modelId = modelId;
    }

    Object handle(EmbeddingRequest r) {
        List<String> texts = texts(r.input());
        boolean base64 = "base64".equals(r.encodingFormat());
        if (r.encodingFormat() != null && !base64 && !"float".equals(r.encodingFormat()))
            throw ApiError.invalidRequest("encoding_format", "encoding_format must be float or base64, got '" + r.encodingFormat() + "'");
        if (r.dimensions() != null && r.dimensions() != model.config().dim())
            throw ApiError.invalidRequest("dimensions", "this model's embeddings have " + model.config().dim() + " dimensions; other sizes are not supported");
        int tokens = 0;
        for (String t : texts) tokens += model.tokenizer().encode(t, true).length;
        List<float[]> vectors;
        try {
            vectors = model.embed(texts, POOLING, true);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidRequest("input", e.getMessage());
        }
        List<Object> data = new ArrayList<>();
        for (int i = 0; i < vectors.size(); i++) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("object", "embedding");
            d.put("index", i);
            d.put("embedding", base64 ? base64(vectors.get(i)) : vectors.get(i));
            data.add(d);
        }
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("object", "list");
        b.put("data", data);
        b.put("model", modelId);
        b.put("pooling", POOLING.name().toLowerCase(java.util.Locale.ROOT));
        b.put("usage", Map.of("prompt_tokens", tokens, "total_tokens", tokens));
        return b;
    }

    private static List<String> texts(JsonNode input) {
        if (input == null || input.isNull()) throw ApiError.invalidRequest("input", "'input' is missing");
        if (input.isTextual()) return List.of(nonEmpty(input.asText(), "input"));
        if (!input.isArray() || input.isEmpty() || input.size() > MAX_INPUTS)
            throw ApiError.invalidRequest("input", "'input' must be a string or an array of 1.." + MAX_INPUTS + " strings");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < input.size(); i++) {
            if (!input.get(i).isTextual()) throw ApiError.invalidRequest("input", "input[" + i + "] must be a string (token arrays are not supported)");
            out.add(nonEmpty(input.get(i).asText(), "input[" + i + "]"));
        }
        return out;
    }

    private static String nonEmpty(String s, String at) {
        if (s.isEmpty()) throw ApiError.invalidRequest("input", at + " is empty");
        return s;
    }

    private static String base64(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return Base64.getEncoder().encodeToString(b.array());
    }
}
