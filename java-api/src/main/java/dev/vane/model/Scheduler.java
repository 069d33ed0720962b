package dev.vane.model;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Continuous batching: generations submitted from any thread run on one scheduler thread that
 * steps every active one together (one {@link Batch} pass per token, a row per generation), and
 * admits a queued request the moment a slot frees, between two steps; each request draws,
 * streams and stops as it would alone ({@link Session#generate(int[], GenerationOptions,
 * TokenListener)}: greedy output is the same token for token).
 *
 * <p>Chunked prefill: an admitted request's prompt runs {@link SchedulerOptions#prefillChunk()}
 * tokens a step, in the same pass as the next token of every generation already running (one
 * prompt at a time, oldest first), so a long prompt does not stall the others; its last chunk's
 * logits give its first token.
 *
 * <p>Prompt caching: a request submitted as tokens ({@link #submit(int[], GenerationOptions,
 * TokenListener)}) runs in a sequence the scheduler owns, in one KV block pool per layer shared by
 * all of them. If its prompt begins as a running or cached sequence does, it forks that one's
 * blocks (copy-on-write) for the shared prefix, at most the prompt's length - 1 tokens (see
 * {@link PromptCache} for the rule), and runs only the rest. A finished sequence (prompt and
 * generated tokens) stays cached until the pool needs its blocks (least recently used first). A
 * request is admitted only when the worst case of every admitted one (prompt + maxTokens positions
 * each, at most the context) fits in the pool, so the pool never runs out while entries can be
 * evicted.
 *
 * <p>Deadlines: a request still queued at its deadline completes exceptionally with a
 * {@link TimeoutException}; one running at its deadline stops before its next token with
 * {@link GenerationResult.StopReason#DEADLINE}.
 *
 * <p>Listeners run on the scheduler thread: they should hand tokens off, not block.
 *
 * <p>After {@link Model#close()} the requests running and queued complete exceptionally with
 * IllegalStateException ("the model is closed") at the next step, and submit refuses new ones
 * with it; close the scheduler as usual.
 *
 * <pre>{@code
 * try (Scheduler s = model.newScheduler(SchedulerOptions.defaults(model.config()))) {
 *     Scheduler.Ticket t = s.submit(prompt, options, token -> true, Instant.now().plusSeconds(30));
 *     GenerationResult r = t.result().join();
 * }
 * }</pre>
 */
public final class Scheduler implements AutoCloseable {
    /** A submitted request: its result, and a way to stop it. */
    public static final class Ticket {
        final int[] prompt;
        final GenerationOptions options;
        final TokenListener listener;
        final long deadline;      // System.nanoTime() at which it expires; Long.MAX_VALUE: none
        final boolean owned;      // the scheduler's own sequence (prompt caching), not the caller's session
        final int worstBlocks;    // owned: the pool blocks it may hold at most
        final long submitted = System.nanoTime();
        private final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        private volatile boolean cancelled;
        // scheduler thread only:
        Session session;
        Generation generation;
        int[] input;              // what its prefill runs (the rest of the prompt after a reused prefix)
        int prefilled;            // of input
        boolean decoding;         // its prompt has run and its first token was drawn
        long startPosition;       // the session before its prompt (restored if it stops part way)
        int startPending;

        private Ticket(Session session, int[] prompt, GenerationOptions options, TokenListener listener, long deadline, int worstBlocks) {
            this.session = session;
            this.prompt = prompt;
            this.options = options;
            this.listener = listener;
            this.deadline = deadline;
            this.owned = session == null;
            this.worstBlocks = worstBlocks;
        }

        /**
         * Completes with the generation's result (stop reason CANCELLED after {@link #cancel()}
         * once it had started, DEADLINE when its deadline passed while it ran), or exceptionally:
         * CancellationException if cancelled or the scheduler closed before it started,
         * TimeoutException if its deadline passed while it waited, the failure's own exception otherwise.
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

        boolean expired(long now) {
            return now - deadline >= 0 && deadline != Long.MAX_VALUE;
        }
    }

    /**
     * A snapshot of the scheduler's counters.
     *
     * @param promptLookups      requests that looked for a reusable prefix (prompt caching on)
     * @param promptHits         those that reused one
     * @param reusedPromptTokens prompt tokens not recomputed, all requests together
     * @param kvBlocksUsed       blocks held in the shared pool's fullest layer (cached and running sequences)
     * @param kvBlocksTotal      blocks per layer in the shared pool (of {@code kvBlockTokens} positions each)
     * @param kvBlockTokens      positions per block
     * @param cachedSequences    finished sequences kept for reuse
     * @param active             generations running (their prompts included)
     * @param queued             requests waiting
     * @param lastStepRows       token rows of the last pass (decode rows plus a prompt chunk)
     */
    public record Stats(long promptLookups, long promptHits, long reusedPromptTokens, int kvBlocksUsed, int kvBlocksTotal, int kvBlockTokens,
            int cachedSequences, int active, int queued, int lastStepRows) {}

    private final Model model;
    private final SchedulerOptions options;
    private final Batch batch;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<Ticket> queue = new ArrayDeque<>();
    private final Thread thread;
    private final OwnedSequences sequences;  // the scheduler's own (prompt caching)
    private volatile int active;      // slots held: written by the scheduler thread only
    private volatile int lastRows;
    private boolean closed;           // under lock

    Scheduler(Model model, SchedulerOptions options) {
        this.model = model;
        this.options = Objects.requireNonNull(options, "options must not be null");
        KvPool.requireFits(model.config(), KvPool.blocksFor(options.pooledPositions()), options.kvStorage());  // before anything is allocated
        this.batch = new Batch(model, options.capacity(), options.prefillChunk());
        this.sequences = new OwnedSequences(model, options);
        this.thread = Thread.ofPlatform().name("vane-scheduler").daemon(true).unstarted(this::loop);
        thread.start();
    }

    /** The most generations stepped together. */
    public int capacity() {
        return batch.capacity();
    }

    public SchedulerOptions options() {
        return options;
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

    /** The counters now (each read on its own: a snapshot while the scheduler runs, exact when it is idle). */
    public Stats stats() {
        OwnedSequences o = sequences;
        return new Stats(o.lookups, o.hits, o.reused, o.kvUsed, o.poolBlocks(), Transformer.BLOCK_TOKENS, o.cachedSequences, active, queued(), lastRows);
    }

    /**
     * Queues a request on the caller's session; the session then belongs to the scheduler until
     * the ticket's result completes (no other call on it meanwhile). No prompt caching: the
     * session keeps its own KV cache.
     *
     * @throws RejectedExecutionException when queueCapacity requests already wait (a server answers 429)
     * @throws IllegalStateException after {@link #close()} or the model's close
     */
    public Ticket submit(Batch.Request request) {
        return submit(request, null);
    }

    /** {@link #submit(Batch.Request)} with a deadline (null: none); see {@link Ticket#result()}. */
    public Ticket submit(Batch.Request request, Instant deadline) {
        Objects.requireNonNull(request, "request must not be null");
        if (request.session().model() != model) throw new IllegalArgumentException("a session of another model");
        return enqueue(new Ticket(request.session(), request.prompt(), request.options(), request.listener(), nanos(deadline), 0));
    }

    /**
     * Queues a generation continuing prompt (token ids, BOS included if wanted) in a sequence the
     * scheduler owns, reusing the KV blocks of a cached or running sequence that begins the same way.
     *
     * @throws IllegalArgumentException for an empty prompt, a token outside the vocabulary, a prompt
     *     longer than the context, or a request whose worst case (prompt + maxTokens positions, at
     *     most the context) is larger than the pool
     * @throws RejectedExecutionException when queueCapacity requests already wait
     * @throws IllegalStateException after {@link #close()} or the model's close
     */
    public Ticket submit(int[] prompt, GenerationOptions options, TokenListener listener) {
        return submit(prompt, options, listener, null);
    }

    /** {@link #submit(int[], GenerationOptions, TokenListener)} with a deadline (null: none); see {@link Ticket#result()}. */
    public Ticket submit(int[] prompt, GenerationOptions options, TokenListener listener, Instant deadline) {
        Objects.requireNonNull(prompt, "prompt must not be null");
        Objects.requireNonNull(options, "options must not be null");
        Objects.requireNonNull(listener, "listener must not be null");
        int[] p = prompt.clone();
        int blocks = sequences.worstBlocks(p, options);
        return enqueue(new Ticket(null, p, options, listener, nanos(deadline), blocks));
    }

    // An Instant as a System.nanoTime() deadline (saturating); null: none.
    private static long nanos(Instant deadline) {
        if (deadline == null) return Long.MAX_VALUE;
        Duration left = Duration.between(Instant.now(), deadline);
        long n;
        try {
            n = left.toNanos();
        } catch (ArithmeticException e) {
            n = left.isNegative() ? -(Long.MAX_VALUE / 4) : Long.MAX_VALUE / 4;
        }
        return System.nanoTime() + Math.max(-(Long.MAX_VALUE / 4), Math.min(Long.MAX_VALUE / 4, n));
    }

    private Ticket enqueue(Ticket t) {
        lock.lock();
        try {
            if (closed) throw new IllegalStateException("the scheduler is closed");
            model.requireOpen();
            // Requests beyond the free slots wait; more than queueCapacity waiting is refused.
            if (queue.size() >= options.queueCapacity() + Math.max(0, batch.capacity() - active))
                throw new RejectedExecutionException("the queue is full: " + queue.size() + " requests wait for " + batch.capacity() + " slots");
            queue.add(t);
            work.signal();
        } finally {
            lock.unlock();
        }
        return t;
    }

    /** Cancels what is queued and running, waits for the scheduler thread to end, frees the batch and the pool. */
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
        sequences.close();
        batch.close();
        model.closed(this);
        if (interrupted) Thread.currentThread().interrupt();
    }

    private void loop() {
        List<Ticket> running = new ArrayList<>();
        while (true) {
            List<Ticket> admitted = new ArrayList<>(), dropped = new ArrayList<>();
            boolean closing;
            lock.lock();
            try {
                while (!closed && running.isEmpty() && queue.isEmpty()) work.awaitUninterruptibly();
                closing = closed;
                long now = System.nanoTime();
                queue.removeIf(t -> (closing || t.cancelled || t.expired(now)) && dropped.add(t));
                // Admit in order while slots are free and the head's worst case fits the pool.
                while (running.size() + admitted.size() < batch.capacity() && !queue.isEmpty()
                        && (!queue.peek().owned || sequences.reserve(queue.peek().worstBlocks))) {
                    admitted.add(queue.poll());
                }
                active = running.size() + admitted.size();  // admitted ones hold their slots while their prompts run
            } finally {
                lock.unlock();
            }
            for (Ticket t : dropped) t.result.completeExceptionally(t.expired(System.nanoTime()) && !closing && !t.cancelled
                    ? new TimeoutException("the deadline passed after " + (System.nanoTime() - t.submitted) / 1_000_000 + " ms in the queue")
                    : new CancellationException(closing ? "the scheduler was closed" : "cancelled before it started"));
            if (closing) {
                for (Ticket t : running) end(t, GenerationResult.StopReason.CANCELLED);
                sequences.publish();
                return;
            }
            for (Ticket t : admitted) if (admit(t, running)) running.add(t);
            long now = System.nanoTime();
            running.removeIf(t -> t.cancelled ? end(t, GenerationResult.StopReason.CANCELLED)
                    : t.expired(now) && end(t, GenerationResult.StopReason.DEADLINE));
            if (!running.isEmpty()) step(running);
            sequences.publish();
        }
    }

    // Gives an admitted request its session (an owned one forked from a reusable prefix, or new)
    // and its prompt input; whether it goes on to run.
    private boolean admit(Ticket t, List<Ticket> running) {
        try {
            int reuse = 0;
            if (t.owned) {
                OwnedSequences.Acquired a = sequences.acquire(t.prompt, ownedSessions(running));
                t.session = a.session();
                reuse = a.reused();
            }
            Session s = t.session;
            t.startPosition = s.position();
            t.startPending = s.pending();
            // The caller's listener itself: each step checks the cancel before it draws, and a token
            // drawn is a token streamed (refusing one drawn just after a cancel would leave it in the
            // result unseen).
            TokenListener listener = t.listener;
            t.input = s.promptInput(Arrays.copyOfRange(t.prompt, reuse, t.prompt.length));
            if (t.input.length > 0) {
                t.generation = s.newGeneration(t.prompt.length, t.options, listener);
                t.generation.arrivedAt(t.submitted);
                return true;
            }
            // An empty prompt on a caller's session continues from its last token, as Session.generate does.
            t.generation = s.start(t.prompt, t.options, listener);
            t.generation.arrivedAt(t.submitted);
            t.decoding = true;
            if (t.generation.draw(s.lastLogits())) return true;
            finish(t);
        } catch (RuntimeException | Error e) {
            fail(t, e);
        }
        return false;
    }

    // The sessions of the running owned requests (a new prompt may fork them).
    private static List<Session> ownedSessions(List<Ticket> running) {
        List<Session> out = new ArrayList<>();
        for (Ticket r : running) if (r.owned) out.add(r.session);
        return out;
    }

    // One pass: the next token of every decoding request, and the next chunk of the oldest prompt.
    private void step(List<Ticket> running) {
        List<Ticket> in = new ArrayList<>();
        List<Session> sessions = new ArrayList<>();
        List<int[]> inputs = new ArrayList<>(), pieces = new ArrayList<>();
        List<Boolean> want = new ArrayList<>();
        boolean chunked = false;
        for (Ticket t : List.copyOf(running)) {
            int[] input, piece;
            if (t.decoding) {
                try {
                    input = t.session.stepInput(-1);
                } catch (RuntimeException | Error e) {
                    fail(t, e);
                    running.remove(t);
                    continue;
                }
                piece = new int[] {0, input.length};
            } else if (!chunked) {
                chunked = true;
                int most = t.owned ? options.prefillChunk() : Math.min(options.prefillChunk(), t.session.transformer().maxChunk());
                input = t.input;
                piece = new int[] {t.prefilled, Math.min(most, input.length - t.prefilled)};
            } else {
                continue;
            }
            in.add(t);
            sessions.add(t.session);
            inputs.add(input);
            pieces.add(piece);
            want.add(t.decoding || piece[0] + piece[1] == input.length);
        }
        if (in.isEmpty()) return;
        int need = 0;
        for (int i = 0; i < in.size(); i++) if (in.get(i).owned) need += OwnedSequences.blocksToAppend(in.get(i).session, pieces.get(i)[1]);
        sequences.makeRoom(need);  // cached sequences give way for this pass's blocks
        boolean[] wantLogits = new boolean[in.size()];
        int rows = 0;
        for (int i = 0; i < wantLogits.length; i++) {
            wantLogits[i] = want.get(i);
            rows += pieces.get(i)[1];
        }
        lastRows = rows;
        float[][] logits;
        try {
            logits = batch.run(sessions, inputs.toArray(int[][]::new), pieces.toArray(int[][]::new), wantLogits);
        } catch (RuntimeException | Error e) {
            for (Ticket t : in) fail(t, e);
            running.removeAll(in);
            return;
        }
        long now = System.nanoTime();
        for (int i = 0; i < in.size(); i++) {
            Ticket t = in.get(i);
            try {
                if (!t.decoding) {
                    t.prefilled += pieces.get(i)[1];
                    if (!wantLogits[i]) continue;
                    t.decoding = true;
                    t.generation.prefilled();
                }
                if (t.cancelled) end(t, GenerationResult.StopReason.CANCELLED);
                else if (t.expired(now)) end(t, GenerationResult.StopReason.DEADLINE);
                else if (t.generation.draw(logits[i])) continue;
                else finish(t);
                running.remove(t);
            } catch (RuntimeException | Error e) {  // a listener's failure ends its own request only
                fail(t, e);
                running.remove(t);
            }
        }
    }

    // Stops a running request for reason before its next token.
    private boolean end(Ticket t, GenerationResult.StopReason reason) {
        if (!t.decoding && !t.owned) t.session.restore(t.startPosition, t.startPending);  // a caller's session as before its prompt
        t.generation.end(reason);
        return finish(t);
    }

    // A request ends: its slot frees (and an owned sequence goes to the cache) before its future
    // completes, so a caller woken by the result sees active() and stats() without it.
    private boolean finish(Ticket t) {
        GenerationResult r = t.generation.result();
        release(t, true);
        t.result.complete(r);
        return true;
    }

    private void fail(Ticket t, Throwable e) {
        if (t.session != null && !t.decoding && !t.owned) t.session.restore(t.startPosition, t.startPending);
        release(t, false);
        t.result.completeExceptionally(e);
    }

    private void release(Ticket t, boolean keep) {
        active--;
        if (t.owned) sequences.release(t.session, t.worstBlocks, keep);
        sequences.publish();  // before the future completes: a caller woken by it sees the counters with it
    }
}
