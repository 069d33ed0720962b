package dev.vane.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.attention.KvCache;
import dev.vane.model.gguf.GgmlType;
import dev.vane.tools.generate.ModelGenerator;
import dev.vane.tools.generate.ModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Continuous batching ({@link Scheduler}): requests submitted from many threads while others run
 * give, greedy, the tokens each gives alone; more requests than slots wait and join as slots
 * free; a full queue refuses; cancellation stops a running or queued request; close ends them all.
 */
class SchedulerTest {
    @TempDir
    Path dir;

    private static SessionOptions f32(Model m) {
        return SessionOptions.defaults(m.config()).withKvStorage(KvCache.Storage.F32);
    }

    private Model tiny() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        ModelGenerator.writeGguf(ModelSpec.tinyLlama(GgmlType.Q8_0), file);
        return Model.load(file);
    }

    private static int[] ids(Model m, String text) {
        return m.tokenizer().encode(text, true);
    }

    @Test
    void concurrentRequestsGiveTheTokensEachGivesAlone() throws Exception {
        String[] prompts = {"the old man said", "hello", "a long time ago in a land far away there lived", "to the world", "said",
                "once", "the sea", "in the", "and then", "a"};
        try (Model model = tiny()) {
            List<GenerationResult> want = new ArrayList<>();
            for (int i = 0; i < prompts.length; i++) {
                try (Session s = model.newSession(f32(model))) {
                    want.add(s.generate(ids(model, prompts[i]), GenerationOptions.greedy(4 + 3 * i).withIgnoreEos(true), t -> true));
                }
            }
            // 3 slots for 10 requests from 10 threads: they wait, and join between steps of the others.
            try (Scheduler scheduler = model.newScheduler(3, 16)) {
                List<Scheduler.Ticket> tickets = new ArrayList<>();
                List<StringBuilder> streamed = new ArrayList<>();
                List<Session> sessions = new ArrayList<>();
                CountDownLatch go = new CountDownLatch(1);
                List<Thread> threads = new ArrayList<>();
                for (int i = 0; i < prompts.length; i++) {
                    Session s = model.newSession(f32(model));
                    sessions.add(s);
                    StringBuilder sb = new StringBuilder();
                    streamed.add(sb);
                    tickets.add(null);
                    int at = i;
                    Batch.Request r = new Batch.Request(s, ids(model, prompts[i]), GenerationOptions.greedy(4 + 3 * i).withIgnoreEos(true), t -> {
                        sb.append(t.text());
                        return true;
                    });
                    threads.add(Thread.ofVirtual().start(() -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            throw new RuntimeException(e);
                        }
                        synchronized (tickets) {
                            tickets.set(at, scheduler.submit(r));
                        }
                    }));
                }
                go.countDown();
                for (Thread t : threads) t.join();
                for (int i = 0; i < prompts.length; i++) {
                    GenerationResult got = tickets.get(i).result().get(60, TimeUnit.SECONDS);
                    assertArrayEquals(want.get(i).tokens(), got.tokens(), "request " + i + ": scheduled vs alone");
                    assertEquals(want.get(i).text(), got.text(), "request " + i);
                    assertEquals(GenerationResult.StopReason.MAX_TOKENS, got.stopReason());
                    assertTrue(got.text().startsWith(streamed.get(i).toString()), "request " + i + ": streamed text");
                }
                assertEquals(0, scheduler.active());
                assertEquals(0, scheduler.queued());
                for (Session s : sessions) s.close();
            }
        }
    }

    @Test
    void ownedSequencesWithChunkedPromptsGiveTheTokensEachGivesAlone() throws Exception {
        // The scheduler's own sequences, prompts run 3 tokens a step beside the others' decoding;
        // prompts that share a beginning ("the ...") reuse each other's KV blocks.
        String[] prompts = {"the old man said", "hello", "a long time ago in a land far away there lived", "the old man", "said",
                "the sea", "in the", "a long time ago", "a"};
        try (Model model = tiny()) {
            List<GenerationResult> want = new ArrayList<>();
            for (int i = 0; i < prompts.length; i++) {
                try (Session s = model.newSession(f32(model))) {
                    want.add(s.generate(ids(model, prompts[i]), GenerationOptions.greedy(4 + 3 * i).withIgnoreEos(true), t -> true));
                }
            }
            SchedulerOptions o = SchedulerOptions.defaults(model.config()).withCapacity(3).withQueueCapacity(16).withPrefillChunk(3)
                    .withKvStorage(KvCache.Storage.F32);
            try (Scheduler scheduler = model.newScheduler(o)) {
                List<Scheduler.Ticket> tickets = new ArrayList<>();
                for (int i = 0; i < prompts.length; i++) {
                    tickets.add(scheduler.submit(ids(model, prompts[i]), GenerationOptions.greedy(4 + 3 * i).withIgnoreEos(true), t -> true));
                }
                for (int i = 0; i < prompts.length; i++) {
                    GenerationResult got = tickets.get(i).result().get(60, TimeUnit.SECONDS);
                    assertArrayEquals(want.get(i).tokens(), got.tokens(), "request " + i + " (" + prompts[i] + "): scheduled vs alone");
                    assertEquals(want.get(i).text(), got.text(), "request " + i);
                }
                Scheduler.Stats st = scheduler.stats();
                assertEquals(prompts.length, st.promptLookups());
                assertTrue(st.promptHits() > 0 && st.reusedPromptTokens() > 0, st.toString());
                assertEquals(0, st.active());
            }
        }
    }

    @Test
    void aLongPromptRunsInChunksWhileOthersDecode() throws Exception {
        try (Model model = tiny()) {
            int[] longPrompt = new java.util.SplittableRandom(5).ints(200, 3, 400).toArray();
            GenerationOptions decodeLong = GenerationOptions.greedy(60).withIgnoreEos(true), few = GenerationOptions.greedy(8).withIgnoreEos(true);
            int[][] prompts = {ids(model, "hello"), ids(model, "the sea"), longPrompt};
            GenerationOptions[] opts = {decodeLong, decodeLong, few};
            List<int[]> want = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                try (Session s = model.newSession(f32(model))) {
                    want.add(s.generate(prompts[i], opts[i], t -> true).tokens());
                }
            }
            int chunk = 16;
            SchedulerOptions o = SchedulerOptions.defaults(model.config()).withCapacity(3).withPrefillChunk(chunk).withKvStorage(KvCache.Storage.F32);
            try (Scheduler scheduler = model.newScheduler(o)) {
                AtomicInteger othersTokens = new AtomicInteger(), maxRows = new AtomicInteger();
                CountDownLatch decoding = new CountDownLatch(1), longSubmitted = new CountDownLatch(1);
                Scheduler.Ticket a = scheduler.submit(prompts[0], opts[0], t -> {
                    othersTokens.incrementAndGet();
                    if (t.index() == 1) {  // hold the scheduler until the long prompt is queued
                        decoding.countDown();
                        try {
                            longSubmitted.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return true;
                });
                Scheduler.Ticket b = scheduler.submit(prompts[1], opts[1], t -> {
                    othersTokens.incrementAndGet();
                    maxRows.accumulateAndGet(scheduler.stats().lastStepRows(), Math::max);
                    return true;
                });
                assertTrue(decoding.await(30, TimeUnit.SECONDS));
                int atSubmit = othersTokens.get();
                AtomicInteger atFirst = new AtomicInteger(-1);
                Scheduler.Ticket longOne;
                try {
                    longOne = scheduler.submit(prompts[2], opts[2], t -> {
                        if (t.index() == 0) atFirst.set(othersTokens.get());
                        return true;
                    });
                } finally {
                    longSubmitted.countDown();
                }
                assertArrayEquals(want.get(2), longOne.result().get(60, TimeUnit.SECONDS).tokens(), "the long prompt: scheduled vs alone");
                assertArrayEquals(want.get(0), a.result().get(60, TimeUnit.SECONDS).tokens(), "a: scheduled vs alone");
                assertArrayEquals(want.get(1), b.result().get(60, TimeUnit.SECONDS).tokens(), "b: scheduled vs alone");
                // 200 tokens in chunks of 16 take 13 passes, each giving both others a token.
                int between = atFirst.get() - atSubmit, passes = (longPrompt.length + chunk - 1) / chunk;
                assertTrue(between >= 2 * (passes - 1), "the others got " + between + " tokens while the long prompt ran in " + passes + " chunks");
                assertEquals(2 + chunk, maxRows.get(), "a pass of two decode rows and a full chunk");
            }
        }
    }

    @Test
    void aFullQueueRefusesAndCancelStops() throws Exception {
        try (Model model = tiny(); Scheduler scheduler = model.newScheduler(1, 1)) {
            CountDownLatch firstToken = new CountDownLatch(1), release = new CountDownLatch(1);
            AtomicInteger tokens = new AtomicInteger();
            // The running request's listener holds the scheduler thread, so the others stay queued.
            Session s1 = model.newSession(f32(model)), s2 = model.newSession(f32(model)), s3 = model.newSession(f32(model));
            Scheduler.Ticket running = scheduler.submit(new Batch.Request(s1, ids(model, "hello"), GenerationOptions.greedy(1000).withIgnoreEos(true), t -> {
                tokens.incrementAndGet();
                firstToken.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return true;
            }));
            assertTrue(firstToken.await(30, TimeUnit.SECONDS));
            try {
                checkFullAndCancel(model, scheduler, running, release, tokens, s2, s3);
            } finally {
                release.countDown();  // never leave the scheduler thread parked in the listener
            }
            s1.close();
            s2.close();
            s3.close();
        }
    }

    private static void checkFullAndCancel(Model model, Scheduler scheduler, Scheduler.Ticket running, CountDownLatch release, AtomicInteger tokens,
                                           Session s2, Session s3) throws Exception {
        {
            Scheduler.Ticket queued = scheduler.submit(new Batch.Request(s2, ids(model, "the"), GenerationOptions.greedy(4), t -> true));
            RejectedExecutionException full = assertThrows(RejectedExecutionException.class,
                    () -> scheduler.submit(new Batch.Request(s3, ids(model, "a"), GenerationOptions.greedy(4), t -> true)));
            assertTrue(full.getMessage().contains("queue is full"), full.getMessage());
            queued.cancel();
            running.cancel();
            release.countDown();
            GenerationResult r = running.result().get(30, TimeUnit.SECONDS);
            assertEquals(GenerationResult.StopReason.CANCELLED, r.stopReason());
            assertTrue(r.tokens().length <= 2 && tokens.get() <= 2, "stopped within a token of the cancel: " + r.tokens().length);
            assertThrows(CancellationException.class, () -> queued.result().join());
            // The session of a finished request is the caller's again, and the scheduler takes new work.
            GenerationResult again = scheduler.submit(new Batch.Request(s3, ids(model, "a"), GenerationOptions.greedy(3).withIgnoreEos(true), t -> true))
                    .result().get(30, TimeUnit.SECONDS);
            assertEquals(3, again.tokens().length);
        }
    }

    @Test
    void failuresStayWithTheirRequestAndCloseEndsTheRest() throws Exception {
        try (Model model = tiny()) {
            Scheduler scheduler = model.newScheduler(2, 8);
            Session bad = model.newSession(f32(model)), good = model.newSession(f32(model)), endless = model.newSession(f32(model));
            // A listener that throws fails its own request only.
            Scheduler.Ticket failing = scheduler.submit(new Batch.Request(bad, ids(model, "hello"), GenerationOptions.greedy(8), t -> {
                throw new IllegalStateException("listener failed");
            }));
            Scheduler.Ticket fine = scheduler.submit(new Batch.Request(good, ids(model, "hello"), GenerationOptions.greedy(5).withIgnoreEos(true), t -> true));
            CompletionException e = assertThrows(CompletionException.class, () -> failing.result().join());
            assertEquals("listener failed", e.getCause().getMessage());
            assertEquals(5, fine.result().get(30, TimeUnit.SECONDS).tokens().length);
            // An empty prompt on an empty session is refused by the session: the request fails with its message.
            Session blank = model.newSession(f32(model));
            Scheduler.Ticket empty = scheduler.submit(new Batch.Request(blank, new int[0], GenerationOptions.greedy(2), t -> true));
            CompletionException e2 = assertThrows(CompletionException.class, () -> empty.result().join());
            assertTrue(e2.getCause().getMessage().contains("prompt is empty"), e2.getCause().getMessage());
            blank.close();
            // close() while a long generation runs: it ends CANCELLED; later submits are refused.
            CountDownLatch started = new CountDownLatch(1);
            Scheduler.Ticket longOne = scheduler.submit(new Batch.Request(endless, ids(model, "the"), GenerationOptions.greedy(100000).withIgnoreEos(true), t -> {
                started.countDown();
                return true;
            }));
            assertTrue(started.await(30, TimeUnit.SECONDS));
            scheduler.close();
            GenerationResult r = longOne.result().get(30, TimeUnit.SECONDS);
            assertTrue(r.stopReason() == GenerationResult.StopReason.CANCELLED || r.stopReason() == GenerationResult.StopReason.CONTEXT_FULL, r.stopReason().name());
            assertThrows(IllegalStateException.class, () -> scheduler.submit(new Batch.Request(good, ids(model, "a"), GenerationOptions.greedy(1), t -> true)));
            bad.close();
            good.close();
            endless.close();
        }
    }
}
