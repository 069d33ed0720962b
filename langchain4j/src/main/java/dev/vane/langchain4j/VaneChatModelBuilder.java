package dev.vane.langchain4j;

import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.vane.model.Model;
import java.util.List;

/** The settings {@link VaneChatModel} and {@link VaneStreamingChatModel} share, in LangChain4j's builder style. */
public abstract class VaneChatModelBuilder<B extends VaneChatModelBuilder<B>> {
    private Model model;
    private Integer contextLength;
    private String modelName;
    private ChatRequestParameters defaultRequestParameters;
    private List<ChatModelListener> listeners;

    VaneChatModelBuilder() {}

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** The loaded model (required); it stays open until its owner closes it. */
    public B model(Model model) {
        this.model = model;
        return self();
    }

    /** Tokens of each request's session, prompt and reply together (default: the model's, at most 4096). */
    public B contextLength(Integer contextLength) {
        this.contextLength = contextLength;
        return self();
    }

    /** The name responses report (default "vane"). */
    public B modelName(String modelName) {
        this.modelName = modelName;
        return self();
    }

    /** Parameters for requests that leave them unset ({@link VaneChatRequestParameters} for Vane's own). */
    public B defaultRequestParameters(ChatRequestParameters parameters) {
        this.defaultRequestParameters = parameters;
        return self();
    }

    public B listeners(List<ChatModelListener> listeners) {
        this.listeners = listeners;
        return self();
    }

    Replier replier() {
        return new Replier(model, contextLength, modelName);
    }

    ChatRequestParameters defaults(Replier replier) {
        return defaultRequestParameters == null ? VaneChatRequestParameters.builder().modelName(replier.modelName()).build() : defaultRequestParameters;
    }

    List<ChatModelListener> listenerList() {
        return listeners == null ? List.of() : List.copyOf(listeners);
    }
}
