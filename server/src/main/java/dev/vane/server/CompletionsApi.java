package dev.vane.server;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.model.Batch;
import dev.vane.model.GenerationOptions;
import dev.vane.model.GenerationResult;
import dev.vane.model.Model;
import dev.vane.model.Sampling;
import dev.vane.model.Scheduler;
import dev.vane.model.Session;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * POST /v1/completions (OpenAI's legacy completions): the prompt runs on the server's
 * {@link Scheduler} with every other active request; {@code stream: true} sends server-sent
 * events in OpenAI's chunk format ending with {@code data: [DONE]}. Sampling parameters as
 * OpenAI defines them (temperature 1 and top_p 1 by default; temperature 0 is greedy); stop
 * sequences cut the text before them; n must be 1. A client that goes away cancels its request.
 */
final class CompletionsApi {
    record CompletionRequest(String model, JsonNode prompt, @JsonProperty("max_tokens") Integer maxTokens, Double temperature,
                             @JsonProperty("top_p") Double topP, Long seed, JsonNode stop, Boolean stream, Integer n, String user) {}

    private static final int DEFAULT_MAX_TOKENS = 16;  // OpenAI's
    private static final Object END = new Object();

    private final Model model;
    private final Scheduler scheduler;
    private final String modelId;
    private final long created = System.currentTimeMillis() / 1000;

    CompletionsApi(Model model, Scheduler scheduler, String modelId) {
        this.model = model;
        this.scheduler = scheduler;
        this.modelId = modelId;
    }

    void handle(CompletionRequest r, ServerResponse res) {
        if (r.prompt() == null || !r.prompt().isTextual())
            throw ApiError.invalidRequest("prompt", "'prompt' must be a string (arrays of prompts and of token ids are not supported)");
        if (r.n() != null && r.n() != 1) throw ApiError.invalidRequest("n", "only n = 1 is supported, got " + r.n());
        int context = model.config().contextLength();
        int[] ids = model.tokenizer().encode(r.prompt().asText(), true);
        if (ids.length >= context)
            throw ApiError.invalidRequest("prompt", "the prompt has " + ids.length + " tokens; the context holds " + context);
        int maxTokens = r.maxTokens() == null ? DEFAULT_MAX_TOKENS : r.maxTokens();
        if (maxTokens < 1 || maxTokens > context - ids.length)
            throw ApiError.invalidRequest("max_tokens", "max_tokens must be in 1.." + (context - ids.length) + " for this prompt, got " + maxTokens);
        GenerationOptions options = GenerationOptions.of(maxTokens, sampling(r));
        StopSequences stops = new StopSequences(stopList(r.stop()));
        String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");

        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        StringBuilder streamed = new StringBuilder();  // every piece, as the result's text starts
        try (Session session = model.newSession()) {
            Scheduler.Ticket ticket;
            try {
                ticket = scheduler.submit(new Batch.Request(session, ids, options, t -> {
                    streamed.append(t.text());
                    String out = stops.add(t.text());
                    if (!out.isEmpty()) events.add(out);
                    return !stops.stopped();
                }));
            } catch (RejectedExecutionException e) {
                throw ApiError.busy("the server is busy: " + e.getMessage());
            }
            ticket.result().whenComplete((x, e) -> events.add(END));
            try {
                if (Boolean.TRUE.equals(r.stream())) stream(res, id, events, ticket, streamed, stops);
                else whole(res, id, events, ticket, streamed, stops);
            } finally {
                ticket.cancel();  // a client gone mid-stream: stop generating for it
                ticket.result().exceptionally(e -> null).join();  // the session is ours again before it closes
            }
        }
    }

    // The answer in one body: the text let through the stop sequences, then what the end adds.
    private void whole(ServerResponse res, String id, BlockingQueue<Object> events, Scheduler.Ticket ticket, StringBuilder streamed, StopSequences stops) {
        GenerationResult result = ticket.result().join();
        // Every piece was queued before the result completed; END may follow the join by a moment.
        StringBuilder text = new StringBuilder();
        for (Object e; (e = takeEvent(events)) != END; ) text.append((String) e);
        text.append(finalText(result, streamed, stops));
        VaneServer.send(res, 200, body(id, text.toString(), finishReason(result, stops), usage(result)));
    }

    private void stream(ServerResponse res, String id, BlockingQueue<Object> events, Scheduler.Ticket ticket, StringBuilder streamed, StopSequences stops) {
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        try (OutputStream out = res.outputStream()) {
            while (true) {
                Object e = takeEvent(events);
                if (e == END) break;
                event(out, body(id, (String) e, null, null));
            }
            GenerationResult result = ticket.result().join();
            String tail = finalText(result, streamed, stops);
            event(out, body(id, tail, finishReason(result, stops), usage(result)));
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object takeEvent(BlockingQueue<Object> events) {
        try {
            return events.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the generation", e);
        }
    }

    private static void event(OutputStream out, Object chunk) throws IOException {
        out.write("data: ".getBytes(StandardCharsets.UTF_8));
        out.write(Json.write(chunk));
        out.write("\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    // The text still to send once the generation has ended: bytes of a character its last
    // token left unfinished, and what the stop sequences held back.
    private static String finalText(GenerationResult result, StringBuilder streamed, StopSequences stops) {
        String rest = result.text().length() > streamed.length() ? result.text().substring(streamed.length()) : "";
        return stops.add(rest) + stops.flush();
    }

    private Map<String, Object> body(String id, String text, String finishReason, Map<String, Object> usage) {
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("text", text);
        choice.put("index", 0);
        choice.put("logprobs", null);
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

    private static Map<String, Object> usage(GenerationResult r) {
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("prompt_tokens", r.promptTokens());
        u.put("completion_tokens", r.tokens().length);
        u.put("total_tokens", r.promptTokens() + r.tokens().length);
        return u;
    }

    private static String finishReason(GenerationResult r, StopSequences stops) {
        if (stops.stopped() || r.stopReason() == GenerationResult.StopReason.END_OF_GENERATION) return "stop";
        return "length";
    }

    private static Sampling sampling(CompletionRequest r) {
        double t = r.temperature() == null ? 1.0 : r.temperature(), p = r.topP() == null ? 1.0 : r.topP();
        if (!(t >= 0 && t <= 2)) throw ApiError.invalidRequest("temperature", "temperature must be in [0, 2], got " + t);
        if (!(p > 0 && p <= 1)) throw ApiError.invalidRequest("top_p", "top_p must be in (0, 1], got " + p);
        long seed = r.seed() != null ? r.seed() : ThreadLocalRandom.current().nextLong();
        if (t == 0) return Sampling.greedy();
        return new Sampling((float) t, 0, (float) p, 0f, 1f, 0, seed);
    }

    private static List<String> stopList(JsonNode stop) {
        List<String> out = new ArrayList<>();
        if (stop == null || stop.isNull()) return out;
        if (stop.isTextual()) out.add(stop.asText());
        else if (stop.isArray() && stop.size() <= 4) for (JsonNode s : stop) {
            if (!s.isTextual()) throw ApiError.invalidRequest("stop", "'stop' must be a string or an array of up to 4 strings");
            out.add(s.asText());
        }
        else throw ApiError.invalidRequest("stop", "'stop' must be a string or an array of up to 4 strings");
        for (String s : out) if (s.isEmpty()) throw ApiError.invalidRequest("stop", "a stop sequence must not be empty");
        return out;
    }
}
