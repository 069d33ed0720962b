package dev.vane.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.vane.model.ChatReply;
import dev.vane.model.GenerationResult;
import dev.vane.model.Model;
import dev.vane.model.chat.ChatFormat;
import dev.vane.model.chat.ToolCall;
import java.util.ArrayList;
import java.util.List;
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
    private final ChatFormat format;

    Replier(Model model, Integer contextLength, String modelName, ChatFormat format) {
        this.model = Objects.requireNonNull(model, "model must not be null");
        int fileContext = model.config().contextLength();
        this.contextLength = contextLength == null ? Math.min(fileContext, 4096) : contextLength;
        if (this.contextLength < 1 || this.contextLength > fileContext) {
            throw new IllegalArgumentException("contextLength must be in 1.." + fileContext + " (the model's), got " + contextLength);
        }
        this.modelName = modelName == null ? "vane" : modelName;
        this.format = format != null ? format : model.chatFormat();
    }

    Model model() {
        return model;
    }

    String modelName() {
        return modelName;
    }

    /** Runs the request; onText gets each piece of the reply as it is let through; cancelled is polled once a token. */
    ChatResponse reply(ChatRequest request, Consumer<String> onText, BooleanSupplier cancelled) {
        RequestSettings settings = RequestSettings.of(request.parameters());
        ChatReply.Request r = new ChatReply.Request(Messages.toVane(request.messages()), settings.tools(), settings.toolChoice(), settings.sampling(),
                settings.maxOutputTokens(), settings.stops(), settings.grammar());
        ChatReply reply = ChatReply.generate(model, format, contextLength, r, onText, cancelled);
        GenerationResult result = reply.result();
        FinishReason finish = !reply.toolCalls().isEmpty() ? FinishReason.TOOL_EXECUTION : reply.stopSequenceFound() ? FinishReason.STOP : switch (result.stopReason()) {
            case END_OF_GENERATION, GRAMMAR_COMPLETE -> FinishReason.STOP;
            case MAX_TOKENS, CONTEXT_FULL -> FinishReason.LENGTH;
            case CANCELLED, DEADLINE -> FinishReason.OTHER;
        };
        ChatResponseMetadata metadata = ChatResponseMetadata.builder().id("vane-" + UUID.randomUUID()).modelName(modelName)
                .tokenUsage(new TokenUsage(result.promptTokens(), result.tokens().length)).finishReason(finish).build();
        return ChatResponse.builder().aiMessage(aiMessage(reply)).metadata(metadata).build();
    }

    // The reply as LangChain4j's message: its content, and its tool calls (ids made up where the family writes none).
    private static AiMessage aiMessage(ChatReply reply) {
        if (reply.toolCalls().isEmpty()) return AiMessage.from(reply.text());
        List<ToolExecutionRequest> calls = new ArrayList<>();
        for (ToolCall c : reply.toolCalls()) {
            calls.add(ToolExecutionRequest.builder().id(c.id() != null ? c.id() : "call_" + UUID.randomUUID()).name(c.name()).arguments(c.arguments()).build());
        }
        return reply.content().isBlank() ? AiMessage.from(calls) : AiMessage.from(reply.content(), calls);
    }
}
