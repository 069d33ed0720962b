package dev.vane.langchain4j;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Vane model in this JVM as LangChain4j's {@link StreamingChatModel}: the reply's text reaches
 * the handler piece by piece as tokens are drawn (held back only where it could still become a
 * stop sequence), then the complete response. Each request runs in a fresh session on the
 * executor (default: a new virtual thread); {@link StreamingHandle#cancel()} from a partial
 * response's context stops it before the next token. Parameters as {@link VaneChatModel}.
 */
public final class VaneStreamingChatModel extends VaneChatModelBase implements StreamingChatModel {
    private final Executor executor;

    private VaneStreamingChatModel(Builder b) {
        super(b);
        this.executor = b.executor == null ? r -> Thread.ofVirtual().name("vane-stream").start(r) : b.executor;
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        executor.execute(() -> run(request, handler));
    }

    private void run(ChatRequest request, StreamingChatResponseHandler handler) {
        AtomicBoolean cancelled = new AtomicBoolean();
        StreamingHandle handle = new StreamingHandle() {
            @Override
            public void cancel() {
                cancelled.set(true);
            }

            @Override
            public boolean isCancelled() {
                return cancelled.get();
            }
        };
        PartialResponseContext context = new PartialResponseContext(handle);
        ChatResponse response;
        try {
            response = replier.reply(request, piece -> handler.onPartialResponse(new PartialResponse(piece), context), cancelled::get);
        } catch (RuntimeException | Error e) {
            handler.onError(e);
            return;
        }
        if (!cancelled.get()) handler.onCompleteResponse(response);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder extends VaneChatModelBuilder<Builder> {
        private Executor executor;

        /** Where requests run (default: a new virtual thread each). */
        public Builder executor(Executor executor) {
            this.executor = executor;
            return this;
        }

        public VaneStreamingChatModel build() {
            return new VaneStreamingChatModel(this);
        }
    }
}
