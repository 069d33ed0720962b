package dev.vane.bench.model;

import dev.vane.Vane;
import dev.vane.bench.Timing;
import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.Model;
import dev.vane.model.WeightFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code vane bench gaps}: decode right after an idle gap against a warm loop, as a server's
 * requests arrive, for Vane and (when bench/llama-cpp-native.sh has built it) llama.cpp on the
 * same GGUF file with the same threads. Each request is a new 16-token prompt (prefill) and then
 * `tokens` greedy decode steps; before it the bench sleeps for the gap. Per run each engine in
 * turn takes one unmeasured request and then one request after each gap, in order (the first gap
 * is 0: the warm figure, right after its own previous request). Reported per engine and gap: the
 * median decode rate over the runs, the median time of the first decode step, and both against
 * the engine's gap-0 figures. Each engine keeps the model loaded, as a server does (default: the
 * embedded model, written to a temporary file for llama.cpp); with --warm-up=S Vane first runs
 * {@code Model.warmUp} for S seconds, as a server would after load.
 */
public final class GapBench {
    private GapBench() {}

    public static final String USAGE = "vane bench gaps      [--model=FILE] [--threads=N] [--gaps=0,0.25,1,3] [--tokens=32] [--runs=7] [--warm-up=S] [--llama-cpp=DIR|none]";
    private static final int PROMPT = 16;

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path file = null, llamaCpp = LlamaCppProcess.DEFAULT_DIR;
        int threads = Runtime.getRuntime().availableProcessors(), tokens = 32, runs = 7;
        double[] gaps = {0, 0.25, 1, 3};
        double warmUp = 0;
        try {
            for (String a : args) {
                if (a.startsWith("--model=")) file = Path.of(a.substring(8));
                else if (a.startsWith("--threads=")) threads = Integer.parseInt(a.substring(10));
                else if (a.startsWith("--gaps=")) gaps = Arrays.stream(a.substring(7).split(",")).mapToDouble(Double::parseDouble).toArray();
                else if (a.startsWith("--tokens=")) tokens = Integer.parseInt(a.substring(9));
                else if (a.startsWith("--runs=")) runs = Integer.parseInt(a.substring(7));
                else if (a.startsWith("--warm-up=")) warmUp = Double.parseDouble(a.substring(10));
                else if (a.startsWith("--llama-cpp=")) llamaCpp = a.substring(12).equals("none") ? null : Path.of(a.substring(12));
                else throw new IllegalArgumentException("unknown option " + a + "\nusage: " + USAGE);
            }
            if (!(warmUp >= 0 && warmUp <= 600)) throw new IllegalArgumentException("--warm-up is seconds (0..600), got " + warmUp);
            if (threads < 1 || tokens < 1 || runs < 1 || gaps.length == 0 || gaps[0] != 0 || Arrays.stream(gaps).anyMatch(g -> g < 0 || g > 60)) {
                throw new IllegalArgumentException("--threads, --tokens and --runs must be >= 1; --gaps in seconds (0..60), the first 0 (the warm figure)");
            }
        } catch (IllegalArgumentException e) {
            return BenchArgs.rejected(err, e);
        }
        Vane.setThreads(threads);
        Path temp = null;
        try {
            String name = file == null ? "embedded" : file.getFileName().toString();
            if (file == null) {  // llama.cpp reads files
                file = temp = Files.createTempFile("vane-embedded", ".gguf");
                EmbeddedModel.writeTo(file);
            }
            boolean llama = llamaCpp != null && LlamaCppProcess.built(llamaCpp);
            if (llamaCpp != null && !llama) err.println("vane bench gaps: no llama.cpp build in " + llamaCpp + " (bench/llama-cpp-native.sh): Vane alone");
            long t0 = System.nanoTime();
            try (Model model = Model.load(file, WeightFormat.AS_IS)) {
                double loadSeconds = (System.nanoTime() - t0) / 1e9;
                long warmTokens = warmUp > 0 ? model.warmUp(Duration.ofNanos((long) (warmUp * 1e9))) : 0;
                List<BenchEngine> engines = new ArrayList<>();
                try {
                    engines.add(new VaneEngine(model, PROMPT + tokens + 8, loadSeconds));
                    if (llama) engines.add(LlamaCppProcess.start(llamaCpp, file, threads, PROMPT + tokens + 8, model.tokenizer()));
                    double[][][] rate = new double[engines.size()][gaps.length][runs], first = new double[engines.size()][gaps.length][runs];
                    measure(model, engines, gaps, tokens, runs, rate, first);
                    out.printf(Locale.ROOT, "vane bench gaps: Vane %s, kernels %s, %d threads, %s, %d-token prompt then %d decode steps, median of %d runs; "
                                    + "Vane warmed up %.1f s (%d tokens, Model.warmUp) after load%s%n",
                            Vane.version(), Vane.cpu().active().name().toLowerCase(Locale.ROOT), threads, name, PROMPT, tokens, runs, warmUp, warmTokens,
                            llama ? "; llama.cpp = " + LlamaCppProcess.describe(llamaCpp) : "");
                    out.println("engine      gap s   decode tok/s  x warm   first step ms  x warm" + (llama ? "   vane/llama.cpp decode" : ""));
                    for (int e = 0; e < engines.size(); e++) {
                        double warmRate = median(rate[e][0]), warmFirst = median(first[e][0]);
                        for (int g = 0; g < gaps.length; g++) {
                            double r = median(rate[e][g]), f = median(first[e][g]);
                            String vs = e == 0 && llama ? String.format(Locale.ROOT, "   %6.2fx", r / median(rate[1][g])) : "";
                            out.printf(Locale.ROOT, "%-10s %6.2f  %13.1f  %6.2f  %14.3f  %6.2f%s%n", engines.get(e).name(), gaps[g], r, r / warmRate, f,
                                    f / warmFirst, vs);
                        }
                    }
                    return 0;
                } finally {
                    for (BenchEngine e : engines) e.close();
                }
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            err.println("vane bench: " + e);
            return 1;
        } finally {
            if (temp != null) temp.toFile().delete();
        }
    }

    private static void measure(Model model, List<BenchEngine> engines, double[] gaps, int tokens, int runs, double[][][] rate, double[][][] first)
            throws InterruptedException {
        SplittableRandom rng = new SplittableRandom(3);
        int vocab = Math.min(model.config().vocab(), model.tokenizer().vocabSize());
        for (int r = -3; r < runs; r++) {  // three warm-up rounds: JIT, caches, pool threads
            for (int e = 0; e < engines.size(); e++) {
                BenchEngine engine = engines.get(e);
                request(model, engine, rng, vocab, tokens);  // unmeasured: gap 0 then follows the engine's own request
                for (int g = 0; g < gaps.length; g++) {
                    if (gaps[g] > 0) Thread.sleep((long) (gaps[g] * 1000));
                    Stamps s = request(model, engine, rng, vocab, tokens);
                    if (r < 0) continue;
                    double[] at = s.at();
                    rate[e][g][r] = tokens / (at[tokens] - at[0]);
                    first[e][g][r] = (at[1] - at[0]) * 1e3;
                }
            }
        }
    }

    /** A fresh random prompt (BOS first), its first token and then tokens decode steps. */
    private static Stamps request(Model model, BenchEngine engine, SplittableRandom rng, int vocab, int tokens) {
        int[] prompt = rng.ints(PROMPT, 3, vocab).toArray();
        prompt[0] = model.tokenizer().bos();
        return engine.generate(model.tokenizer().decode(prompt), prompt, tokens + 1);
    }
    private static double median(double[] v) {
        return Timing.of(v).median();
    }
}
