package dev.vane.spark;

import dev.vane.model.Model;
import dev.vane.model.Scheduler;
import java.util.HashMap;
import java.util.Map;

/**
 * The schedulers the SQL functions share in this JVM, one per model and settings: a SQL
 * function is called a row at a time on each task's thread, so rows are batched across the
 * tasks that run at once in the executor (up to batchSize of them stepped together), not within
 * one partition as {@link VaneGenerator} batches them. Closed at JVM exit, before the models
 * ({@link ExecutorModels}' shutdown hook).
 */
final class SharedSchedulers {
    private record Key(ModelSpec spec, GeneratorSettings settings) {}

    // Every task thread of an executor may wait in it at once: far more than any executor's cores.
    private static final int QUEUE = 1024;
    private static final Map<Key, Scheduler> SCHEDULERS = new HashMap<>();  // under the class lock

    private SharedSchedulers() {}

    static synchronized Scheduler get(ModelSpec spec, GeneratorSettings settings) {
        Key key = new Key(spec, settings);
        Scheduler s = SCHEDULERS.get(key);
        if (s != null) return s;
        Model model = ExecutorModels.get(spec);
        s = model.newScheduler(settings.schedulerOptions(model.config()).withQueueCapacity(Math.max(QUEUE, settings.maxInFlight())));
        SCHEDULERS.put(key, s);
        return s;
    }

    /** Closes every shared scheduler (cancelling what runs); a later call opens a new one. */
    static synchronized void closeAll() {
        for (Scheduler s : SCHEDULERS.values()) s.close();
        SCHEDULERS.clear();
    }
}
