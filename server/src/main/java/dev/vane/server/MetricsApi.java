package dev.vane.server;

import dev.vane.micrometer.VaneMeters;
import dev.vane.model.Model;
import dev.vane.model.Scheduler;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * GET /metrics: the model's meters ({@link VaneMeters}: OpenTelemetry GenAI names, batch sizes,
 * the scheduler's queue), the guard policy's findings and blocked requests ({@link ServerGuard}) and the JVM's and process's (memory, GC, threads, classes, CPU, uptime)
 * in Prometheus' text format, or in OpenMetrics when the scraper's Accept header asks for it.
 * Served without the API key, as /health is: see docs/OBSERVABILITY.md.
 */
final class MetricsApi implements AutoCloseable {
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS_TEXT = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final VaneMeters vane;

    MetricsApi(Model model, Scheduler scheduler, String modelId) {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        this.vane = VaneMeters.bind(model, modelId, registry).bindScheduler(scheduler);
    }

    /** The registry /metrics renders (the guard's counters join it). */
    io.micrometer.core.instrument.MeterRegistry registry() {
        return registry;
    }

    void handle(ServerRequest req, ServerResponse res) {
        boolean openMetrics = req.headers().first(HeaderNames.ACCEPT).orElse("").contains("application/openmetrics-text");
        String type = openMetrics ? OPENMETRICS_TEXT : PROMETHEUS_TEXT;
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, type);
        res.send(registry.scrape(type));
    }

    @Override
    public void close() {
        vane.close();
        gc.close();
        registry.close();
    }
}
