package dev.vane.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * One model's reporting points: commits the JFR events ({@link JfrEvents}) a recording asks for
 * and tells the registered {@link ModelObserver}s. Cheap when neither wants anything: a
 * shouldCommit() check and a read of the (copy-on-write) observer array.
 */
final class Telemetry {
    private static final System.Logger LOG = System.getLogger(ModelObserver.class.getName());
    private static final Registered[] NONE = {};

    private volatile Registered[] observers = NONE;

    // An observer with its registration: whether it has failed yet (the first failure is a warning).
    private final class Registered implements ModelObserver.Registration {
        final ModelObserver observer;
        volatile boolean failed;

        Registered(ModelObserver observer) {
            this.observer = observer;
        }

        @Override
        public void close() {
            remove(this);
        }
    }

    ModelObserver.Registration add(ModelObserver observer) {
        Objects.requireNonNull(observer, "observer must not be null");
        Registered r = new Registered(observer);
        synchronized (this) {
            Registered[] now = Arrays.copyOf(observers, observers.length + 1);
            now[now.length - 1] = r;
            observers = now;
        }
        return r;
    }

    private synchronized void remove(Registered r) {
        observers = Arrays.stream(observers).filter(o -> o != r).toArray(Registered[]::new);
    }

    void modelLoaded(JfrEvents.ModelLoad e, String source, String format, WeightFormat weightFormat, long weightBytes) {
        e.end();
        if (e.shouldCommit()) {
            e.source = source;
            e.format = format;
            e.weightFormat = weightFormat.toString();
            e.weightBytes = weightBytes;
            e.commit();
        }
    }

    void prefillChunk(JfrEvents.PrefillChunk e, int tokens, long startPosition) {
        long nanos = System.nanoTime() - e.t0;
        e.end();
        if (e.shouldCommit()) {
            e.tokens = tokens;
            e.startPosition = startPosition;
            e.commit();
        }
        Registered[] obs = observers;
        if (obs.length == 0) return;
        ModelObserver.PrefillChunk c = new ModelObserver.PrefillChunk(tokens, startPosition, nanos);
        for (Registered r : obs) {
            try {
                r.observer.prefillChunk(c);
            } catch (RuntimeException x) {
                failed(r, x);
            }
        }
    }

    void decodeStep(JfrEvents.DecodeStep e, int sessions, int rows) {
        long nanos = System.nanoTime() - e.t0;
        e.end();
        if (e.shouldCommit()) {
            e.batchSize = sessions;
            e.tokens = rows;
            e.commit();
        }
        Registered[] obs = observers;
        if (obs.length == 0) return;
        ModelObserver.DecodeStep s = new ModelObserver.DecodeStep(sessions, rows, nanos);
        for (Registered r : obs) {
            try {
                r.observer.decodeStep(s);
            } catch (RuntimeException x) {
                failed(r, x);
            }
        }
    }

    void generationEnded(JfrEvents.Generation e, ModelObserver.GenerationEnd g) {
        e.end();
        if (e.shouldCommit()) {
            e.promptTokens = g.promptTokens();
            e.generatedTokens = g.outputTokens();
            e.timeToFirstToken = g.timeToFirstTokenNanos();
            e.stopReason = g.stopReason().name();
            e.commit();
        }
        for (Registered r : observers) {
            try {
                r.observer.generationEnded(g);
            } catch (RuntimeException x) {
                failed(r, x);
            }
        }
    }

    private static void failed(Registered r, RuntimeException x) {
        System.Logger.Level level = r.failed ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING;
        r.failed = true;
        LOG.log(level, "the model observer " + r.observer + " failed (ignored; the generation goes on)", x);
    }
}
