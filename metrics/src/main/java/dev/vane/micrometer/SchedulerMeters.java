package dev.vane.micrometer;

import dev.vane.model.Scheduler;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * A {@link Scheduler}'s gauges and counters, read at each scrape: requests waiting for a slot,
 * generations running, the slots there are, the KV blocks of its shared pool in use (the fullest
 * layer's) and in all, the sequences kept for prompt caching, the rows of its last pass, and the
 * prompt cache's lookups, hits and reused tokens. The one place the scheduler's meters are defined.
 */
final class SchedulerMeters {
    private SchedulerMeters() {}

    static List<Meter> register(Scheduler s, Tags tags, MeterRegistry registry) {
        return List.of(
                gauge("vane.scheduler.queued", "Requests waiting for a slot", s, Scheduler::queued, tags, registry),
                gauge("vane.scheduler.active", "Generations running (slots held)", s, Scheduler::active, tags, registry),
                gauge("vane.scheduler.capacity", "Generations the scheduler steps together at most", s, Scheduler::capacity, tags, registry),
                gauge("vane.kv.blocks.used", "KV cache blocks in use in the scheduler's pool (the fullest layer)", s, x -> x.stats().kvBlocksUsed(), tags,
                        registry),
                gauge("vane.kv.blocks.capacity", "KV cache blocks in the scheduler's pool, per layer", s, x -> x.stats().kvBlocksTotal(), tags, registry),
                gauge("vane.prompt.cache.sequences", "Finished sequences kept for prompt caching", s, x -> x.stats().cachedSequences(), tags, registry),
                gauge("vane.scheduler.last.step.rows", "Token rows of the scheduler's last pass (decode rows plus a prompt chunk)", s,
                        x -> x.stats().lastStepRows(), tags, registry),
                counter("vane.prompt.cache.lookups", "Prompts looked up in the prompt cache", s, x -> x.stats().promptLookups(), tags, registry),
                counter("vane.prompt.cache.hits", "Prompts that reused a cached prefix", s, x -> x.stats().promptHits(), tags, registry),
                counter("vane.prompt.cache.reused.tokens", "Prompt tokens taken from the cache instead of computed", s,
                        x -> x.stats().reusedPromptTokens(), tags, registry));
    }

    private static Gauge gauge(String name, String description, Scheduler s, ToDoubleFunction<Scheduler> f, Tags tags, MeterRegistry registry) {
        return Gauge.builder(name, s, f).description(description).tags(tags).strongReference(true).register(registry);
    }

    private static FunctionCounter counter(String name, String description, Scheduler s, ToDoubleFunction<Scheduler> f, Tags tags,
                                           MeterRegistry registry) {
        return FunctionCounter.builder(name, s, f).description(description).tags(tags).register(registry);
    }
}
