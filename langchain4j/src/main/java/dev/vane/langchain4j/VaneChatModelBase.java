package dev.vane.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import java.util.List;
import java.util.Set;

/** What {@link VaneChatModel} and {@link VaneStreamingChatModel} share: the replier, the default parameters, the listeners, the capabilities. */
public abstract class VaneChatModelBase {
    final Replier replier;
    private final ChatRequestParameters defaults;
    private final List<ChatModelListener> listeners;

    VaneChatModelBase(VaneChatModelBuilder<?> b) {
        this.replier = b.replier();
        this.defaults = b.defaults(replier);
        this.listeners = b.listenerList();
    }

    public ChatRequestParameters defaultRequestParameters() {
        return defaults;
    }

    public List<ChatModelListener> listeners() {
        return listeners;
    }

    /** JSON schema response formats are enforced by constrained decoding, so AiServices may ask for them. */
    public Set<Capability> supportedCapabilities() {
        return Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
    }

    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }
}
