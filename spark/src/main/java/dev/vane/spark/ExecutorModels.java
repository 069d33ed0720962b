package dev.vane.spark;

import dev.vane.Vane;
import dev.vane.model.Model;
import dev.vane.model.WeightFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.TaskContext;

/**
 * The models of this JVM (an executor, or the driver in local mode): one {@link Model} per file
 * and weight format, opened by the first task that asks for it, shared by every task after it
 * (a Model is thread-safe; each task runs its own sessions), and closed when the JVM exits.
 * Tasks never close them: an executor runs many tasks, and mapping the file again for each would
 * cost a load per task.
 *
 * <p>Before the first model is opened the native thread pool is sized to the task's
 * {@code spark.task.cpus} (unless the executor sets VANE_THREADS): each task drives its own
 * batch, so an executor of N cores running N / spark.task.cpus tasks keeps N threads busy.
 */
public final class ExecutorModels {
    private record Key(Path file, WeightFormat format) {}

    private static final Map<Key, Model> MODELS = new HashMap<>();  // under the class lock
    private static final Map<Key, AtomicLong> LOADS = new ConcurrentHashMap<>();
    private static final AtomicLong TOTAL_LOADS = new AtomicLong();
    private static boolean hookAdded;     // under the class lock
    private static boolean threadsSet;    // under the class lock

    private ExecutorModels() {}

    /**
     * The model spec names, opened now if this JVM has not opened it yet.
     *
     * @throws IllegalArgumentException if the file is not found (see {@link ModelFiles#resolve})
     * @throws UncheckedIOException if it cannot be read
     */
    public static Model get(ModelSpec spec) {
        Key key = new Key(ModelFiles.resolve(spec.path()), spec.format());
        synchronized (ExecutorModels.class) {
            Model m = MODELS.get(key);
            if (m != null) return m;
            sizeThreads();
            try {
                m = Model.load(key.file(), key.format());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load the model " + key.file() + ": " + e.getMessage(), e);
            }
            MODELS.put(key, m);
            LOADS.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
            TOTAL_LOADS.incrementAndGet();
            if (!hookAdded) {
                Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("vane-spark-close-models").unstarted(ExecutorModels::shutdown));
                hookAdded = true;
            }
            return m;
        }
    }

    /** How many times this JVM has loaded the model spec names (0 if never; 1 however many tasks used it). */
    public static long loads(ModelSpec spec) {
        AtomicLong n = LOADS.get(new Key(ModelFiles.resolve(spec.path()), spec.format()));
        return n == null ? 0 : n.get();
    }

    /** Model loads in this JVM, every model together. */
    public static long totalLoads() {
        return TOTAL_LOADS.get();
    }

    /** Models open in this JVM now. */
    public static synchronized int open() {
        return MODELS.size();
    }

    /**
     * Closes every model of this JVM that no task is using (a driver that ran local-mode jobs may
     * call it to unmap the files early); a model with sessions, batches or schedulers still open
     * (a task running on it) stays open. A later task opens a closed model again, counted as a new
     * load. Returns the models left open.
     */
    public static synchronized int closeAll() {
        MODELS.values().removeIf(m -> {
            if (m.openHandles() > 0) return false;  // closing would fail the task running on it
            m.close();
            return true;
        });
        return MODELS.size();
    }

    // At JVM exit: the SQL functions' schedulers first (their sessions hold the models open), then the
    // models. One hook for both, since the JVM runs separate hooks in no fixed order. A model a
    // task still runs on when the executor is killed stays mapped until the process is gone.
    private static void shutdown() {
        SharedSchedulers.closeAll();
        closeAll();
    }

    // The native pool sized to the task's CPUs, once per JVM, before any model runs.
    private static void sizeThreads() {
        if (threadsSet) return;
        threadsSet = true;
        String env = System.getenv("VANE_THREADS");
        if (env != null && !env.isBlank()) return;
        TaskContext task = TaskContext.get();
        if (task != null) Vane.setThreads(Math.max(1, task.cpus()));
    }
}
