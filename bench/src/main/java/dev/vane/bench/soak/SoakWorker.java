package dev.vane.bench.soak;

import dev.vane.model.Batch;
import dev.vane.model.GenerationResult;
import dev.vane.model.GenerationResult.StopReason;
import dev.vane.model.Model;
import dev.vane.model.Scheduler;
import dev.vane.model.SchedulerOptions;
import dev.vane.model.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One soak thread: until told to stop, generations of seeded prompts, each checked against its
 * single-threaded run, in a random mix: on a session of its own (kept and reused, or closed),
 * several sessions in a {@link Batch}, or requests to the scheduler every thread shares; ended
 * early at random by a listener's false, {@link Scheduler.Ticket#cancel()}, closing the session
 * from its own listener, or closing the shared scheduler (and opening the next) while requests
 * run on it.
 */
final class SoakWorker implements Runnable {
    static final String SESSION_CLOSED = "the session is closed";

    private final Model model;
    private final SoakPrompts prompts;
    private final SoakCounters counters;
    private final AtomicReference<Scheduler> scheduler;
    private final AtomicBoolean stop;
    private final Random random;
    private final String name;
    private Session session;  // this thread's own, reused across generations until closed

    SoakWorker(Model model, SoakPrompts prompts, SoakCounters counters, AtomicReference<Scheduler> scheduler, AtomicBoolean stop, long seed, String name) {
        this.model = model;
        this.prompts = prompts;
        this.counters = counters;
        this.scheduler = scheduler;
        this.stop = stop;
        this.random = new Random(seed);
        this.name = name;
    }

    /** The options of the scheduler the threads share. */
    static SchedulerOptions schedulerOptions(Model model, SoakPrompts prompts) {
        return SchedulerOptions.defaults(model.config()).withCapacity(4).withQueueCapacity(64).withContextLength(prompts.contextLength());
    }

    @Override
    public void run() {
        try {
            while (!stop.get()) {
                int action = random.nextInt(100);
                try {
                    if (action < 40) onSession();
                    else if (action < 55) onBatch();
                    else onScheduler();
                } catch (RuntimeException e) {  // counted; the thread goes on with a new session
                    counters.fail(name + ": " + e);
                    if (session != null) session.close();
                    session = null;
                }
            }
        } catch (InterruptedException | Error e) {
            counters.fail(name + " stopped: " + e);
        } finally {
            if (session != null) session.close();
        }
    }

    private int maxTokens() {
        return prompts.options().maxTokens();
    }

    // A tokens' record from a listener (listeners of one generation run on one thread at a time).
    private static final class Seen {
        final List<Integer> ids = new ArrayList<>();

        int[] array() {
            return ids.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    private void onSession() {
        int i = random.nextInt(prompts.count());
        if (session == null) {
            session = model.newSession(prompts.sessionOptions(model));
            counters.sessions.increment();
        }
        Session s = session;
        s.truncate(0);
        int mode = random.nextInt(10);                   // 0-5: run to the end, 6-7: the listener cancels, 8-9: it closes the session
        boolean closes = mode >= 8, cancels = mode == 6 || mode == 7;
        int at = random.nextInt(closes ? maxTokens() - 1 : maxTokens());  // closing at the last token would end the run as usual
        Seen seen = new Seen();
        counters.generations.increment();
        try {
            GenerationResult g = s.generate(prompts.prompts()[i], prompts.options(), t -> {
                seen.ids.add(t.id());
                counters.tokens.increment();
                if (closes && t.index() == at) s.close();
                return !(cancels && t.index() == at);
            });
            if (closes) counters.fail(name + ": closing the session from its listener at token " + at + " did not fail the generation");
            else check("session", i, g, seen, cancels ? StopReason.CANCELLED : StopReason.MAX_TOKENS, cancels ? at + 1 : maxTokens());
        } catch (IllegalStateException e) {
            if (!closes || !SESSION_CLOSED.equals(e.getMessage())) throw e;
            counters.sessionCloses.increment();
            session = null;
            expectPrefix("session closed by its listener", i, seen.array(), at + 1);
            return;
        }
        if (random.nextInt(8) == 0) {  // now and then a session ends its life between generations
            s.close();
            session = null;
        }
    }

    private void onBatch() {
        int k = 2 + random.nextInt(3);
        int cancelRow = random.nextInt(2 * k), at = random.nextInt(maxTokens());  // a row past k: none cancels
        List<Session> sessions = new ArrayList<>();
        try (Batch batch = model.newBatch(k)) {
            List<Batch.Request> requests = new ArrayList<>();
            int[] which = new int[k];
            Seen[] seen = new Seen[k];
            for (int j = 0; j < k; j++) {
                Session s = model.newSession(prompts.sessionOptions(model));
                sessions.add(s);
                counters.sessions.increment();
                which[j] = random.nextInt(prompts.count());
                Seen rec = seen[j] = new Seen();
                boolean cancels = j == cancelRow;
                requests.add(new Batch.Request(s, prompts.prompts()[which[j]], prompts.options(), t -> {
                    rec.ids.add(t.id());
                    counters.tokens.increment();
                    return !(cancels && t.index() == at);
                }));
            }
            counters.batches.increment();
            counters.generations.add(k);
            List<GenerationResult> out = batch.generate(requests);
            for (int j = 0; j < k; j++) {
                boolean cancels = j == cancelRow;
                check("batch row " + j + " of " + k, which[j], out.get(j), seen[j], cancels ? StopReason.CANCELLED : StopReason.MAX_TOKENS,
                        cancels ? at + 1 : maxTokens());
            }
        } finally {
            for (Session s : sessions) s.close();
        }
    }

    private void onScheduler() throws InterruptedException {
        int i = random.nextInt(prompts.count());
        int mode = random.nextInt(20);  // 0-13: wait for the result, 14-16: the listener cancels, 17-18: Ticket.cancel(), 19: close the scheduler
        boolean listenerCancels = mode >= 14 && mode <= 16, ticketCancels = mode == 17 || mode == 18, closes = mode == 19;
        int at = random.nextInt(maxTokens());
        Scheduler s = scheduler.get();
        Seen seen = new Seen();
        Scheduler.Ticket ticket;
        try {
            ticket = s.submit(prompts.prompts()[i], prompts.options(), t -> {
                seen.ids.add(t.id());
                counters.tokens.increment();
                return !(listenerCancels && t.index() == at);
            });
        } catch (IllegalStateException e) {  // another thread closed it between our get and submit
            if (!"the scheduler is closed".equals(e.getMessage())) throw e;
            counters.droppedByClose.increment();
            return;
        } catch (RejectedExecutionException e) {
            counters.fail(name + ": the scheduler's queue of 64 was full with at most one request per thread: " + e.getMessage());
            return;
        }
        counters.generations.increment();
        if (ticketCancels) {
            Thread.sleep(random.nextInt(4));
            ticket.cancel();
        }
        if (closes) {
            Thread.sleep(random.nextInt(4));
            Scheduler next = model.newScheduler(schedulerOptions(model, prompts));
            if (scheduler.compareAndSet(s, next)) {
                s.close();  // cancels this thread's request and whatever the others run on it
                counters.schedulerCloses.increment();
            } else {
                next.close();
            }
        }
        GenerationResult g;
        try {
            g = ticket.result().get(120, TimeUnit.SECONDS);
        } catch (CancellationException e) {  // dropped before it started: get() throws it as it is, not wrapped
            boolean closed = scheduler.get() != s;
            if (closed) counters.droppedByClose.increment();
            else if (ticketCancels) counters.cancelled.increment();
            else counters.fail(name + ": scheduler request of prompt " + i + " was cancelled, though neither it nor its scheduler was: " + e.getMessage());
            return;
        } catch (ExecutionException e) {
            counters.fail(name + ": scheduler request of prompt " + i + " failed: " + e.getCause());
            return;
        } catch (TimeoutException e) {
            counters.fail(name + ": scheduler request of prompt " + i + " gave no result within 120 s");
            return;
        }
        boolean closed = scheduler.get() != s;  // then its close may have cancelled the request at any token
        if (g.stopReason() == StopReason.CANCELLED && (closed || ticketCancels)) {
            if (closed) counters.droppedByClose.increment();
            else counters.cancelled.increment();
            expectPrefix("scheduler request cancelled", i, g.tokens(), -1);
            if (!java.util.Arrays.equals(g.tokens(), seen.array())) counters.fail(name + ": a cancelled request's tokens differ from those it streamed");
            return;
        }
        check("scheduler", i, g, seen, listenerCancels ? StopReason.CANCELLED : StopReason.MAX_TOKENS, listenerCancels ? at + 1 : maxTokens());
    }

    // A finished generation: the stop reason and length wanted, its tokens those it streamed and a prefix of the prompt's run.
    private void check(String where, int i, GenerationResult g, Seen seen, StopReason reason, int length) {
        if (g.stopReason() != reason || g.tokens().length != length) {
            counters.fail(name + ": " + where + " of prompt " + i + " stopped " + g.stopReason() + " after " + g.tokens().length + " tokens, want " + reason
                    + " after " + length);
            return;
        }
        if (!java.util.Arrays.equals(g.tokens(), seen.array())) {
            counters.fail(name + ": " + where + ": the result's tokens differ from those streamed");
            return;
        }
        String m = prompts.mismatch(i, g.tokens(), length == maxTokens());
        if (m != null) counters.fail(name + ": " + where + ": " + m);
        else if (reason == StopReason.CANCELLED) counters.cancelled.increment();
        else counters.compared.increment();
    }

    // Tokens of a generation ended early: a prefix of the prompt's run (of length, unless -1).
    private void expectPrefix(String where, int i, int[] got, int length) {
        if (length >= 0 && got.length != length) {
            counters.fail(name + ": " + where + ": " + got.length + " tokens streamed, want " + length);
            return;
        }
        String m = prompts.mismatch(i, got, false);
        if (m != null) counters.fail(name + ": " + where + ": " + m);
    }
}
