package dev.vane.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.vane.model.GenerationOptions;
import dev.vane.model.GenerationResult;
import dev.vane.model.Model;
import dev.vane.model.Session;
import dev.vane.model.SessionOptions;
import dev.vane.model.StopSequences;
import dev.vane.model.chat.ChatTemplate;
import java.util.Objects;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One chat request on a model: the messages rendered in the model's chat format (ChatML when the
 * file names none Vane renders, as llama.cpp falls back), a fresh session of contextLength
 * tokens, the reply generated and cut at the first stop sequence. Shared by the blocking and the
 * streaming chat models; safe to use from many threads (each request has its own session).
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
        this.template = model.chatTemplate().orElse(ChatTemplate.CHATML);
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
        String prompt = template.render(Messages.toVane(request.messages()), true);
        int[] ids = model.tokenizer().encode(prompt, true);
        if (ids.length >= contextLength) {
            throw new IllegalArgumentException("the prompt is " + ids.length + " tokens, which leaves no room in the context of " + contextLength
                    + " tokens; shorten the conversation or build the model with a larger contextLength");
        }
        int room = contextLength - ids.length;
        int maxTokens = settings.maxOutputTokens() == null ? room : Math.min(settings.maxOutputTokens(), room);
        GenerationOptions options = new GenerationOptions(maxTokens, settings.sampling(), false, false);
        StopSequences stops = new StopSequences(settings.stops());
        StringBuilder text = new StringBuilder();
        GenerationResult result;
        try (Session session = model.newSession(SessionOptions.defaults(model.config()).withContextLength(contextLength))) {
            result = session.generate(ids, options, t -> {
                String piece = stops.add(t.text());
                if (!piece.isEmpty()) {
                    text.append(piece);
                    onText.accept(piece);
                }
                return !stops.stopped() && !cancelled.getAsBoolean();
            });
        }
        String rest = stops.flush();
        if (!rest.isEmpty()) {
            text.append(rest);
            onText.accept(rest);
        }
        FinishReason finish = stops.stopped() ? FinishReason.STOP : switch (result.stopReason()) {
            case END_OF_GENERATION -> FinishReason.STOP;
            case MAX_TOKENS, CONTEXT_FULL -> FinishReason.LENGTH;
            case CANCELLED, DEADLINE -> FinishReason.OTHER;
        };
        ChatResponseMetadata metadata = ChatResponseMetadata.builder().id("vane-" + UUID.randomUUID()).modelName(modelName)
                .tokenUsage(new TokenUsage(result.promptTokens(), result.tokens().length)).finishReason(finish).build();
        return ChatResponse.builder().aiMessage(AiMessage.from(text.toString())).metadata(metadata).build();
    }
}
