package dev.vane.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.model.gguf.GgmlType;
import dev.vane.tools.generate.ModelGenerator;
import dev.vane.tools.generate.ModelSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a model reports: its JFR events read back from a recording file, and the same points seen
 * by {@link ModelObserver}s; counts and fields against what ran (chunks of a prompt sum to its
 * length, a decode step's batch size is the sessions stepped), and an observer that throws
 * changes no generation.
 */
class TelemetryTest {
    private static final int CHUNK = 4;

    @TempDir
    Path dir;

    private Path tinyFile() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        ModelGenerator.writeGguf(ModelSpec.tinyLlama(GgmlType.Q8_0), file);
        return file;
    }

    private static int[] prompt(int length) {
        int[] p = new int[length];
        for (int i = 0; i < length; i++) p[i] = 1 + (i * 37) % 200;
        return p;
    }

    private static SessionOptions chunked(Model m) {
        return SessionOptions.defaults(m.config()).withChunkTokens(CHUNK);
    }

    // One lone generation (a 10-token prompt in chunks of 4, then 5 tokens), one batch of 3
    // (prompts of 3, 5, 7; 4 tokens each), one Batch.step of 2 sessions with pending tokens.
    private record Ran(GenerationResult alone, List<GenerationResult> batched) {}

    private static Ran run(Model model) {
        GenerationOptions five = GenerationOptions.greedy(5).withIgnoreEos(true), four = GenerationOptions.greedy(4).withIgnoreEos(true);
        GenerationResult alone;
        try (Session s = model.newSession(chunked(model))) {
            alone = s.generate(prompt(10), five, t -> true);
        }
        List<Session> sessions = new ArrayList<>();
        try (Batch batch = model.newBatch(4)) {
            List<Batch.Request> requests = new ArrayList<>();
            for (int len : new int[] {3, 5, 7}) {
                Session s = model.newSession(chunked(model));
                sessions.add(s);
                requests.add(new Batch.Request(s, prompt(len), four, t -> true));
            }
            List<GenerationResult> batched = batch.generate(requests);
            // Each session now holds a pending token (its last draw): a step runs it and the new one.
            batch.step(sessions.subList(0, 2), new int[] {7, 8});
            return new Ran(alone, batched);
        } finally {
            for (Session s : sessions) s.close();
        }
    }

    @Test
    void aRecordingHoldsTheEventsOfWhatRan() throws Exception {
        Path file = tinyFile(), jfr = dir.resolve("rec.jfr");
        Ran ran;
        try (Recording rec = new Recording()) {
            for (String e : new String[] {"dev.vane.ModelLoad", "dev.vane.PrefillChunk", "dev.vane.DecodeStep", "dev.vane.Generation"})
                rec.enable(e).withThreshold(Duration.ZERO);
            rec.start();
            try (Model model = Model.load(file)) {
                ran = run(model);
                rec.stop();
                rec.dump(jfr);
                List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
                List<RecordedEvent> loads = named(events, "dev.vane.ModelLoad");
                assertEquals(1, loads.size());
                assertEquals(file.toString(), loads.get(0).getString("source"));
                assertEquals("gguf", loads.get(0).getString("format"));
                assertEquals(model.weightBytes(), loads.get(0).getLong("weightBytes"));
                assertTrue(loads.get(0).getDuration().toNanos() > 0);
            }
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);

        // Prompts: 10 in chunks 4+4+2, then 3, 5 (4+1), 7 (4+3); every chunk starts where the last ended.
        List<RecordedEvent> chunks = named(events, "dev.vane.PrefillChunk");
        int[] tokens = chunks.stream().mapToInt(e -> e.getInt("tokens")).toArray();
        long[] starts = chunks.stream().mapToLong(e -> e.getLong("startPosition")).toArray();
        assertArrayEquals(new int[] {4, 4, 2, 3, 4, 1, 4, 3}, tokens);
        assertArrayEquals(new long[] {0, 4, 8, 0, 0, 4, 0, 4}, starts);

        // Decode: 4 steps of the lone session, 3 steps of the batch's 3, one step of 2 sessions x 2 rows.
        List<RecordedEvent> steps = named(events, "dev.vane.DecodeStep");
        assertArrayEquals(new int[] {1, 1, 1, 1, 3, 3, 3, 2}, steps.stream().mapToInt(e -> e.getInt("batchSize")).toArray());
        assertArrayEquals(new int[] {1, 1, 1, 1, 3, 3, 3, 4}, steps.stream().mapToInt(e -> e.getInt("tokens")).toArray());
        for (RecordedEvent e : steps) assertTrue(e.getDuration().toNanos() > 0);

        List<RecordedEvent> gens = named(events, "dev.vane.Generation");
        assertEquals(4, gens.size());
        List<GenerationResult> results = new ArrayList<>(List.of(ran.alone()));
        results.addAll(ran.batched());
        for (int i = 0; i < 4; i++) {
            RecordedEvent e = gens.get(i);
            GenerationResult r = results.get(i);
            assertEquals(r.promptTokens(), e.getInt("promptTokens"));
            assertEquals(r.tokens().length, e.getInt("generatedTokens"));
            assertEquals("MAX_TOKENS", e.getString("stopReason"));
            long ttft = e.getDuration("timeToFirstToken").toNanos();
            assertTrue(ttft > 0 && ttft < e.getDuration().toNanos(), "TTFT " + ttft + " within the generation " + e.getDuration());
        }
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).sorted((a, b) -> a.getStartTime().compareTo(b.getStartTime()))
                .toList();
    }

    // Records every call; optionally throws after recording.
    private static final class Recorder implements ModelObserver {
        final List<PrefillChunk> chunks = new CopyOnWriteArrayList<>();
        final List<DecodeStep> steps = new CopyOnWriteArrayList<>();
        final List<GenerationEnd> ends = new CopyOnWriteArrayList<>();
        final boolean fail;

        Recorder(boolean fail) {
            this.fail = fail;
        }

        @Override
        public void prefillChunk(PrefillChunk c) {
            chunks.add(c);
            if (fail) throw new IllegalStateException("observer failure (on purpose)");
        }

        @Override
        public void decodeStep(DecodeStep s) {
            steps.add(s);
            if (fail) throw new IllegalStateException("observer failure (on purpose)");
        }

        @Override
        public void generationEnded(GenerationEnd g) {
            ends.add(g);
            if (fail) throw new IllegalStateException("observer failure (on purpose)");
        }
    }

    @Test
    void observersSeeWhatRanAndOneThatThrowsChangesNothing() throws Exception {
        try (Model model = Model.load(tinyFile())) {
            assertTrue(model.loadTime().toNanos() > 0);
            Ran unobserved = run(model);
            Recorder good = new Recorder(false), bad = new Recorder(true);
            Ran observed;
            try (ModelObserver.Registration a = model.addObserver(bad); ModelObserver.Registration b = model.addObserver(good)) {
                observed = run(model);
            }
            assertArrayEquals(unobserved.alone().tokens(), observed.alone().tokens(), "a throwing observer changes no token");
            for (int i = 0; i < 3; i++) assertArrayEquals(unobserved.batched().get(i).tokens(), observed.batched().get(i).tokens());

            for (Recorder r : List.of(good, bad)) {
                assertArrayEquals(new int[] {4, 4, 2, 3, 4, 1, 4, 3}, r.chunks.stream().mapToInt(ModelObserver.PrefillChunk::tokens).toArray());
                assertArrayEquals(new int[] {1, 1, 1, 1, 3, 3, 3, 2}, r.steps.stream().mapToInt(ModelObserver.DecodeStep::sessions).toArray());
                assertArrayEquals(new int[] {1, 1, 1, 1, 3, 3, 3, 4}, r.steps.stream().mapToInt(ModelObserver.DecodeStep::rows).toArray());
                assertArrayEquals(new int[] {10, 3, 5, 7}, r.ends.stream().mapToInt(ModelObserver.GenerationEnd::promptTokens).toArray());
                assertArrayEquals(new int[] {5, 4, 4, 4}, r.ends.stream().mapToInt(ModelObserver.GenerationEnd::outputTokens).toArray());
            }
            for (ModelObserver.GenerationEnd g : good.ends) {
                assertTrue(0 < g.timeToFirstTokenNanos() && g.timeToFirstTokenNanos() < g.durationNanos());
                assertEquals((g.durationNanos() - g.timeToFirstTokenNanos()) / (g.outputTokens() - 1), g.timePerOutputTokenNanos().getAsLong());
            }
            for (ModelObserver.DecodeStep s : good.steps) assertTrue(s.nanos() > 0);

            // Closed registrations hear nothing more.
            int before = good.steps.size();
            run(model);
            assertEquals(before, good.steps.size());
        }
    }
}
