package dev.vane.langchain4j;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

/**
 * A Vane model in this JVM as LangChain4j's {@link ChatModel}. Each request runs in a fresh
 * session on the calling thread; the model is the caller's to close. Parameters: temperature,
 * topP, topK, maxOutputTokens, stopSequences, and through {@link VaneChatRequestParameters} seed,
 * minP and repetitionPenalty.
 *
 * <pre>{@code
 * ChatModel chat = VaneChatModel.builder().model(model).build();
 * String answer = chat.chat("Who begat Enos?");
 * }</pre>
 */
public final class VaneChatModel extends VaneChatModelBase implements ChatModel {

    private VaneChatModel(Builder b) {
        super(b);
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        return replier.reply(request, piece -> {}, () -> Thread.currentThread().isInterrupted());
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder extends VaneChatModelBuilder<Builder> {
        public VaneChatModel build() {
            return new VaneChatModel(this);
        }
    }
}
