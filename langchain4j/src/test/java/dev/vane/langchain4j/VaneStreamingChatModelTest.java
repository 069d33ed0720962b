package dev.vane.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.Model;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** VaneStreamingChatModel: pieces that add up to the blocking reply, cancellation, errors through the handler. */
class VaneStreamingChatModelTest {
    static Model model;
    static VaneStreamingChatModel streaming;
    static VaneChatModel blocking;

    @BeforeAll
    static void load() throws Exception {
        model = EmbeddedModel.load();
        streaming = VaneStreamingChatModel.builder().model(model).contextLength(256).build();
        blocking = VaneChatModel.builder().model(model).contextLength(256).build();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** Collects a stream; cancelAfter > 0 cancels once that many pieces arrived. */
    static final class Collector implements StreamingChatResponseHandler {
        final List<String> pieces = new CopyOnWriteArrayList<>();
        final CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        final int cancelAfter;

        Collector(int cancelAfter) {
            this.cancelAfter = cancelAfter;
        }

        @Override
        public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
            pieces.add(partial.text());
            if (cancelAfter > 0 && pieces.size() == cancelAfter) {
                context.streamingHandle().cancel();
                done.complete(null);
            }
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
            done.complete(response);
        }

        @Override
        public void onError(Throwable error) {
            done.completeExceptionally(error);
        }
    }

    @Test
    void piecesAddUpToTheBlockingReply() throws Exception {
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("And the LORD said unto Noah")).temperature(0.0).maxOutputTokens(32).build();
        Collector c = new Collector(0);
        streaming.chat(request, c);
        ChatResponse r = c.done.get(60, TimeUnit.SECONDS);
        assertTrue(c.pieces.size() > 1, "expected several pieces, got " + c.pieces);
        assertEquals(String.join("", c.pieces), r.aiMessage().text());
        assertEquals(blocking.chat(request).aiMessage().text(), r.aiMessage().text());
        assertEquals(32, r.metadata().tokenUsage().outputTokenCount());
    }

    @Test
    void cancelStopsTheGeneration() throws Exception {
        Collector c = new Collector(3);
        streaming.chat(ChatRequest.builder().messages(UserMessage.from("And the LORD said unto Noah")).temperature(0.0).maxOutputTokens(200).build(), c);
        c.done.get(60, TimeUnit.SECONDS);
        Thread.sleep(200);  // a stream that went on would add pieces now
        assertTrue(c.pieces.size() <= 4, "the stream went on after cancel: " + c.pieces.size() + " pieces");
    }

    @Test
    void errorsReachTheHandler() {
        Collector c = new Collector(0);
        streaming.chat(ChatRequest.builder().messages(UserMessage.from("x")).presencePenalty(1.0).build(), c);
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> c.done.get(60, TimeUnit.SECONDS));
        assertInstanceOf(UnsupportedFeatureException.class, e.getCause());
        assertFalse(c.done.isCompletedExceptionally() && c.pieces.size() > 0);
    }
}
