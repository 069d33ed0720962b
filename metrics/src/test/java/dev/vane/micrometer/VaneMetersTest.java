package dev.vane.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.Batch;
import dev.vane.model.GenerationOptions;
import dev.vane.model.GenerationResult;
import dev.vane.model.Model;
import dev.vane.model.Scheduler;
import dev.vane.model.Session;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * VaneMeters on the embedded model, read as Prometheus renders them: after known work (a lone
 * generation, a batch of three) the histograms' counts, sums and buckets equal what ran; a
 * scheduler's gauges show a request waiting behind a blocked one; closing removes every meter.
 */
class VaneMetersTest {
    private static final String MODEL = "tiny-moe";

    // The value of the sample name{labels ⊇ want} in a Prometheus text exposition (fails if absent or not one).
    static double sample(String scrape, String name, Map<String, String> want) {
        List<Double> found = new ArrayList<>();
        for (String line : scrape.split("\n")) {
            if (line.startsWith("#") || !line.startsWith(name + "{")) continue;
            int close = line.lastIndexOf('}');
            Map<String, String> labels = new LinkedHashMap<>();
            for (String kv : line.substring(name.length() + 1, close).split(",(?=[a-z_]+=\")")) {
                int eq = kv.indexOf('=');
                labels.put(kv.substring(0, eq), kv.substring(eq + 2, kv.length() - 1));
            }
            if (labels.entrySet().containsAll(want.entrySet())) found.add(Double.parseDouble(line.substring(close + 1).trim().split(" ")[0]));
        }
        assertEquals(1, found.size(), () -> "one sample " + name + want + " in:\n" + scrape);
        return found.get(0);
    }

    private static Map<String, String> model(String... more) {
        Map<String, String> m = new LinkedHashMap<>(Map.of("gen_ai_request_model", MODEL, "gen_ai_operation_name", "text_completion",
                "gen_ai_provider_name", "vane"));
        for (int i = 0; i < more.length; i += 2) m.put(more[i], more[i + 1]);
        return m;
    }

    @Test
    void theExpositionCountsWhatRan() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Model m = EmbeddedModel.load(); VaneMeters meters = VaneMeters.bind(m, MODEL, registry)) {
            List<GenerationResult> results = new ArrayList<>();
            try (Session s = m.newSession()) {
                results.add(s.generate("In the beginning", GenerationOptions.greedy(6).withIgnoreEos(true)));  // 5 steps of 1
            }
            List<Session> sessions = new ArrayList<>();
            try (Batch batch = m.newBatch(4)) {
                List<Batch.Request> requests = new ArrayList<>();
                for (String p : new String[] {"And God said", "Let there be light", "the earth"}) {
                    Session s = m.newSession();
                    sessions.add(s);
                    requests.add(Batch.Request.of(s, p, GenerationOptions.greedy(4).withIgnoreEos(true)));
                }
                results.addAll(batch.generate(requests));  // 3 steps of 3
            } finally {
                for (Session s : sessions) s.close();
            }
            int input = results.stream().mapToInt(GenerationResult::promptTokens).sum();
            int output = results.stream().mapToInt(r -> r.tokens().length).sum();
            assertEquals(6 + 3 * 4, output);
            String scrape = registry.scrape();

            for (String name : new String[] {"gen_ai_server_request_duration_seconds", "gen_ai_server_time_to_first_token_seconds",
                    "gen_ai_server_time_per_output_token_seconds"}) {
                assertEquals(4, sample(scrape, name + "_count", model()), name);
                assertEquals(4, sample(scrape, name + "_bucket", model("le", "+Inf")), name);
            }
            assertTrue(sample(scrape, "gen_ai_server_request_duration_seconds_bucket", model("le", "81.92")) == 4, "the OTel boundaries");
            assertTrue(sample(scrape, "gen_ai_server_time_to_first_token_seconds_bucket", model("le", "0.001")) <= 4);
            assertTrue(sample(scrape, "gen_ai_server_time_per_output_token_seconds_bucket", model("le", "2.5")) == 4);
            double ttft = results.stream().mapToDouble(r -> r.timeToFirstTokenMillis() / 1e3).sum();
            assertEquals(ttft, sample(scrape, "gen_ai_server_time_to_first_token_seconds_sum", model()), 1e-6 * 4);

            assertEquals(4, sample(scrape, "gen_ai_client_token_usage_count", model("gen_ai_token_type", "input")));
            assertEquals(input, sample(scrape, "gen_ai_client_token_usage_sum", model("gen_ai_token_type", "input")));
            assertEquals(output, sample(scrape, "gen_ai_client_token_usage_sum", model("gen_ai_token_type", "output")));
            assertEquals(3, sample(scrape, "gen_ai_client_token_usage_bucket", model("gen_ai_token_type", "output", "le", "4.0")));  // the batch's 4s
            assertEquals(4, sample(scrape, "gen_ai_client_token_usage_bucket", model("gen_ai_token_type", "output", "le", "16.0")));  // and the 6

            assertEquals(5 + 3, sample(scrape, "vane_decode_batch_size_count", model()));
            assertEquals(5 * 1 + 3 * 3, sample(scrape, "vane_decode_batch_size_sum", model()));
            assertEquals(5, sample(scrape, "vane_decode_batch_size_bucket", model("le", "2.0")));
            assertEquals(8, sample(scrape, "vane_decode_batch_size_bucket", model("le", "4.0")));
            assertEquals(5 + 9, sample(scrape, "vane_decode_tokens_total", model()));
            assertEquals(8, sample(scrape, "vane_decode_step_duration_seconds_count", model()));
            assertEquals(input, sample(scrape, "vane_prefill_chunk_tokens_sum", model()), "the prompts, in chunks");
            assertEquals(4, sample(scrape, "vane_generations_total", model("vane_stop_reason", "max_tokens")));
            assertEquals(m.weightBytes(), sample(scrape, "vane_model_weights_bytes", model()));
            assertTrue(sample(scrape, "vane_model_load_duration_seconds", model()) > 0);

            meters.close();
            assertTrue(registry.getMeters().isEmpty(), "closing removes the meters");
            assertFalse(registry.scrape().contains("gen_ai_"));
        }
    }

    @Test
    void schedulerGaugesShowWaitingAndRunningRequests() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CountDownLatch blocked = new CountDownLatch(1), release = new CountDownLatch(1);
        try (Model m = EmbeddedModel.load(); Scheduler scheduler = m.newScheduler(1, 8);
             VaneMeters meters = VaneMeters.bind(m, MODEL, registry).bindScheduler(scheduler)) {
            List<Session> sessions = new ArrayList<>();
            for (int i = 0; i < 3; i++) sessions.add(m.newSession());
            try {
                GenerationOptions opts = GenerationOptions.greedy(3).withIgnoreEos(true);
                // The first holds the scheduler thread in its listener: the other two wait in the queue.
                Scheduler.Ticket first = scheduler.submit(new Batch.Request(sessions.get(0), m.tokenizer().encode("And God said", true), opts, t -> {
                    blocked.countDown();
                    await(release);
                    return true;
                }));
                assertTrue(blocked.await(30, TimeUnit.SECONDS));
                List<Scheduler.Ticket> rest = List.of(scheduler.submit(Batch.Request.of(sessions.get(1), "light", opts)),
                        scheduler.submit(Batch.Request.of(sessions.get(2), "the earth", opts)));
                String scrape = registry.scrape();
                assertEquals(2, sample(scrape, "vane_scheduler_queued", model()));
                assertEquals(1, sample(scrape, "vane_scheduler_active", model()));
                assertEquals(1, sample(scrape, "vane_scheduler_capacity", model()));
                release.countDown();
                first.result().get(60, TimeUnit.SECONDS);
                for (Scheduler.Ticket t : rest) t.result().get(60, TimeUnit.SECONDS);
                scrape = registry.scrape();
                assertEquals(0, sample(scrape, "vane_scheduler_queued", model()));
                assertEquals(0, sample(scrape, "vane_scheduler_active", model()));
                assertEquals(3, sample(scrape, "gen_ai_server_request_duration_seconds_count", model()));
            } finally {
                release.countDown();
                scheduler.close();
                for (Session s : sessions) s.close();
            }
        }
    }

    @Test
    void promptCacheAndKvPoolMetersCountWhatTheSchedulerReused() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Model m = EmbeddedModel.load(); Scheduler scheduler = m.newScheduler(2, 8);
             VaneMeters meters = VaneMeters.bind(m, MODEL, registry).bindScheduler(scheduler)) {
            int[] prompt = m.tokenizer().encode("And God said, Let there be light: and there was light", true);
            GenerationOptions opts = GenerationOptions.greedy(4).withIgnoreEos(true);
            scheduler.submit(prompt, opts, t -> true).result().get(60, TimeUnit.SECONDS);
            scheduler.submit(prompt, opts, t -> true).result().get(60, TimeUnit.SECONDS);
            String scrape = registry.scrape();
            assertEquals(2, sample(scrape, "vane_prompt_cache_lookups_total", model()));
            assertEquals(1, sample(scrape, "vane_prompt_cache_hits_total", model()));
            assertEquals(prompt.length - 1, sample(scrape, "vane_prompt_cache_reused_tokens_total", model()));
            Scheduler.Stats st = scheduler.stats();
            assertTrue(st.kvBlocksUsed() > 0, "the cached sequence holds blocks");
            assertEquals(st.kvBlocksUsed(), sample(scrape, "vane_kv_blocks_used", model()));
            assertEquals(st.kvBlocksTotal(), sample(scrape, "vane_kv_blocks_capacity", model()));
            assertEquals(st.cachedSequences(), sample(scrape, "vane_prompt_cache_sequences", model()));
            assertEquals(1, sample(scrape, "vane_scheduler_last_step_rows", model()), "the last pass decoded the one running request");
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
