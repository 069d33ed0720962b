package dev.vane.bench.soak;

import dev.vane.Vane;
import dev.vane.bench.model.BenchArgs;
import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.Model;
import dev.vane.model.ModelObserver;
import dev.vane.model.Scheduler;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code vane bench soak}: many threads generating on one model for a bounded time, with
 * cancellations and closes at random moments ({@link SoakWorker}); every result must equal the
 * single-threaded run of its prompt ({@link SoakPrompts}). Memory is sampled with every thread
 * stopped and everything but the model closed: after loading, after a warm-up phase and after
 * each quarter of the main phase. Vane's counted native memory must then be exactly what it was
 * after loading (one leaked buffer shows), and RSS may grow over the second half of the main
 * phase by at most the tolerance: the first minutes still grow it while the JIT compiles and the
 * C allocator's per-thread arenas fill (measured on the embedded model: +35, +26, +1.4, +1.2 MiB
 * in four 30 s quarters after a 30 s warm-up), then it is flat. On a loaded host glibc's arenas
 * keep growing far longer, so ci/soak.sh caps them with MALLOC_ARENA_MAX=2 (docs/RELIABILITY.md). Last, the model is closed while
 * generations run on every path ({@link CloseWhileRunning}), and every native byte and arena
 * must be back to before the load. Exit status 0 if all held, 1 if not.
 */
public final class Soak {
    private Soak() {}

    public static final String USAGE = "vane bench soak      [--seconds=600] [--warm-up=S] [--threads=4] [--model=FILE] [--prompts=16] [--max-tokens=24] "
            + "[--seed=1] [--rss-tolerance-mib=32] [--min-calls=0]";

    public static int run(String[] args, PrintStream out, PrintStream err) {
        double seconds = 600, warmUp = -1, toleranceMib = 32;
        int threads = 4, promptCount = 16, maxTokens = 24;
        long seed = 1, minCalls = 0;
        Path file = null;
        try {
            for (String a : args) {
                if (a.startsWith("--seconds=")) seconds = Double.parseDouble(a.substring(10));
                else if (a.startsWith("--warm-up=")) warmUp = Double.parseDouble(a.substring(10));
                else if (a.startsWith("--threads=")) threads = Integer.parseInt(a.substring(10));
                else if (a.startsWith("--model=")) file = Path.of(a.substring(8));
                else if (a.startsWith("--prompts=")) promptCount = Integer.parseInt(a.substring(10));
                else if (a.startsWith("--max-tokens=")) maxTokens = Integer.parseInt(a.substring(13));
                else if (a.startsWith("--seed=")) seed = Long.parseLong(a.substring(7));
                else if (a.startsWith("--rss-tolerance-mib=")) toleranceMib = Double.parseDouble(a.substring(20));
                else if (a.startsWith("--min-calls=")) minCalls = Long.parseLong(a.substring(12));
                else throw new IllegalArgumentException("unknown option " + a + "\nusage: " + USAGE);
            }
            if (!(seconds > 0 && seconds <= 86400)) throw new IllegalArgumentException("--seconds must be in (0, 86400], got " + seconds);
            if (warmUp < 0) warmUp = Math.min(60, Math.max(10, seconds / 10));
            if (!(warmUp > 0 && warmUp <= 3600)) throw new IllegalArgumentException("--warm-up must be in (0, 3600] seconds, got " + warmUp);
            if (threads < 1 || threads > 256) throw new IllegalArgumentException("--threads must be 1..256, got " + threads);
            if (promptCount < 1 || promptCount > 10_000) throw new IllegalArgumentException("--prompts must be 1..10000, got " + promptCount);
            if (maxTokens < 2 || maxTokens > 4096) throw new IllegalArgumentException("--max-tokens must be 2..4096, got " + maxTokens);
            if (!(toleranceMib >= 0)) throw new IllegalArgumentException("--rss-tolerance-mib must be >= 0, got " + toleranceMib);
            if (minCalls < 0) throw new IllegalArgumentException("--min-calls must be >= 0, got " + minCalls);
        } catch (IllegalArgumentException e) {
            return BenchArgs.rejected(err, e);
        }
        try {
            return soak(file, seconds, warmUp, threads, promptCount, maxTokens, seed, (long) (toleranceMib * 1048576), minCalls, out);
        } catch (Exception e) {
            err.println("vane bench soak: " + e);
            return 1;
        }
    }

    private static int soak(Path file, double seconds, double warmUp, int threads, int promptCount, int maxTokens, long seed, long tolerance, long minCalls,
            PrintStream out) throws Exception {
        out.printf(Locale.ROOT, "vane bench soak: Vane %s, kernels %s, %d native threads, %s; %d soak threads, %.0f s (after %.0f s of warm-up), seed %d%n",
                Vane.version(), Vane.cpu().active().name().toLowerCase(Locale.ROOT), Vane.threads(), Instant.now(), threads, seconds, warmUp, seed);
        MemorySample bare = MemorySample.now();
        Model model = file == null ? EmbeddedModel.load() : Model.load(file);
        out.println("model: " + (file == null ? "the embedded model" : file) + ", " + model);
        SoakCounters counters = new SoakCounters();
        long t0 = System.nanoTime();
        SoakPrompts prompts = SoakPrompts.make(model, promptCount, maxTokens, seed);
        double single = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "single-threaded runs of %d prompts, %d tokens each: %.2f s (%.3f ms a token, prompts included, JIT cold)%n", promptCount,
                maxTokens, single, single * 1e3 / ((long) promptCount * maxTokens));
        ModelObserver.Registration registration = model.addObserver(counters);
        MemorySample loaded = MemorySample.now();
        long peak = phase(model, prompts, counters, threads, seed, warmUp);
        MemorySample warm = MemorySample.now();
        long warmCalls = counters.calls();
        long t1 = System.nanoTime();
        List<MemorySample> quarters = new ArrayList<>();  // the main phase in four, sampled after each: the trend
        for (int q = 0; q < 4; q++) {
            peak = Math.max(peak, phase(model, prompts, counters, threads, seed + 1_000_003L * (q + 1), seconds / 4));
            quarters.add(MemorySample.now());
        }
        double mainSeconds = (System.nanoTime() - t1) / 1e9;
        MemorySample end = quarters.get(3);
        CloseWhileRunning.Outcome close = CloseWhileRunning.run(model, prompts, counters, threads);
        registration.close();
        MemorySample after = MemorySample.now();

        List<String> problems = new ArrayList<>(counters.failures());
        if (counters.failureCount() > counters.failures().size()) problems.add("... " + (counters.failureCount() - counters.failures().size()) + " more");
        if (warm.nativeBytes() != loaded.nativeBytes() || warm.nativeArenas() != loaded.nativeArenas()) {
            problems.add("native memory after the warm-up (" + warm + ") is not what it was after loading (" + loaded + ")");
        }
        for (int q = 0; q < 4; q++) {
            MemorySample m = quarters.get(q);
            if (m.nativeBytes() != loaded.nativeBytes() || m.nativeArenas() != loaded.nativeArenas()) {
                problems.add("native memory after quarter " + (q + 1) + " of the main phase (" + m + ") is not what it was after loading (" + loaded + ")");
            }
        }
        long secondHalf = end.rssBytes() - quarters.get(1).rssBytes();
        if (secondHalf > tolerance) {
            problems.add("RSS grew by " + MemorySample.mib(secondHalf) + " over the second half of the main phase, more than the tolerance of "
                    + MemorySample.mib(tolerance));
        }
        if (after.nativeBytes() != bare.nativeBytes() || after.nativeArenas() != bare.nativeArenas()) {
            problems.add("native memory after every close (" + after + ") is not what it was before the load (" + bare + ")");
        }
        if (close.clean() != close.expected()) problems.add(close.clean() + " of " + close.expected() + " generations failed cleanly at the model's close");
        long mainCalls = counters.calls() - warmCalls;
        if (mainCalls < minCalls) problems.add("the main phase made " + mainCalls + " calls, fewer than --min-calls=" + minCalls);

        out.printf(Locale.ROOT, "threads %d; sessions %d, batch generations %d, scheduler closes %d%n", threads, counters.sessions.sum(),
                counters.batches.sum(), counters.schedulerCloses.sum());
        out.printf(Locale.ROOT, "calls (forward passes) %d: %d in the main phase (%.0f s, %.0f/s), %d decode steps and %d prompt chunks in all%n",
                counters.calls(), mainCalls, mainSeconds, mainCalls / mainSeconds, counters.decodeSteps.sum(), counters.prefillChunks.sum());
        out.printf(Locale.ROOT, "generations %d: %d equal to the single-threaded run, %d cancelled (a prefix of it), %d sessions closed by their listener, "
                + "%d ended by a scheduler's close; tokens streamed %d%n", counters.generations.sum(), counters.compared.sum(), counters.cancelled.sum(),
                counters.sessionCloses.sum(), counters.droppedByClose.sum(), counters.tokens.sum());
        out.printf(Locale.ROOT, "RSS: before the load %s, loaded %s, after warm-up %s, after each quarter of the main phase %s, %s, %s, %s "
                + "(second half %s, tolerance %s; end - warm-up %s), peak while running %s; MALLOC_ARENA_MAX %s%n", MemorySample.mib(bare.rssBytes()), MemorySample.mib(loaded.rssBytes()),
                MemorySample.mib(warm.rssBytes()), MemorySample.mib(quarters.get(0).rssBytes()), MemorySample.mib(quarters.get(1).rssBytes()),
                MemorySample.mib(quarters.get(2).rssBytes()), MemorySample.mib(end.rssBytes()), MemorySample.mib(secondHalf),
                MemorySample.mib(tolerance), MemorySample.mib(end.rssBytes() - warm.rssBytes()), MemorySample.mib(peak),
                System.getenv().getOrDefault("MALLOC_ARENA_MAX", "unset"));
        out.printf(Locale.ROOT, "native: before the load %d bytes / %d arenas, loaded %d / %d, after warm-up %d / %d, end %d / %d, after every close %d / %d "
                + "(%d counted arenas opened in all)%n", bare.nativeBytes(), bare.nativeArenas(), loaded.nativeBytes(), loaded.nativeArenas(), warm.nativeBytes(),
                warm.nativeArenas(), end.nativeBytes(), end.nativeArenas(), after.nativeBytes(), after.nativeArenas(), dev.vane.NativeMemory.openedArenas());
        out.printf(Locale.ROOT, "model closed while running: %d of %d generations failed with \"%s\"; close() took %.1f ms%n", close.clean(),
                close.expected(), CloseWhileRunning.MODEL_CLOSED, close.closeMillis());
        for (String p : problems) out.println("FAIL " + p);
        out.println(problems.isEmpty() ? "soak: OK" : "soak: FAILED (" + problems.size() + " problems)");
        return problems.isEmpty() ? 0 : 1;
    }

    // Workers for the given seconds, sharing one scheduler (replaced when one closes it); then all
    // stopped and joined and the last scheduler closed. Returns the highest RSS sampled meanwhile.
    private static long phase(Model model, SoakPrompts prompts, SoakCounters counters, int threads, long seed, double seconds) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Scheduler> scheduler = new AtomicReference<>(model.newScheduler(SoakWorker.schedulerOptions(model, prompts)));
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String name = "soak-" + t;
            workers.add(Thread.ofPlatform().name(name).start(new SoakWorker(model, prompts, counters, scheduler, stop, seed * 7919 + t, name)));
        }
        long end = System.nanoTime() + (long) (seconds * 1e9), peak = 0;
        while (System.nanoTime() < end) {
            peak = Math.max(peak, MemorySample.rss());
            Thread.sleep(Math.max(1, Math.min(1000, (end - System.nanoTime()) / 1_000_000)));
        }
        stop.set(true);
        for (Thread w : workers) {
            w.join(TimeUnit.SECONDS.toMillis(300));
            if (w.isAlive()) counters.fail(w.getName() + " did not stop within 300 s of the end of its phase");
        }
        scheduler.get().close();
        return peak;
    }
}
