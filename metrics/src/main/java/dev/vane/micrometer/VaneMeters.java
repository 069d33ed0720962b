package dev.vane.micrometer;

import dev.vane.model.GenerationResult;
import dev.vane.model.Model;
import dev.vane.model.ModelObserver;
import dev.vane.model.Scheduler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Model}'s work as Micrometer meters in a registry the caller owns: per generation the
 * OpenTelemetry GenAI server metrics (request duration, time to first token, time per output
 * token) and token usage, with their bucket boundaries from the conventions; per decode step the
 * batch size; per prefill chunk its tokens; the model's size and load time; and, bound with
 * {@link #bindScheduler}, a scheduler's queue and active generations. The names and what each
 * counts are in docs/OBSERVABILITY.md.
 *
 * <pre>{@code
 * try (VaneMeters meters = VaneMeters.bind(model, "my-model", registry).bindScheduler(scheduler)) { ... }
 * }</pre>
 *
 * Closing stops the observation and removes the meters from the registry.
 */
public final class VaneMeters implements AutoCloseable {
    /** The gen_ai.operation.name of every generation: Vane's API so far is text completion. */
    public static final String OPERATION = "text_completion";
    /** The gen_ai.provider.name: the conventions' custom value for a self-hosted server. */
    public static final String PROVIDER = "vane";

    // Bucket boundaries, in seconds and tokens, as the GenAI conventions give them.
    private static final double[] REQUEST_DURATION = {0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92};
    private static final double[] TIME_TO_FIRST_TOKEN = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0};
    private static final double[] TIME_PER_OUTPUT_TOKEN = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5};
    private static final double[] TOKEN_USAGE = {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864};
    // Vane's own: sessions per decode step (a batch holds at most 256), tokens per prefill chunk (at most 4096).
    private static final double[] BATCH_SIZE = {1, 2, 4, 8, 16, 32, 64, 128, 256};
    private static final double[] CHUNK_TOKENS = {1, 4, 16, 64, 256, 1024, 4096};

    private final MeterRegistry registry;
    private final Tags tags;
    private final List<Meter> meters = new ArrayList<>();
    private final ModelObserver.Registration registration;

    private VaneMeters(Model model, String modelName, MeterRegistry registry) {
        this.registry = registry;
        this.tags = Tags.of("gen_ai.operation.name", OPERATION, "gen_ai.provider.name", PROVIDER, "gen_ai.request.model", modelName);
        Timer requestDuration = timer("gen_ai.server.request.duration", "Generation duration, from its start to its last token", REQUEST_DURATION);
        Timer timeToFirstToken = timer("gen_ai.server.time_to_first_token", "Time to the first token: the prompt's run and the first draw",
                TIME_TO_FIRST_TOKEN);
        Timer timePerOutputToken = timer("gen_ai.server.time_per_output_token", "Decode time per output token after the first",
                TIME_PER_OUTPUT_TOKEN);
        DistributionSummary inputTokens = tokenUsage("input"), outputTokens = tokenUsage("output");
        Map<GenerationResult.StopReason, Counter> stops = new EnumMap<>(GenerationResult.StopReason.class);
        for (GenerationResult.StopReason r : GenerationResult.StopReason.values()) {
            stops.put(r, add(Counter.builder("vane.generations").description("Generations ended, by stop reason").tags(tags)
                    .tag("vane.stop_reason", r.name().toLowerCase(java.util.Locale.ROOT)).register(registry)));
        }
        DistributionSummary batchSize = summary("vane.decode.batch.size", "Sessions stepped together in one decode pass", BATCH_SIZE);
        Counter decodeTokens = add(Counter.builder("vane.decode.tokens").description("Tokens run by decode passes (rows)").tags(tags)
                .register(registry));
        Timer stepDuration = timer("vane.decode.step.duration", "Wall time of one decode pass", null);
        DistributionSummary chunkTokens = summary("vane.prefill.chunk.tokens", "Tokens in one prefill chunk (a session's pass on its own)",
                CHUNK_TOKENS);
        Timer chunkDuration = timer("vane.prefill.chunk.duration", "Wall time of one prefill chunk", null);
        add(Gauge.builder("vane.model.weights", model, Model::weightBytes).description("Bytes of the weights as held").baseUnit("bytes").tags(tags)
                .strongReference(true).register(registry));
        add(TimeGauge.builder("vane.model.load.duration", model, TimeUnit.NANOSECONDS, m -> m.loadTime().toNanos())
                .description("How long the model took to load").tags(tags).register(registry));

        this.registration = model.addObserver(new ModelObserver() {
            @Override
            public void generationEnded(GenerationEnd g) {
                requestDuration.record(g.durationNanos(), TimeUnit.NANOSECONDS);
                timeToFirstToken.record(g.timeToFirstTokenNanos(), TimeUnit.NANOSECONDS);
                g.timePerOutputTokenNanos().ifPresent(t -> timePerOutputToken.record(t, TimeUnit.NANOSECONDS));
                inputTokens.record(g.promptTokens());
                outputTokens.record(g.outputTokens());
                stops.get(g.stopReason()).increment();
            }

            @Override
            public void decodeStep(DecodeStep s) {
                batchSize.record(s.sessions());
                decodeTokens.increment(s.rows());
                stepDuration.record(s.nanos(), TimeUnit.NANOSECONDS);
            }

            @Override
            public void prefillChunk(PrefillChunk c) {
                chunkTokens.record(c.tokens());
                chunkDuration.record(c.nanos(), TimeUnit.NANOSECONDS);
            }
        });
    }

    /**
     * Registers the model's meters in registry, tagged gen_ai.request.model=modelName (and
     * gen_ai.operation.name, gen_ai.provider.name), and starts observing the model.
     */
    public static VaneMeters bind(Model model, String modelName, MeterRegistry registry) {
        Objects.requireNonNull(model, "model must not be null");
        Objects.requireNonNull(modelName, "modelName must not be null");
        Objects.requireNonNull(registry, "registry must not be null");
        return new VaneMeters(model, modelName, registry);
    }

    /** Adds the scheduler's gauges ({@link SchedulerMeters}), removed with the others at close. */
    public VaneMeters bindScheduler(Scheduler scheduler) {
        Objects.requireNonNull(scheduler, "scheduler must not be null");
        meters.addAll(SchedulerMeters.register(scheduler, tags, registry));
        return this;
    }

    @Override
    public void close() {
        registration.close();
        for (Meter m : meters) registry.remove(m);
        meters.clear();
    }

    private <M extends Meter> M add(M meter) {
        meters.add(meter);
        return meter;
    }

    // A timer exported as a histogram over the given boundaries in seconds (none: count, sum and max only).
    private Timer timer(String name, String description, double[] seconds) {
        Timer.Builder b = Timer.builder(name).description(description).tags(tags);
        if (seconds != null) b.serviceLevelObjectives(durations(seconds));
        return add(b.register(registry));
    }

    private DistributionSummary tokenUsage(String type) {
        return add(DistributionSummary.builder("gen_ai.client.token.usage").description("Tokens per generation: the prompt's (input) or generated (output)")
                .tags(tags).tag("gen_ai.token.type", type).serviceLevelObjectives(TOKEN_USAGE).register(registry));
    }

    private DistributionSummary summary(String name, String description, double[] buckets) {
        return add(DistributionSummary.builder(name).description(description).tags(tags).serviceLevelObjectives(buckets).register(registry));
    }

    private static Duration[] durations(double[] seconds) {
        Duration[] out = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) out[i] = Duration.ofNanos(Math.round(seconds[i] * 1e9));
        return out;
    }
}
