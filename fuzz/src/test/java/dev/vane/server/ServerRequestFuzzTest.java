package dev.vane.server;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Arbitrary request bodies through the server's decoding (Json.read into the endpoint's record,
 * then the chat messages' conversion): a request, or an ApiError (a 400 naming the field).
 */
class ServerRequestFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void chatCompletions(byte[] body) {
        try {
            ChatCompletionsApi.ChatRequest r = Json.read(body, ChatCompletionsApi.ChatRequest.class);
            ChatCompletionsApi.messages(r.messages());
        } catch (ApiError e) {
            requireMessage(e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void otherEndpoints(byte[] body) {
        for (Class<?> type : new Class<?>[] {CompletionsApi.CompletionRequest.class, EmbeddingsApi.EmbeddingRequest.class,
                TokenizeApi.TokenizeRequest.class, TokenizeApi.DetokenizeRequest.class}) {
            try {
                Json.read(body, type);
            } catch (ApiError e) {
                requireMessage(e);
            }
        }
    }

    private static void requireMessage(ApiError e) {
        if (e.getMessage() == null || e.getMessage().isBlank()) throw new AssertionError("an ApiError without a message", e);
    }
}
