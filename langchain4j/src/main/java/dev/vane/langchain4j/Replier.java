package dev.vane.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.vane.model.ChatReply;
import dev.vane.model.GenerationResult;
import dev.vane.model.Model;
import dev.vane.model.chat.ChatTemplate;
import java.util.Objects;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One LangChain4j chat request on a model ({@link ChatReply}: a fresh session each, so safe from
 * many threads), answered as LangChain4j's response. Shared by the blocking and the streaming chat models.
 */
final class Replier {
    private final Model model;
    private final int contextLength;
    private final String modelName;
    private final ChatTemplate template;

    Replier(Model model, Integer contextLength, String modelName) {
        this.model = Objects.requireNonNull(model, "model must not be null");
        int fileContext = model.config().contextLength();
        this.contextLength = contextLength == null ? Math.min(fileContext, 4096) : contextLength;
        if (this.contextLength < 1 || this.contextLength > fileContext) {
            throw new IllegalArgumentException("contextLength must be in 1.." + fileContext + " (the model's), got " + contextLength);
        }
        this.modelName = modelName == null ? "vane" : modelName;
        this.template = ChatReply.formatOf(model);
    }

    Model model() {
        return model;
    }

    String modelName() {
        return modelName;
    }

    ChatTemplate template() {
        return template;
    }

    /** Runs the request; onText gets each piece of the reply as it is let through; cancelled is polled once a token. */
    ChatResponse reply(ChatRequest request, Consumer<String> onText, BooleanSupplier cancelled) {
        RequestSettings settings = RequestSettings.of(request.parameters());
        ChatReply reply = ChatReply.generate(model, contextLength, Messages.toVane(request.messages()), settings.sampling(), settings.maxOutputTokens(),
                settings.stops(), settings.grammar(), onText, cancelled);
        GenerationResult result = reply.result();
        FinishReason finish = reply.stopSequenceFound() ? FinishReason.STOP : switch (result.stopReason()) {
            case END_OF_GENERATION, GRAMMAR_COMPLETE -> FinishReason.STOP;
            case MAX_TOKENS, CONTEXT_FULL -> FinishReason.LENGTH;
            case CANCELLED, DEADLINE -> FinishReason.OTHER;
        };
        ChatResponseMetadata metadata = ChatResponseMetadata.builder().id("vane-" + UUID.randomUUID()).modelName(modelName)
                .tokenUsage(new TokenUsage(result.promptTokens(), result.tokens().length)).finishReason(finish).build();
        return ChatResponse.builder().aiMessage(AiMessage.from(reply.text())).metadata(metadata).build();
    }
}
