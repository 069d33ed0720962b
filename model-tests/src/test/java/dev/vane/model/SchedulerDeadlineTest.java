package dev.vane.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.attention.KvCache;
import dev.vane.model.gguf.GgmlType;
import dev.vane.tools.generate.ModelGenerator;
import dev.vane.tools.generate.ModelSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-request deadlines in a {@link Scheduler}: a request still queued at its deadline fails with
 * a TimeoutException; one running stops before its next token with StopReason.DEADLINE, its
 * tokens so far those it gives alone; one whose prompt is still running stops with none, and a
 * caller's session is left as before the request.
 */
class SchedulerDeadlineTest {
    @TempDir
    Path dir;

    private Model tiny() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        ModelGenerator.writeGguf(ModelSpec.tinyLlama(GgmlType.Q8_0), file);
        return Model.load(file);
    }

    private static SchedulerOptions f32(Model m) {
        return SchedulerOptions.defaults(m.config()).withKvStorage(KvCache.Storage.F32);
    }

    private static int[] ids(Model m, String text) {
        return m.tokenizer().encode(text, true);
    }

    @Test
    void aQueuedRequestPastItsDeadlineFailsWithTimeout() throws Exception {
        try (Model model = tiny(); Scheduler s = model.newScheduler(f32(model).withCapacity(1))) {
            CountDownLatch holding = new CountDownLatch(1), release = new CountDownLatch(1);
            Scheduler.Ticket running = s.submit(ids(model, "hello"), GenerationOptions.greedy(1000).withIgnoreEos(true), t -> {
                holding.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return true;
            });
            assertTrue(holding.await(30, TimeUnit.SECONDS));
            Scheduler.Ticket late;
            try {
                late = s.submit(ids(model, "the sea"), GenerationOptions.greedy(4), t -> true, Instant.now().plusMillis(50));
                Thread.sleep(150);  // the only slot stays busy past the deadline
            } finally {
                release.countDown();
            }
            CompletionException e = assertThrows(CompletionException.class, () -> late.result().join());
            assertInstanceOf(TimeoutException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("deadline passed"), e.getCause().getMessage());
            running.cancel();
            assertEquals(GenerationResult.StopReason.CANCELLED, running.result().get(30, TimeUnit.SECONDS).stopReason());
            // A deadline already past: never started.
            CompletionException e2 = assertThrows(CompletionException.class,
                    () -> s.submit(ids(model, "a"), GenerationOptions.greedy(4), t -> true, Instant.now().minusSeconds(1)).result().join());
            assertInstanceOf(TimeoutException.class, e2.getCause());
        }
    }

    @Test
    void aRunningRequestStopsBeforeItsNextTokenAtItsDeadline() throws Exception {
        try (Model model = tiny()) {
            GenerationOptions o = GenerationOptions.greedy(200).withIgnoreEos(true);
            int[] want;
            try (Session alone = model.newSession(SessionOptions.defaults(model.config()).withKvStorage(KvCache.Storage.F32))) {
                want = alone.generate(ids(model, "hello"), o, t -> true).tokens();
            }
            try (Scheduler s = model.newScheduler(f32(model))) {
                Instant deadline = Instant.now().plusMillis(300);
                Scheduler.Ticket t = s.submit(ids(model, "hello"), o, token -> {
                    if (token.index() == 3) sleepPast(deadline);  // the deadline passes while the 4th token streams
                    return true;
                }, deadline);
                GenerationResult r = t.result().get(30, TimeUnit.SECONDS);
                assertEquals(GenerationResult.StopReason.DEADLINE, r.stopReason());
                assertArrayEquals(Arrays.copyOf(want, 4), r.tokens(), "the tokens before the deadline, as alone");
            }
        }
    }

    @Test
    void aPromptStillRunningAtItsDeadlineStopsWithNoTokensAndLeavesTheSessionAsItWas() throws Exception {
        try (Model model = tiny(); Scheduler s = model.newScheduler(f32(model).withCapacity(2).withPrefillChunk(8))) {
            // Another generation slows every pass to >= 5 ms, so 400 prompt tokens in chunks of 8 take >= 250 ms.
            CountDownLatch decoding = new CountDownLatch(1);
            Scheduler.Ticket slow = s.submit(ids(model, "hello"), GenerationOptions.greedy(100000).withIgnoreEos(true), t -> {
                decoding.countDown();
                sleepPast(Instant.now().plusMillis(5));
                return true;
            });
            assertTrue(decoding.await(30, TimeUnit.SECONDS));
            try (Session own = model.newSession(SessionOptions.defaults(model.config()).withKvStorage(KvCache.Storage.F32))) {
                own.prefill(ids(model, "once upon"));
                int[] before = own.tokens();
                int[] prompt = new SplittableRandom(9).ints(400, 3, 400).toArray();
                Scheduler.Ticket t = s.submit(new Batch.Request(own, prompt, GenerationOptions.greedy(5), tok -> true), Instant.now().plusMillis(100));
                GenerationResult r = t.result().get(30, TimeUnit.SECONDS);
                assertEquals(GenerationResult.StopReason.DEADLINE, r.stopReason());
                assertEquals(0, r.tokens().length);
                assertArrayEquals(before, own.tokens(), "the session as before the request");
                assertEquals(before.length, own.position());
            }
            slow.cancel();
            assertEquals(GenerationResult.StopReason.CANCELLED, slow.result().get(30, TimeUnit.SECONDS).stopReason());
        }
    }

    private static void sleepPast(Instant t) {
        try {
            long ms = Duration.between(Instant.now(), t).toMillis() + 1;
            if (ms > 0) Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
