package dev.vane.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.List;
import java.util.Set;

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
public final class VaneChatModel implements ChatModel {
    private final Replier replier;
    private final ChatRequestParameters defaults;
    private final List<ChatModelListener> listeners;

    private VaneChatModel(Builder b) {
        this.replier = b.replier();
        this.defaults = b.defaults(replier);
        this.listeners = b.listenerList();
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        return replier.reply(request, piece -> {}, () -> Thread.currentThread().isInterrupted());
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return defaults;
    }

    @Override
    public List<ChatModelListener> listeners() {
        return listeners;
    }

    /** JSON schema response formats are enforced by constrained decoding, so AiServices may ask for them. */
    @Override
    public Set<Capability> supportedCapabilities() {
        return Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
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
