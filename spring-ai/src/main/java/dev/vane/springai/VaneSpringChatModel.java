package dev.vane.springai;

import dev.vane.model.ChatReply;
import dev.vane.model.GenerationResult;
import dev.vane.model.Model;
import dev.vane.model.Sampling;
import dev.vane.model.chat.ChatFormat;
import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ToolCall;
import dev.vane.model.chat.ToolSpec;
import dev.vane.model.grammar.Grammar;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * A Vane model in this JVM as Spring AI's {@link ChatModel} (and so its StreamingChatModel): each
 * prompt runs in a fresh session of contextLength tokens, at most maxConcurrent at once (the rest
 * wait their turn). Options: maxTokens, temperature, topK, topP, stopSequences,
 * {@link VaneChatOptions#getSeed()}, and {@link VaneChatOptions#getOutputSchema()} (the reply
 * constrained to the JSON Schema: Spring AI's native structured output); frequency and presence
 * penalties are refused. The model is
 * its owner's to close (the auto-configuration closes the one it opened).
 */
public final class VaneSpringChatModel implements ChatModel {
    private final Model model;
    private final ChatFormat format;
    private final int contextLength;
    private final VaneChatOptions defaults;
    private final Semaphore slots;

    /** In the model's own chat format ({@link Model#chatFormat()}). */
    public VaneSpringChatModel(Model model, int contextLength, VaneChatOptions defaults, int maxConcurrent) {
        this(model, model.chatFormat(), contextLength, defaults, maxConcurrent);
    }

    public VaneSpringChatModel(Model model, ChatFormat format, int contextLength, VaneChatOptions defaults, int maxConcurrent) {
        this.model = Objects.requireNonNull(model, "model must not be null");
        this.format = Objects.requireNonNull(format, "format must not be null");
        int fileContext = model.config().contextLength();
        if (contextLength < 1 || contextLength > fileContext) {
            throw new IllegalArgumentException("contextLength must be in 1.." + fileContext + " (the model's), got " + contextLength);
        }
        if (maxConcurrent < 1) throw new IllegalArgumentException("maxConcurrent must be >= 1, got " + maxConcurrent);
        this.contextLength = contextLength;
        this.defaults = defaults == null ? VaneChatOptions.builder().build() : defaults;
        this.slots = new Semaphore(maxConcurrent, true);
    }

    @Override
    public ChatResponse call(Prompt prompt) {
        return run(prompt, piece -> {}, () -> Thread.currentThread().isInterrupted(), true);
    }

    /** The reply's text as it is generated, one response per piece; cancelling the subscription stops the generation. */
    @Override
    public Flux<ChatResponse> stream(Prompt prompt) {
        return Flux.<ChatResponse>create(sink -> {
            AtomicBoolean cancelled = new AtomicBoolean();
            sink.onCancel(() -> cancelled.set(true));
            try {
                ChatResponse last = run(prompt, piece -> sink.next(piece(piece)), cancelled::get, false);
                sink.next(last);
                sink.complete();
            } catch (RuntimeException e) {
                sink.error(e);
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public ChatOptions getDefaultOptions() {
        return defaults;
    }

    /** The defaults: ChatClient starts each prompt's options from these, so they are Vane's (seed, output schema). */
    @Override
    public ChatOptions getOptions() {
        return defaults;
    }

    private static ChatResponse piece(String text) {
        return new ChatResponse(List.of(new Generation(new AssistantMessage(text))));
    }

    // Runs one prompt; the response carries the whole text when whole, else an empty text with the finish reason and usage (the end of a stream).
    private ChatResponse run(Prompt prompt, Consumer<String> onText, BooleanSupplier cancelled, boolean whole) {
        Objects.requireNonNull(prompt, "prompt must not be null");
        VaneChatOptions o = merged(prompt.getOptions());
        if (prompt.getOptions() != null && (nonZero(prompt.getOptions().getFrequencyPenalty()) || nonZero(prompt.getOptions().getPresencePenalty()))) {
            throw new IllegalArgumentException("frequency and presence penalties are not supported by Vane; leave them unset");
        }
        Sampling s = Sampling.of(o.getSeed(), o.getTemperature(), o.getTopP(), o.getTopK());
        List<ChatMessage> messages = messages(prompt.getInstructions());
        List<ToolSpec> tools = new ArrayList<>();
        for (ToolCallback t : o.tools()) {
            ToolDefinition d = t.getToolDefinition();
            tools.add(new ToolSpec(d.name(), d.description() == null ? "" : d.description(), d.inputSchema()));
        }
        ChatReply.Request request = new ChatReply.Request(messages, tools, o.getToolChoice(), s, o.getMaxTokens(), o.getStopSequences(),
                o.getOutputSchema() == null ? null : Grammar.fromJsonSchema(o.getOutputSchema()));
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a free session", e);
        }
        ChatReply reply;
        try {
            reply = ChatReply.generate(model, format, contextLength, request, onText, cancelled);
        } finally {
            slots.release();
        }
        GenerationResult r = reply.result();
        String finish = !reply.toolCalls().isEmpty() ? "TOOL_CALLS" : reply.stopSequenceFound() ? "STOP" : switch (r.stopReason()) {
            case END_OF_GENERATION, GRAMMAR_COMPLETE -> "STOP";
            case MAX_TOKENS, CONTEXT_FULL -> "LENGTH";
            case CANCELLED, DEADLINE -> "CANCELLED";
        };
        List<AssistantMessage.ToolCall> calls = new ArrayList<>();
        for (ToolCall c : reply.toolCalls()) calls.add(new AssistantMessage.ToolCall(c.id() != null ? c.id() : "call_" + UUID.randomUUID(), "function", c.name(), c.arguments()));
        String content = whole || !calls.isEmpty() ? reply.content() : "";
        AssistantMessage out = AssistantMessage.builder().content(content).toolCalls(calls).build();
        Generation g = new Generation(out, ChatGenerationMetadata.builder().finishReason(finish).build());
        ChatResponseMetadata md = ChatResponseMetadata.builder().id("vane-" + UUID.randomUUID()).model(o.getModel() == null ? "vane" : o.getModel())
                .usage(new DefaultUsage(r.promptTokens(), r.tokens().length)).build();
        return new ChatResponse(List.of(g), md);
    }

    // The prompt's options over the defaults: Spring AI's merge when they are Vane's, else their portable values.
    private VaneChatOptions merged(ChatOptions options) {
        if (options == null) return defaults;
        if (options instanceof VaneChatOptions v) return defaults.mutate().combineWith(v.mutate()).build();
        VaneChatOptions.Builder b = defaults.mutate();
        if (options.getModel() != null) b.model(options.getModel());
        if (options.getMaxTokens() != null) b.maxTokens(options.getMaxTokens());
        if (options.getStopSequences() != null) b.stopSequences(options.getStopSequences());
        if (options.getTemperature() != null) b.temperature(options.getTemperature());
        if (options.getTopK() != null) b.topK(options.getTopK());
        if (options.getTopP() != null) b.topP(options.getTopP());
        return b.build();
    }

    private static boolean nonZero(Double d) {
        return d != null && d != 0;
    }

    private static List<ChatMessage> messages(List<Message> in) {
        if (in == null || in.isEmpty()) throw new IllegalArgumentException("a prompt needs at least one message, got none");
        List<ChatMessage> out = new ArrayList<>(in.size());
        for (int i = 0; i < in.size(); i++) {
            Message m = in.get(i);
            if (m instanceof SystemMessage sm) out.add(ChatMessage.system(sm.getText()));
            else if (m instanceof UserMessage um) {
                if (!um.getMedia().isEmpty()) throw new IllegalArgumentException("message " + i + ": Vane's models read text only; this one has media");
                out.add(ChatMessage.user(um.getText()));
            } else if (m instanceof AssistantMessage am) {
                List<ToolCall> calls = new ArrayList<>();
                for (AssistantMessage.ToolCall c : am.getToolCalls()) calls.add(new ToolCall(c.id(), c.name(), c.arguments() == null ? "{}" : c.arguments()));
                out.add(ChatMessage.assistant(am.getText() == null ? "" : am.getText(), calls));
            } else if (m instanceof ToolResponseMessage tr) {
                for (ToolResponseMessage.ToolResponse r : tr.getResponses()) out.add(ChatMessage.toolResult(r.id(), r.name(), r.responseData()));
            } else {
                throw new IllegalArgumentException("message " + i + ": messages of type " + m.getMessageType() + " are not supported; expected SYSTEM, USER, ASSISTANT or TOOL");
            }
        }
        return out;
    }
}
