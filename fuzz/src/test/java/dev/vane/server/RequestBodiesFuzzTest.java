package dev.vane.server;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Arbitrary bodies for /v1/completions, /v1/embeddings, /tokenize and /detokenize through the
 * server's strict Json.read: a record, or an ApiError (a 400 naming the field).
 */
class RequestBodiesFuzzTest {
    private static final Class<?>[] TYPES = {CompletionsApi.CompletionRequest.class, EmbeddingsApi.EmbeddingRequest.class,
            TokenizeApi.TokenizeRequest.class, TokenizeApi.DetokenizeRequest.class};

    @FuzzTest(maxDuration = "10s")
    void decode(byte[] body) {
        for (Class<?> type : TYPES) {
            try {
                Json.read(body, type);
            } catch (ApiError e) {
                ChatRequestFuzzTest.requireMessage(e);
            }
        }
    }
}
