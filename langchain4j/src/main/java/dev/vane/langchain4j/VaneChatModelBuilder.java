package dev.vane.langchain4j;

import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.vane.model.Model;
import dev.vane.model.chat.ChatFormat;
import java.util.List;

/** The settings {@link VaneChatModel} and {@link VaneStreamingChatModel} share, in LangChain4j's builder style. */
public abstract class VaneChatModelBuilder<B extends VaneChatModelBuilder<B>> {
    private Model model;
    private Integer contextLength;
    private String modelName;
    private ChatRequestParameters defaultRequestParameters;
    private List<ChatModelListener> listeners;
    private ChatFormat chatFormat;

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

    /**
     * The chat format to render conversations in (default: {@link Model#chatFormat()}, the model's
     * own template); e.g. {@code ModelChatFormat.choose(jinjaText, model.specialTokenTexts())} for a
     * model whose file carries no template, or one that renders no tools.
     */
    public B chatFormat(ChatFormat chatFormat) {
        this.chatFormat = chatFormat;
        return self();
    }

    public B listeners(List<ChatModelListener> listeners) {
        this.listeners = listeners;
        return self();
    }

    Replier replier() {
        return new Replier(model, contextLength, modelName, chatFormat);
    }

    ChatRequestParameters defaults(Replier replier) {
        return defaultRequestParameters == null ? VaneChatRequestParameters.builder().modelName(replier.modelName()).build() : defaultRequestParameters;
    }

    List<ChatModelListener> listenerList() {
        return listeners == null ? List.of() : List.copyOf(listeners);
    }
}
