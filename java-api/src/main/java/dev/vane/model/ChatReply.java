package dev.vane.model;

import dev.vane.model.chat.ChatFormat;
import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ChatPrompt;
import dev.vane.model.chat.ParsedReply;
import dev.vane.model.chat.ToolCall;
import dev.vane.model.chat.ToolCallFormat;
import dev.vane.model.chat.ToolCallParseException;
import dev.vane.model.chat.ToolSpec;
import dev.vane.model.grammar.Grammar;
import dev.vane.model.grammar.ToolCallGrammar;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One reply to a conversation, as a framework adapter asks for it: the messages (and tools)
 * rendered in the model's chat format ({@link Model#chatFormat()}: its own template with
 * vane-jinja, else the built-in format it names, else ChatML), run in a fresh session of
 * contextLength tokens, the reply generated and cut before the first stop sequence, and read
 * back into content and tool calls in the format's syntax.
 *
 * @param text the reply as generated (cut at a stop sequence)
 * @param content the text around the tool calls (all of text when there are none)
 * @param toolCalls the tools the model called (empty when it answered)
 * @param stopSequenceFound a stop sequence ended it (the result's stop reason says otherwise)
 */
public record ChatReply(String text, String content, List<ToolCall> toolCalls, GenerationResult result, boolean stopSequenceFound) {

    /** Whether the model may, must or must not call a tool (OpenAI's tool_choice auto / required / none). */
    public enum ToolChoice {
        AUTO,
        /**
         * The reply is a call of one of the tools, forced by a grammar whatever the model prefers
         * ({@link ToolCallGrammar}) — except right after tool results, where the model answers
         * freely (a forced call after each result would never end).
         */
        REQUIRED,
        NONE
    }

    /**
     * What to generate: maxTokens null means as many as the context leaves; grammar, when not null,
     * constrains the answer ({@link GenerationOptions#withGrammar}): beside tools the model may
     * call, the reply is then a call or such an answer ({@link ToolCallGrammar#callOr}).
     */
    public record Request(List<ChatMessage> messages, List<ToolSpec> tools, ToolChoice toolChoice, Sampling sampling, Integer maxTokens, List<String> stops,
            Grammar grammar) {
        public Request {
            Objects.requireNonNull(messages, "messages must not be null");
            tools = tools == null ? List.of() : List.copyOf(tools);
            toolChoice = toolChoice == null ? ToolChoice.AUTO : toolChoice;
            Objects.requireNonNull(sampling, "sampling must not be null");
            stops = stops == null ? List.of() : List.copyOf(stops);
            if (maxTokens != null && maxTokens < 1) throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
        }

        /** Text only: no tools, no grammar. */
        public static Request of(List<ChatMessage> messages, Sampling sampling, Integer maxTokens, List<String> stops) {
            return new Request(messages, List.of(), ToolChoice.AUTO, sampling, maxTokens, stops, null);
        }
    }

    /**
     * Generates the reply. onText gets each piece of text once the stop sequences let it through —
     * when tools are offered, the content only once the reply is known not to be a call, in one
     * piece at the end; cancelled is asked once a token.
     *
     * @throws IllegalArgumentException if the prompt leaves no room in contextLength, or the format cannot render the request
     */
    public static ChatReply generate(Model model, int contextLength, Request request, Consumer<String> onText, BooleanSupplier cancelled) {
        return generate(model, model.chatFormat(), contextLength, request, onText, cancelled);
    }

    /** As {@link #generate(Model, int, Request, Consumer, BooleanSupplier)} in the given chat format (e.g. a template for a model whose file has none). */
    public static ChatReply generate(Model model, ChatFormat format, int contextLength, Request request, Consumer<String> onText, BooleanSupplier cancelled) {
        Objects.requireNonNull(model, "model must not be null");
        Objects.requireNonNull(format, "format must not be null");
        Objects.requireNonNull(request, "request must not be null");
        Objects.requireNonNull(onText, "onText must not be null");
        Objects.requireNonNull(cancelled, "cancelled must not be null");
        boolean offered = !request.tools().isEmpty() && request.toolChoice() != ToolChoice.NONE;
        boolean forced = offered && request.toolChoice() == ToolChoice.REQUIRED && !afterToolResults(request.messages());
        Grammar grammar = forced ? ToolCallGrammar.forcing(format.toolCallFormat(), request.tools())
                : offered && request.grammar() != null && format.toolCallFormat() != ToolCallFormat.NONE
                        ? ToolCallGrammar.callOr(format.toolCallFormat(), request.tools(), request.grammar()) : request.grammar();
        ChatPrompt prompt = format.render(request.messages(), request.tools(), true);
        int[] ids = model.encodeChat(prompt, true);
        if (ids.length >= contextLength) {
            throw new IllegalArgumentException("the prompt is " + ids.length + " tokens, which leaves no room in the context of " + contextLength
                    + " tokens; shorten the conversation or use a larger context length");
        }
        int room = contextLength - ids.length;
        Integer max = request.maxTokens();
        GenerationOptions options = new GenerationOptions(max == null ? room : Math.min(max, room), request.sampling(), false, false).withGrammar(grammar);
        StopSequences stopper = new StopSequences(forced ? List.of() : request.stops());
        StringBuilder text = new StringBuilder();
        Consumer<String> send = piece -> {
            if (piece.isEmpty()) return;
            text.append(piece);
            if (!offered) onText.accept(piece);
        };
        GenerationResult result;
        try (Session session = model.newSession(SessionOptions.defaults(model.config()).withContextLength(contextLength))) {
            result = session.generate(ids, options, t -> {
                send.accept(stopper.add(t.text()));
                return !stopper.stopped() && !cancelled.getAsBoolean();
            });
        }
        send.accept(stopper.flush());
        ParsedReply parsed = offered ? parse(format.toolCallFormat(), text.toString(), forced) : new ParsedReply(text.toString(), List.of());
        if (offered && parsed.toolCalls().isEmpty() && !parsed.content().isEmpty()) onText.accept(parsed.content());
        return new ChatReply(text.toString(), parsed.content(), parsed.toolCalls(), result, stopper.stopped());
    }

    private static boolean afterToolResults(List<ChatMessage> messages) {
        return !messages.isEmpty() && ChatMessage.TOOL.equals(messages.get(messages.size() - 1).role());
    }

    // A forced call that does not read back is a defect (the grammar wrote it); a free reply that starts a call badly is the model's text.
    private static ParsedReply parse(ToolCallFormat format, String text, boolean forced) {
        try {
            return format.parse(text);
        } catch (ToolCallParseException e) {
            if (forced) throw new IllegalStateException("the forced tool call does not read back as a call: " + e.getMessage() + "; reply: " + text, e);
            return new ParsedReply(text, List.of());
        }
    }
}
