package dev.vane.server;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Arbitrary /v1/chat/completions bodies through the server's decoding (Json.read into
 * ChatRequest, then the messages' conversion): a request, or an ApiError (a 400 naming the field).
 */
class ChatRequestFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void decode(byte[] body) {
        try {
            ChatCompletionsApi.ChatRequest r = Json.read(body, ChatCompletionsApi.ChatRequest.class);
            ChatCompletionsApi.messages(r.messages());
        } catch (ApiError e) {
            requireMessage(e);
        }
    }

    static void requireMessage(ApiError e) {
        if (e.getMessage() == null || e.getMessage().isBlank()) throw new AssertionError("an ApiError without a message", e);
    }
}
