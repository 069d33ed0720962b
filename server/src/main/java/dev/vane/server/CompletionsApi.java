package dev.vane.server;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.model.GenerationResult;
import dev.vane.model.Model;
import dev.vane.model.Scheduler;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * POST /v1/completions (OpenAI's legacy completions): the prompt (one string) runs on the
 * server's {@link Scheduler} with every other active request; {@code stream: true} sends
 * server-sent events in OpenAI's chunk format ending with {@code data: [DONE]}, the last chunk
 * with the finish reason and usage. Parameters as {@link GenerationParams} checks them;
 * max_tokens 16 by default (OpenAI's); logprobs 0..5 for that many alternatives per token. With a
 * guard policy the prompt is checked as input first (a block is answered as {@link PolicyBlock}
 * says) and the completion streams through its output rules.
 */
final class CompletionsApi {
    record CompletionRequest(String model, JsonNode prompt, @JsonProperty("max_tokens") Integer maxTokens, Double temperature,
                             @JsonProperty("top_p") Double topP, Long seed, JsonNode stop, Boolean stream, Integer n, String user,
                             Integer logprobs, Boolean echo, String suffix, @JsonProperty("best_of") Integer bestOf,
                             @JsonProperty("presence_penalty") Double presencePenalty, @JsonProperty("frequency_penalty") Double frequencyPenalty,
                             @JsonProperty("stream_options") JsonNode streamOptions) {}

    private static final int DEFAULT_MAX_TOKENS = 16;  // OpenAI's

    private final Model model;
    private final Scheduler scheduler;
    private final java.time.Duration timeout;
    private final String modelId;
    private final GenerationParams.Limits limits;
    private final LogprobsJson logprobs;
    private final ServerGuard guard;
    private final long created = System.currentTimeMillis() / 1000;

    CompletionsApi(Model model, Scheduler scheduler, String modelId, GenerationParams.Limits limits, java.time.Duration timeout, ServerGuard guard) {
        this.model = model;
        this.guard = guard;
        this.scheduler = scheduler;
        this.timeout = timeout;
        this.modelId = modelId;
        this.limits = limits;
        this.logprobs = new LogprobsJson(model.tokenizer());
    }

    void handle(CompletionRequest r, ServerResponse res) {
        if (r.prompt() == null || !r.prompt().isTextual())
            throw ApiError.invalidRequest("prompt", "'prompt' must be a string (arrays of prompts and of token ids are not supported)");
        if (Boolean.TRUE.equals(r.echo())) throw ApiError.invalidRequest("echo", "echo is not supported");
        if (r.suffix() != null) throw ApiError.invalidRequest("suffix", "suffix (insertion) is not supported");
        if (r.bestOf() != null && r.bestOf() != 1) throw ApiError.invalidRequest("best_of", "only best_of = 1 is supported, got " + r.bestOf());
        if (r.logprobs() != null && (r.logprobs() < 0 || r.logprobs() > 5))
            throw ApiError.invalidRequest("logprobs", "logprobs must be in 0..5, got " + r.logprobs());
        GenerationParams.requireNeutral("presence_penalty", r.presencePenalty());
        GenerationParams.requireNeutral("frequency_penalty", r.frequencyPenalty());
        String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        boolean wantLogprobs = r.logprobs() != null;
        ServerGuard.Checked checked = guard.input(List.of("prompt"), List.of(r.prompt().asText()));
        if (checked.refusal() != null) {
            send(new Refusal(checked.refusal(), model.tokenizer().encode(r.prompt().asText(), true).length), id, Boolean.TRUE.equals(r.stream()), wantLogprobs, res);
            return;
        }
        int[] ids = model.tokenizer().encode(checked.texts().get(0), true);
        GenerationParams params = GenerationParams.of("prompt", ids.length, r.maxTokens(), DEFAULT_MAX_TOKENS, r.temperature(), r.topP(), r.seed(),
                r.stop(), r.n(), r.logprobs() == null ? -1 : r.logprobs(), limits);
        send(new Generating(scheduler, ids, params, java.time.Instant.now().plus(timeout), guard.output()), id, Boolean.TRUE.equals(r.stream()), wantLogprobs, res);
    }

    private void send(Reply g, String id, boolean stream, boolean wantLogprobs, ServerResponse res) {
        try (g) {
            if (!stream) {
                Reply.End end = g.all();
                VaneServer.send(res, 200, body(id, end.last(), 0, wantLogprobs, end.finishReason(), usage(end.result())));
                return;
            }
            try (ServerSentEvents events = new ServerSentEvents(res)) {
                int offset = 0;
                for (Reply.Piece p; (p = g.next()) != null; offset += p.text().length()) {
                    events.send(body(id, p, offset, wantLogprobs, null, null));
                }
                Reply.End end = g.end();
                events.send(body(id, end.last(), offset, wantLogprobs, end.finishReason(), usage(end.result())));
                events.done();
            }
        }
    }

    private Map<String, Object> body(String id, Reply.Piece piece, int textOffset, boolean wantLogprobs, String finishReason, Map<String, Object> usage) {
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("text", piece.text());
        choice.put("index", 0);
        choice.put("logprobs", wantLogprobs ? logprobs.legacy(piece.tokens(), textOffset) : null);
        choice.put("finish_reason", finishReason);
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("id", id);
        b.put("object", "text_completion");
        b.put("created", created);
        b.put("model", modelId);
        b.put("choices", List.of(choice));
        if (usage != null) b.put("usage", usage);
        return b;
    }

    static Map<String, Object> usage(GenerationResult r) {
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("prompt_tokens", r.promptTokens());
        u.put("completion_tokens", r.tokens().length);
        u.put("total_tokens", r.promptTokens() + r.tokens().length);
        return u;
    }
}
