package dev.vane.bench.model;

import dev.vane.Vane;
import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.Model;
import dev.vane.model.Session;
import dev.vane.model.SessionOptions;
import dev.vane.model.WeightFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code vane bench gaps}: decode right after an idle gap against a warm loop, as a server's
 * requests arrive. Each request is a new 16-token prompt (prefill) and then `tokens` greedy decode
 * steps in one session; before it the bench sleeps for the gap. Reported per gap: the median
 * decode rate over the runs, the median time of the first decode step, and both against the
 * gap-0 (back-to-back) figures; the gaps are interleaved run by run so a slow spell on the VM hits
 * them all. The model is loaded once, as a server keeps it (default: the embedded model).
 */
public final class GapBench {
    private GapBench() {}

    public static final String USAGE = "vane bench gaps      [--model=FILE] [--threads=N] [--gaps=0,0.25,1,3] [--tokens=32] [--runs=7]";
    private static final int PROMPT = 16;

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path file = null;
        int threads = Runtime.getRuntime().availableProcessors(), tokens = 32, runs = 7;
        double[] gaps = {0, 0.25, 1, 3};
        try {
            for (String a : args) {
                if (a.startsWith("--model=")) file = Path.of(a.substring(8));
                else if (a.startsWith("--threads=")) threads = Integer.parseInt(a.substring(10));
                else if (a.startsWith("--gaps=")) gaps = Arrays.stream(a.substring(7).split(",")).mapToDouble(Double::parseDouble).toArray();
                else if (a.startsWith("--tokens=")) tokens = Integer.parseInt(a.substring(9));
                else if (a.startsWith("--runs=")) runs = Integer.parseInt(a.substring(7));
                else throw new IllegalArgumentException("unknown option " + a + "\nusage: " + USAGE);
            }
            if (threads < 1 || tokens < 1 || runs < 1 || gaps.length == 0 || gaps[0] != 0 || Arrays.stream(gaps).anyMatch(g -> g < 0 || g > 60)) {
                throw new IllegalArgumentException("--threads, --tokens and --runs must be >= 1; --gaps in seconds (0..60), the first 0 (the warm figure)");
            }
        } catch (IllegalArgumentException e) {
            return BenchArgs.rejected(err, e);
        }
        Vane.setThreads(threads);
        try (Model model = file == null ? EmbeddedModel.load() : Model.load(file, WeightFormat.AS_IS)) {
            String name = file == null ? "embedded" : file.getFileName().toString();
            double[][] rate = new double[gaps.length][runs], first = new double[gaps.length][runs];
            measure(model, gaps, tokens, runs, rate, first);
            out.printf(Locale.ROOT, "vane bench gaps: Vane %s, kernels %s, %d threads, %s, %d-token prompt then %d decode steps, median of %d runs%n",
                    Vane.version(), Vane.cpu().active().name().toLowerCase(Locale.ROOT), threads, name, PROMPT, tokens, runs);
            out.println("gap s   decode tok/s  x warm   first step ms  x warm");
            double warmRate = median(rate[0]), warmFirst = median(first[0]);
            for (int g = 0; g < gaps.length; g++) {
                double r = median(rate[g]), f = median(first[g]);
                out.printf(Locale.ROOT, "%5.2f  %13.1f  %6.2f  %14.3f  %6.2f%n", gaps[g], r, r / warmRate, f, f / warmFirst);
            }
            return 0;
        } catch (IOException | InterruptedException e) {
            err.println("vane bench: " + e);
            return 1;
        }
    }

    private static void measure(Model model, double[] gaps, int tokens, int runs, double[][] rate, double[][] first) throws InterruptedException {
        SplittableRandom rng = new SplittableRandom(3);
        int vocab = Math.min(model.config().vocab(), model.tokenizer().vocabSize());
        try (Session session = model.newSession(SessionOptions.defaults(model.config()).withContextLength(PROMPT + tokens + 8))) {
            for (int r = -3; r < runs; r++) {  // three warm-up rounds: JIT, caches, pool threads
                for (int g = 0; g < gaps.length; g++) {
                    if (gaps[g] > 0) Thread.sleep((long) (gaps[g] * 1000));
                    session.truncate(0);
                    int next = BenchArgs.argmax(session.prefill(rng.ints(PROMPT, 3, vocab).toArray()));
                    long t0 = System.nanoTime(), t1 = 0;
                    for (int s = 0; s < tokens; s++) {
                        next = BenchArgs.argmax(session.next(next));
                        if (s == 0) t1 = System.nanoTime();
                    }
                    long t2 = System.nanoTime();
                    if (r < 0) continue;
                    rate[g][r] = tokens / ((t2 - t0) / 1e9);
                    first[g][r] = (t1 - t0) / 1e6;
                }
            }
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
