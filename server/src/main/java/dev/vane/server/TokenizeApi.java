package dev.vane.server;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.vane.model.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * POST /tokenize and POST /detokenize, in llama-server's shapes:
 * {@code {"content": "...", "add_special": false, "parse_special": true, "with_pieces": false}}
 * gives {@code {"tokens": [ids]}} (or {@code [{"id", "piece"}]} with pieces);
 * {@code {"tokens": [ids]}} gives {@code {"content": "..."}}.
 */
final class TokenizeApi {
    record TokenizeRequest(String content, @JsonProperty("add_special") Boolean addSpecial,
                           @JsonProperty("parse_special") Boolean parseSpecial, @JsonProperty("with_pieces") Boolean withPieces) {}

    record DetokenizeRequest(int[] tokens) {}

    record Piece(int id, String piece) {}

    private final Tokenizer tokenizer;

    TokenizeApi(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    Map<String, Object> tokenize(TokenizeRequest r) {
        if (r.content() == null) throw ApiError.invalidRequest("content", "'content' (the text to tokenize) is required");
        int[] ids = tokenizer.encode(r.content(), Boolean.TRUE.equals(r.addSpecial()), !Boolean.FALSE.equals(r.parseSpecial()));
        if (!Boolean.TRUE.equals(r.withPieces())) return Map.of("tokens", ids);
        List<Piece> pieces = new ArrayList<>(ids.length);
        for (int id : ids) pieces.add(new Piece(id, new String(tokenizer.tokenBytes(id), StandardCharsets.UTF_8)));
        return Map.of("tokens", pieces);
    }

    Map<String, Object> detokenize(DetokenizeRequest r) {
        if (r.tokens() == null) throw ApiError.invalidRequest("tokens", "'tokens' (an array of token ids) is required");
        int vocab = tokenizer.vocabSize();
        for (int i = 0; i < r.tokens().length; i++) {
            int id = r.tokens()[i];
            if (id < 0 || id >= vocab)
                throw ApiError.invalidRequest("tokens", "token id " + id + " at index " + i + " is outside the vocabulary (0.." + (vocab - 1) + ")");
        }
        return Map.of("content", tokenizer.decode(r.tokens()));
    }
}
