package dev.vane.bench.soak;

import dev.vane.model.Batch;
import dev.vane.model.GenerationOptions;
import dev.vane.model.Model;
import dev.vane.model.Scheduler;
import dev.vane.model.SchedulerOptions;
import dev.vane.model.Session;
import dev.vane.model.SessionOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The soak's last phase: generations running on every path at once (a session per thread, a
 * batch, scheduler requests), each starting over when it ends, then {@link Model#close()} from
 * the main thread while they run, not at a pause: each must fail with IllegalStateException "the
 * model is closed" and then close as usual. Returns how long close() took.
 */
final class CloseWhileRunning {
    static final String MODEL_CLOSED = "the model is closed";

    private CloseWhileRunning() {}

    /** Figures of the phase: generations that failed cleanly, and close()'s duration. */
    record Outcome(int clean, int expected, double closeMillis) {}

    static Outcome run(Model model, SoakPrompts prompts, SoakCounters counters, int threads) throws InterruptedException {
        int context = Math.min(model.config().contextLength(), 1024);
        int longest = 0;
        for (int[] p : prompts.prompts()) longest = Math.max(longest, p.length);
        GenerationOptions forever = GenerationOptions.greedy(context - longest - 1).withIgnoreEos(true);  // as long as the context allows
        SessionOptions options = SessionOptions.defaults(model.config()).withContextLength(context);
        int requests = Math.max(2, threads);
        CountDownLatch streaming = new CountDownLatch(threads + 1 + requests);
        AtomicInteger clean = new AtomicInteger();
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int[] prompt = prompts.prompts()[t % prompts.count()];
            running.add(Thread.ofPlatform().name("soak-close-session-" + t).start(() -> {
                try (Session s = model.newSession(options)) {
                    boolean[] first = {true};
                    while (true) {  // until the model's close ends it
                        s.truncate(0);
                        s.generate(prompt, forever, tok -> {
                            if (first[0]) streaming.countDown();
                            first[0] = false;
                            return true;
                        });
                    }
                } catch (IllegalStateException e) {
                    expectClosed("a session", e, clean, counters);
                } catch (Throwable e) {
                    counters.fail("a session's generation failed with " + e + ", not the model's close");
                }
            }));
        }
        running.add(Thread.ofPlatform().name("soak-close-batch").start(() -> {
            List<Session> sessions = new ArrayList<>();
            try (Batch batch = model.newBatch(2)) {
                List<Batch.Request> rows = new ArrayList<>();
                boolean[] first = {true};  // the first token of either row counts the batch as streaming
                for (int j = 0; j < 2; j++) {
                    Session s = model.newSession(options);
                    sessions.add(s);
                    rows.add(new Batch.Request(s, prompts.prompts()[j % prompts.count()], forever, tok -> {
                        if (first[0]) streaming.countDown();
                        first[0] = false;
                        return true;
                    }));
                }
                while (true) {
                    for (Session s : sessions) s.truncate(0);
                    batch.generate(rows);
                }
            } catch (IllegalStateException e) {
                expectClosed("a batch", e, clean, counters);
            } catch (Throwable e) {
                counters.fail("a batch's generation failed with " + e + ", not the model's close");
            } finally {
                for (Session s : sessions) s.close();
            }
        }));
        Scheduler scheduler = model.newScheduler(SchedulerOptions.defaults(model.config()).withCapacity(requests).withContextLength(context)
                .withPoolTokens(requests * context));
        for (int r = 0; r < requests; r++) {
            int[] prompt = prompts.prompts()[r % prompts.count()];
            running.add(Thread.ofPlatform().name("soak-close-request-" + r).start(() -> {
                boolean[] first = {true};
                try {
                    while (true) {  // a request after another, until the model's close fails one
                        scheduler.submit(prompt, forever, tok -> {
                            if (first[0]) streaming.countDown();
                            first[0] = false;
                            return true;
                        }).result().get(120, TimeUnit.SECONDS);
                    }
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IllegalStateException ise) expectClosed("a scheduler request", ise, clean, counters);
                    else counters.fail("a scheduler request failed with " + e.getCause() + ", not the model's close");
                } catch (IllegalStateException e) {  // submitted after the close
                    expectClosed("a scheduler submit", e, clean, counters);
                } catch (TimeoutException e) {
                    counters.fail("a scheduler request gave no result within 120 s");
                } catch (InterruptedException e) {
                    counters.fail("a scheduler request's thread was interrupted");
                }
            }));
        }
        if (!streaming.await(120, TimeUnit.SECONDS)) counters.fail("not every generation of the close phase streamed within 120 s");
        long t0 = System.nanoTime();
        model.close();
        double closeMillis = (System.nanoTime() - t0) / 1e6;
        for (Thread t : running) {
            t.join(TimeUnit.SECONDS.toMillis(120));
            if (t.isAlive()) counters.fail(t.getName() + " did not end within 120 s of the model's close");
        }
        scheduler.close();
        if (model.openHandles() != 0) counters.fail(model.openHandles() + " sessions, batches or schedulers still open after their owners closed them");
        return new Outcome(clean.get(), threads + 1 + requests, closeMillis);
    }

    private static void expectClosed(String who, IllegalStateException e, AtomicInteger clean, SoakCounters counters) {
        if (MODEL_CLOSED.equals(e.getMessage())) clean.incrementAndGet();
        else counters.fail(who + " failed with IllegalStateException \"" + e.getMessage() + "\", not \"" + MODEL_CLOSED + "\"");
    }
}
