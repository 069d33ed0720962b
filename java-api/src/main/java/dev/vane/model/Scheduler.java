package dev.vane.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Continuous batching: generations submitted from any thread run on one scheduler thread that
 * steps every active one together (one {@link Batch} pass per token, a row per generation), and
 * admits a queued request the moment a slot frees, between two steps; each request draws,
 * streams and stops as it would alone ({@link Session#generate(int[], GenerationOptions,
 * TokenListener)}: greedy output is the same token for token). A request's prompt runs when it
 * is admitted, before the next step (long prompts are not yet split into chunks between steps).
 * Listeners run on the scheduler thread: they should hand tokens off, not block.
 *
 * <pre>{@code
 * try (Scheduler s = model.newScheduler(8, 64)) {
 *     Scheduler.Ticket t = s.submit(new Batch.Request(model.newSession(), prompt, options, token -> true));
 *     GenerationResult r = t.result().join();
 * }
 * }</pre>
 */
public final class Scheduler implements AutoCloseable {
    /** A submitted request: its result, and a way to stop it. */
    public static final class Ticket {
        private final Batch.Request request;
        private final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        private volatile boolean cancelled;
        private Generation generation;  // scheduler thread only

        private Ticket(Batch.Request request) {
            this.request = request;
        }

        /**
         * Completes with the generation's result (stop reason CANCELLED after {@link #cancel()} once
         * it had started), or exceptionally: CancellationException if cancelled or the scheduler
         * closed before it started, the failure's own exception otherwise.
         */
        public CompletableFuture<GenerationResult> result() {
            return result;
        }

        /** Stops the generation before its next token (or drops it from the queue). Idempotent. */
        public void cancel() {
            cancelled = true;
        }

        public boolean isCancelled() {
            return cancelled;
        }
    }

    private final Batch batch;
    private final int queueCapacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<Ticket> queue = new ArrayDeque<>();
    private final Thread thread;
    private volatile int active;  // slots held: written by the scheduler thread only
    private boolean closed;  // under lock

    Scheduler(Model model, int capacity, int queueCapacity) {
        if (queueCapacity < 0) throw new IllegalArgumentException("queueCapacity must be >= 0, got " + queueCapacity);
        this.batch = model.newBatch(capacity);
        this.queueCapacity = queueCapacity;
        this.thread = Thread.ofPlatform().name("vane-scheduler").daemon(true).unstarted(this::loop);
        thread.start();
    }

    /** The most generations stepped together. */
    public int capacity() {
        return batch.capacity();
    }

    /** Requests waiting for a slot. */
    public int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Generations running now. */
    public int active() {
        return active;
    }

    /**
     * Queues a request; its session then belongs to the scheduler until the ticket's result
     * completes (no other call on it meanwhile).
     *
     * @throws RejectedExecutionException when queueCapacity requests already wait (a server answers 429)
     * @throws IllegalStateException after {@link #close()}
     */
    public Ticket submit(Batch.Request request) {
        Objects.requireNonNull(request, "request must not be null");
        if (request.session().model() != batch.model()) throw new IllegalArgumentException("a session of another model");
        Ticket t = new Ticket(request);
        lock.lock();
        try {
            if (closed) throw new IllegalStateException("the scheduler is closed");
            // Requests beyond the free slots wait; more than queueCapacity waiting is refused.
            if (queue.size() >= queueCapacity + Math.max(0, batch.capacity() - active))
                throw new RejectedExecutionException("the queue is full: " + queue.size() + " requests wait for " + batch.capacity() + " slots");
            queue.add(t);
            work.signal();
        } finally {
            lock.unlock();
        }
        return t;
    }

    /** Cancels what is queued and running, waits for the scheduler thread to end, frees the batch. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            work.signal();
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        batch.close();
        if (interrupted) Thread.currentThread().interrupt();
    }

    private void loop() {
        List<Ticket> running = new ArrayList<>();
        while (true) {
            List<Ticket> admitted = new ArrayList<>();
            lock.lock();
            try {
                while (!closed && running.isEmpty() && queue.isEmpty()) work.awaitUninterruptibly();
                if (closed) {
                    for (Ticket t : queue) t.result.completeExceptionally(new CancellationException("the scheduler was closed"));
                    queue.clear();
                    for (Ticket t : running) finish(t, true);
                    return;
                }
                while (running.size() + admitted.size() < batch.capacity() && !queue.isEmpty()) admitted.add(queue.poll());
                active = running.size() + admitted.size();  // admitted ones hold their slots while their prompts run
            } finally {
                lock.unlock();
            }
            for (Ticket t : admitted) if (start(t)) running.add(t);
            running.removeIf(t -> t.cancelled && finish(t, true));
            if (!running.isEmpty()) step(running);
        }
    }

    // Runs the prompt and draws the first token; whether the generation goes on.
    private boolean start(Ticket t) {
        if (t.cancelled) {
            fail(t, new CancellationException("cancelled before it started"));
            return false;
        }
        Batch.Request r = t.request;
        try {
            t.generation = r.session().start(r.prompt(), r.options(), token -> !t.cancelled && r.listener().onToken(token));
            if (t.generation.draw(r.session().lastLogits())) return true;
            finish(t, false);
        } catch (RuntimeException | Error e) {
            fail(t, e);
        }
        return false;
    }

    private void step(List<Ticket> running) {
        List<Session> sessions = new ArrayList<>(running.size());
        for (Ticket t : running) sessions.add(t.request.session());
        float[][] logits;
        try {
            logits = batch.stepPending(sessions);
        } catch (RuntimeException | Error e) {
            for (Ticket t : running) fail(t, e);
            running.clear();
            return;
        }
        List<Ticket> next = new ArrayList<>(running.size());
        for (int i = 0; i < running.size(); i++) {
            Ticket t = running.get(i);
            try {
                if (t.generation.draw(logits[i])) next.add(t);
                else finish(t, false);
            } catch (RuntimeException | Error e) {  // a listener's failure ends its own request only
                fail(t, e);
            }
        }
        running.clear();
        running.addAll(next);
    }

    // A request ends: its slot frees before its future completes, so a caller woken by the
    // result sees active() without it.
    private boolean finish(Ticket t, boolean cancel) {
        if (cancel) t.generation.cancel();
        GenerationResult r = t.generation.result();
        active--;
        t.result.complete(r);
        return true;
    }

    private void fail(Ticket t, Throwable e) {
        active--;
        t.result.completeExceptionally(e);
    }
}
