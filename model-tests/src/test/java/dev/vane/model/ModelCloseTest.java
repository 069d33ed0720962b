package dev.vane.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.NativeMemory;
import dev.vane.model.gguf.GgmlType;
import dev.vane.tools.generate.ModelGenerator;
import dev.vane.tools.generate.ModelSpec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model.close() while its sessions, batches and schedulers run: it waits for the pass running on
 * the weights, each of them then fails its next pass with "the model is closed" and is still
 * closed by its owner, and every native byte comes back. Threads meet at latches inside token
 * listeners (which run between passes), so each case is deterministic.
 */
class ModelCloseTest {
    @TempDir
    static Path dir;
    static Path file;
    static final String CLOSED = "the model is closed";
    static final long WAIT = 30;  // seconds: a generous bound for a latch on a loaded CI machine

    @BeforeAll
    static void write() throws Exception {
        file = dir.resolve("tiny.gguf");
        ModelGenerator.writeGguf(ModelSpec.tinyLlama(GgmlType.F32), file);
    }

    private static int[] prompt(Model m) {
        return m.tokenizer().encode("the old man said hello to the world", true);
    }

    private static GenerationOptions longRun() {
        return GenerationOptions.greedy(400).withIgnoreEos(true);
    }

    // The exception a failed future or call carries, unwrapped.
    private static Throwable cause(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(WAIT, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the call did not end within " + WAIT + " s");
        }
        throw new AssertionError("the call succeeded after the model was closed");
    }

    @Test
    void aSessionGeneratingOnAnotherThreadFailsItsNextPassAndClosesAfterwards() throws Exception {
        Model model = Model.load(file);
        Session s = model.newSession();
        int[] ids = prompt(model);
        int[] expected = greedyAlone(model, ids, 3);
        CountDownLatch streaming = new CountDownLatch(1), closed = new CountDownLatch(1);
        List<Integer> seen = new ArrayList<>();
        CompletableFuture<GenerationResult> run = CompletableFuture.supplyAsync(() -> s.generate(ids, longRun(), t -> {
            seen.add(t.id());
            if (seen.size() == 3) {
                streaming.countDown();
                await(closed);
            }
            return true;
        }));
        assertTrue(streaming.await(WAIT, TimeUnit.SECONDS));
        model.close();  // the generating thread is between two passes, in its listener
        closed.countDown();
        Throwable e = cause(run);
        assertInstanceOf(IllegalStateException.class, e);
        assertEquals(CLOSED, e.getMessage());
        assertArrayEquals(expected, seen.stream().mapToInt(Integer::intValue).toArray(), "the tokens before the close are the model's");
        assertEquals(ids.length + 3, s.tokens().length, "the session keeps what ran (the third token pending; the failed pass rolled back)");
        assertEquals(CLOSED, assertThrows(IllegalStateException.class, () -> s.next(ids[0])).getMessage());
        assertEquals(1, model.openHandles());
        s.close();
        s.close();
        assertEquals(0, model.openHandles());
        model.close();  // idempotent
    }

    @Test
    void closeWaitsForThePassRunningOnTheWeights() throws Exception {
        Model model = Model.load(file);
        ModelWeights w = model.weights();
        MemorySegment weights = w.embedding().segment();
        byte first = weights.get(ValueLayout.JAVA_BYTE, 0);
        w.inFlight().enter();  // as a forward pass does before its first native call
        CountDownLatch done = new CountDownLatch(1);
        Thread closer = new Thread(() -> {
            model.close();
            done.countDown();
        });
        closer.start();
        assertFalse(done.await(300, TimeUnit.MILLISECONDS), "close() returned while a pass was running");
        assertEquals(first, weights.get(ValueLayout.JAVA_BYTE, 0), "the weights were freed under a running pass");
        assertTrue(model.isClosed());
        assertThrows(IllegalStateException.class, model::newSession);
        w.inFlight().exit();
        assertTrue(done.await(WAIT, TimeUnit.SECONDS), "close() did not return after the pass ended");
        closer.join();
        assertThrows(IllegalStateException.class, () -> weights.get(ValueLayout.JAVA_BYTE, 0), "the weights were not freed");
    }

    @Test
    void aSchedulerAndABatchFailCleanlyAndCloseAfterTheModel() throws Exception {
        Model model = Model.load(file);
        Scheduler scheduler = model.newScheduler(SchedulerOptions.defaults(model.config()).withCapacity(4).withContextLength(512).withPoolTokens(2048));
        Batch batch = model.newBatch(2);
        Session a = model.newSession(), b = model.newSession();
        assertEquals(4, model.openHandles());
        int[] ids = prompt(model);
        CountDownLatch streaming = new CountDownLatch(2), closed = new CountDownLatch(1);
        List<Scheduler.Ticket> tickets = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int[] p = Arrays.copyOf(ids, ids.length - i);  // two prompts, two sequences
            tickets.add(scheduler.submit(p, longRun(), t -> {
                if (t.index() == 0) streaming.countDown();
                if (streaming.getCount() == 0) await(closed);  // once both stream, the scheduler thread waits here, between passes
                return true;
            }));
        }
        assertTrue(streaming.await(WAIT, TimeUnit.SECONDS));
        batch.step(List.of(a, b), new int[] {ids[0], ids[1]});  // the batch works before the close
        model.close();
        closed.countDown();
        for (Scheduler.Ticket t : tickets) {
            Throwable e = cause(t.result());
            assertInstanceOf(IllegalStateException.class, e);
            assertEquals(CLOSED, e.getMessage());
        }
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> scheduler.submit(ids, longRun(), t -> true));
        assertEquals(CLOSED, refused.getMessage());
        IllegalStateException step = assertThrows(IllegalStateException.class, () -> batch.step(List.of(a, b), new int[] {ids[2], ids[3]}));
        assertEquals(CLOSED, step.getMessage());
        assertEquals(1, a.tokens().length, "a failed step leaves the session as it was");
        scheduler.close();
        batch.close();
        a.close();
        b.close();
        assertEquals(0, model.openHandles());
    }

    @Test
    void nothingNewStartsOnAClosedModel() throws Exception {
        Model model = Model.load(file);
        model.close();
        for (Runnable r : List.<Runnable>of(model::newSession, () -> model.newBatch(2), () -> model.newScheduler(2, 2),
                () -> model.embed(List.of("hello"), Pooling.MEAN, true), () -> model.warmUp(Duration.ZERO))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, r::run);
            assertEquals(CLOSED, e.getMessage());
        }
    }

    @Test
    void closingASessionFromItsOwnListenerEndsTheGenerationCleanly() throws Exception {
        try (Model model = Model.load(file)) {
            long before = NativeMemory.liveBytes(), arenas = NativeMemory.liveArenas();
            Session s = model.newSession();
            assertTrue(NativeMemory.liveBytes() > before, "a session's buffers and KV cache are counted");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.generate(prompt(model), longRun(), t -> {
                if (t.index() == 4) s.close();
                return true;
            }));
            assertEquals("the session is closed", e.getMessage());
            assertEquals(before, NativeMemory.liveBytes(), "the session's native memory came back");
            assertEquals(arenas, NativeMemory.liveArenas());
            assertEquals(0, model.openHandles());
        }
    }

    @Test
    void everyNativeByteComesBackWhenAllIsClosed() throws Exception {
        long before = NativeMemory.liveBytes(), arenas = NativeMemory.liveArenas();
        Model model = Model.load(file);
        long loaded = NativeMemory.liveArenas();
        assertTrue(loaded >= arenas + 2, "the model's arenas (weights, mapped file) are counted");
        Session s = model.newSession();
        Batch batch = model.newBatch(2);
        Scheduler scheduler = model.newScheduler(2, 2);
        GenerationResult r = scheduler.submit(prompt(model), GenerationOptions.greedy(8).withIgnoreEos(true), t -> true).result().get(WAIT, TimeUnit.SECONDS);
        assertEquals(8, r.tokens().length);
        s.generate(prompt(model), GenerationOptions.greedy(4).withIgnoreEos(true), t -> true);
        long withHandles = NativeMemory.liveArenas();
        model.close();  // before its session, batch and scheduler: they free their own memory later
        assertEquals(withHandles - (loaded - arenas), NativeMemory.liveArenas(), "the model's own arenas (and only those) were closed");
        scheduler.close();
        batch.close();
        s.close();
        assertEquals(before, NativeMemory.liveBytes(), "native bytes left after every close");
        assertEquals(arenas, NativeMemory.liveArenas(), "arenas left after every close");
    }

    // The first n tokens a fresh session generates greedily for ids.
    private static int[] greedyAlone(Model m, int[] ids, int n) {
        try (Session s = m.newSession()) {
            return s.generate(ids, GenerationOptions.greedy(n).withIgnoreEos(true), t -> true).tokens();
        }
    }

    private static void await(CountDownLatch l) {
        try {
            if (!l.await(WAIT, TimeUnit.SECONDS)) throw new AssertionError("latch not reached within " + WAIT + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
