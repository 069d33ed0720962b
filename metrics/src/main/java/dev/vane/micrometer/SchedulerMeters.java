package dev.vane.micrometer;

import dev.vane.model.Scheduler;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.List;

/**
 * A {@link Scheduler}'s gauges, read at each scrape: requests waiting for a slot, generations
 * running, and the slots there are. The one place the scheduler's meters are defined.
 */
final class SchedulerMeters {
    private SchedulerMeters() {}

    static List<Meter> register(Scheduler s, Tags tags, MeterRegistry registry) {
        return List.of(
                Gauge.builder("vane.scheduler.queued", s, Scheduler::queued).description("Requests waiting for a slot").tags(tags)
                        .strongReference(true).register(registry),
                Gauge.builder("vane.scheduler.active", s, Scheduler::active).description("Generations running (slots held)").tags(tags)
                        .strongReference(true).register(registry),
                Gauge.builder("vane.scheduler.capacity", s, Scheduler::capacity).description("Generations the scheduler steps together at most")
                        .tags(tags).strongReference(true).register(registry)
                // TO ADD when Scheduler.stats() lands (KV pages used, prompt-cache hits and reused tokens):
                // its gauges and function counters here, one per field of the snapshot, same tags.
        );
    }
}
