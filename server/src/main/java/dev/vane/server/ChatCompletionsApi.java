package dev.vane.server;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.model.Model;
import dev.vane.model.Scheduler;
import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ChatTemplate;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * POST /v1/chat/completions: the messages rendered in the model's chat format (llama.cpp's ChatML
 * when the file names none Vane renders, as llama.cpp falls back), the assistant's reply opened,
 * and the reply generated on the server's {@link Scheduler}; {@code stream: true} sends
 * {@code chat.completion.chunk} events (the role first, then content deltas, then the finish
 * reason; with {@code stream_options.include_usage} a last chunk with the usage) ending with
 * {@code data: [DONE]}. Text content only: tools, tool messages and response formats other than
 * text get a 400. With a guard policy, every message's content is checked as input first (a block
 * is answered as {@link PolicyBlock} says) and the reply streams through its output rules.
 */
final class ChatCompletionsApi {
    record Message(String role, JsonNode content, String name, @JsonProperty("tool_calls") JsonNode toolCalls,
                   @JsonProperty("tool_call_id") String toolCallId, String refusal) {}

    record StreamOptions(@JsonProperty("include_usage") Boolean includeUsage) {}

    record ChatRequest(String model, List<Message> messages, @JsonProperty("max_tokens") Integer maxTokens,
                       @JsonProperty("max_completion_tokens") Integer maxCompletionTokens, Double temperature, @JsonProperty("top_p") Double topP,
                       Long seed, JsonNode stop, Boolean stream, @JsonProperty("stream_options") StreamOptions streamOptions, Integer n, String user,
                       Boolean logprobs, @JsonProperty("top_logprobs") Integer topLogprobs, @JsonProperty("presence_penalty") Double presencePenalty,
                       @JsonProperty("frequency_penalty") Double frequencyPenalty, @JsonProperty("response_format") JsonNode responseFormat,
                       JsonNode tools, @JsonProperty("tool_choice") JsonNode toolChoice, @JsonProperty("parallel_tool_calls") Boolean parallelToolCalls,
                       @JsonProperty("logit_bias") JsonNode logitBias, Boolean store, JsonNode metadata) {}

    private final Model model;
    private final Scheduler scheduler;
    private final java.time.Duration timeout;
    private final String modelId;
    private final GenerationParams.Limits limits;
    private final ChatTemplate template;
    private final LogprobsJson logprobs;
    private final ServerGuard guard;
    private final long created = System.currentTimeMillis() / 1000;

    ChatCompletionsApi(Model model, Scheduler scheduler, String modelId, GenerationParams.Limits limits, java.time.Duration timeout, ServerGuard guard) {
        this.model = model;
        this.guard = guard;
        this.scheduler = scheduler;
        this.timeout = timeout;
        this.modelId = modelId;
        this.limits = limits;
        this.template = model.chatTemplate().orElse(ChatTemplate.CHATML);
        this.logprobs = new LogprobsJson(model.tokenizer());
    }

    private final ResponseFormats formats = new ResponseFormats();

    /** The chat format requests are rendered in. */
    ChatTemplate template() {
        return template;
    }

    void handle(ChatRequest r, ServerResponse res) {
        List<ChatMessage> messages = messages(r.messages());
        refuseUnsupported(r);
        if (r.topLogprobs() != null && !Boolean.TRUE.equals(r.logprobs()))
            throw ApiError.invalidRequest("top_logprobs", "top_logprobs needs logprobs: true");
        if (r.topLogprobs() != null && (r.topLogprobs() < 0 || r.topLogprobs() > 20))
            throw ApiError.invalidRequest("top_logprobs", "top_logprobs must be in 0..20, got " + r.topLogprobs());
        int top = Boolean.TRUE.equals(r.logprobs()) ? (r.topLogprobs() == null ? 0 : r.topLogprobs()) : -1;
        if (r.maxTokens() != null && r.maxCompletionTokens() != null && !r.maxTokens().equals(r.maxCompletionTokens()))
            throw ApiError.invalidRequest("max_completion_tokens", "max_tokens and max_completion_tokens differ; send one");
        Integer maxTokens = r.maxCompletionTokens() != null ? r.maxCompletionTokens() : r.maxTokens();
        boolean stream = Boolean.TRUE.equals(r.stream());
        boolean includeUsage = r.streamOptions() != null && Boolean.TRUE.equals(r.streamOptions().includeUsage());
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        ServerGuard.Checked checked = guard.input(params(messages), messages.stream().map(ChatMessage::content).toList());
        if (checked.refusal() != null) {
            int promptTokens = model.encodeChat(template.render(messages, List.of(), true), true).length;
            send(new Refusal(checked.refusal(), promptTokens), id, stream, top >= 0, includeUsage, res);
            return;
        }
        List<ChatMessage> seen = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) seen.add(new ChatMessage(messages.get(i).role(), checked.texts().get(i)));
        int[] ids = model.encodeChat(template.render(seen, List.of(), true), true);
        GenerationParams params = GenerationParams.of("messages", ids.length, maxTokens, null, r.temperature(), r.topP(), r.seed(), r.stop(), r.n(), top,
                limits);
        dev.vane.model.grammar.Grammar grammar = formats.grammar(r.responseFormat());
        if (grammar != null) params = new GenerationParams(params.options().withGrammar(grammar), params.stops());
        send(new Generating(scheduler, ids, params, java.time.Instant.now().plus(timeout), guard.output()), id, stream, top >= 0, includeUsage, res);
    }

    private void send(Reply reply, String id, boolean stream, boolean wantLogprobs, boolean includeUsage, ServerResponse res) {
        try (reply) {
            if (stream) stream(reply, id, wantLogprobs, includeUsage, res);
            else whole(reply, id, wantLogprobs, res);
        }
    }

    // Each message's field, as an error names it.
    private static List<String> params(List<ChatMessage> messages) {
        List<String> out = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) out.add("messages[" + i + "].content");
        return out;
    }

    private void whole(Reply g, String id, boolean wantLogprobs, ServerResponse res) {
        Reply.End end = g.all();
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("role", "assistant");
        message.put("content", end.last().text());
        message.put("refusal", null);
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        choice.put("message", message);
        choice.put("logprobs", wantLogprobs ? logprobs.chat(end.last().tokens()) : null);
        choice.put("finish_reason", end.finishReason());
        Map<String, Object> b = head(id, "chat.completion");
        b.put("choices", List.of(choice));
        b.put("usage", CompletionsApi.usage(end.result()));
        VaneServer.send(res, 200, b);
    }

    private void stream(Reply g, String id, boolean wantLogprobs, boolean includeUsage, ServerResponse res) {
        // The first text (or the end) before any byte goes out: a request the scheduler refuses
        // (its deadline passed in the queue, the server stopping) still gets its HTTP status.
        Reply.Piece first = g.next();
        Reply.End end = first == null ? g.end() : null;
        try (ServerSentEvents events = new ServerSentEvents(res)) {
            Map<String, Object> role = new LinkedHashMap<>();
            role.put("role", "assistant");
            role.put("content", "");
            events.send(chunk(id, role, null, null, includeUsage));
            for (Reply.Piece p = first; p != null; p = g.next()) events.send(chunk(id, Map.of("content", p.text()), logprobsOf(p, wantLogprobs), null, includeUsage));
            if (end == null) end = g.end();
            Reply.Piece last = end.last();
            if (!last.text().isEmpty() || !last.tokens().isEmpty())
                events.send(chunk(id, Map.of("content", last.text()), logprobsOf(last, wantLogprobs), null, includeUsage));
            events.send(chunk(id, Map.of(), null, end.finishReason(), includeUsage));
            if (includeUsage) {
                Map<String, Object> b = head(id, "chat.completion.chunk");
                b.put("choices", List.of());
                b.put("usage", CompletionsApi.usage(end.result()));
                events.send(b);
            }
            events.done();
        }
    }

    private Object logprobsOf(Reply.Piece p, boolean wanted) {
        return wanted ? logprobs.chat(p.tokens()) : null;
    }

    private Map<String, Object> chunk(String id, Map<String, Object> delta, Object logprobs, String finishReason, boolean includeUsage) {
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        choice.put("delta", delta);
        choice.put("logprobs", logprobs);
        choice.put("finish_reason", finishReason);
        Map<String, Object> b = head(id, "chat.completion.chunk");
        b.put("choices", List.of(choice));
        if (includeUsage) b.put("usage", null);
        return b;
    }

    private Map<String, Object> head(String id, String object) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("id", id);
        b.put("object", object);
        b.put("created", created);
        b.put("model", modelId);
        return b;
    }

    // OpenAI's messages as Vane's: roles system (developer too), user, assistant; text content.
    static List<ChatMessage> messages(List<Message> in) {
        if (in == null || in.isEmpty()) throw ApiError.invalidRequest("messages", "'messages' must be a non-empty array");
        List<ChatMessage> out = new ArrayList<>(in.size());
        for (int i = 0; i < in.size(); i++) {
            Message m = in.get(i);
            String at = "messages[" + i + "]";
            if (m == null) throw ApiError.invalidRequest(at, at + " is null");
            if (m.role() == null) throw ApiError.invalidRequest(at + ".role", at + " has no role");
            if (m.toolCalls() != null && !m.toolCalls().isNull() || m.toolCallId() != null || m.role().equals("tool") || m.role().equals("function"))
                throw ApiError.invalidRequest(at, "tool calls and tool messages are not supported yet");
            String role = switch (m.role()) {
                case "system", "developer" -> ChatMessage.SYSTEM;
                case "user" -> ChatMessage.USER;
                case "assistant" -> ChatMessage.ASSISTANT;
                default -> throw ApiError.invalidRequest(at + ".role", "role '" + m.role() + "' is not one of system, developer, user, assistant");
            };
            out.add(new ChatMessage(role, text(m.content(), at + ".content", role.equals(ChatMessage.ASSISTANT))));
        }
        return out;
    }

    // A message's content: a string, or an array of {"type": "text", "text": ...} parts joined.
    private static String text(JsonNode content, String at, boolean mayBeNull) {
        if (content == null || content.isNull()) {
            if (mayBeNull) return "";
            throw ApiError.invalidRequest(at, at + " is missing");
        }
        if (content.isTextual()) return content.asText();
        if (!content.isArray()) throw ApiError.invalidRequest(at, at + " must be a string or an array of text parts");
        StringBuilder s = new StringBuilder();
        for (JsonNode part : content) {
            if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual())
                throw ApiError.invalidRequest(at, "only text content parts ({\"type\": \"text\", \"text\": ...}) are supported");
            s.append(part.get("text").asText());
        }
        return s.toString();
    }

    private static void refuseUnsupported(ChatRequest r) {
        GenerationParams.requireNeutral("presence_penalty", r.presencePenalty());
        GenerationParams.requireNeutral("frequency_penalty", r.frequencyPenalty());
        if (r.tools() != null && !r.tools().isNull() && !r.tools().isEmpty()) throw ApiError.invalidRequest("tools", "tools are not supported yet");
        if (r.toolChoice() != null && !r.toolChoice().isNull() && !"none".equals(r.toolChoice().asText()) && !"auto".equals(r.toolChoice().asText()))
            throw ApiError.invalidRequest("tool_choice", "tools are not supported yet");
        if (r.logitBias() != null && !r.logitBias().isNull() && !r.logitBias().isEmpty())
            throw ApiError.invalidRequest("logit_bias", "logit_bias is not supported");
    }
}
