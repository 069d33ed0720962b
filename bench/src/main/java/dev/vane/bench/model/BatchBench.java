package dev.vane.bench.model;

import dev.vane.MachineCeilings;
import dev.vane.Vane;
import dev.vane.bench.Timing;
import dev.vane.model.Batch;
import dev.vane.model.Model;
import dev.vane.model.Session;
import dev.vane.model.SessionOptions;
import dev.vane.model.WeightFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code vane bench batch}: batched decode, B sessions of the ≈0.5B Llama stepped together
 * ({@link Batch#step}) against one session: aggregate tokens/s (B tokens a step) and each step's
 * time against the read floor (the weights read once per step at the measured read bandwidth).
 * Each session first runs its own 32-token prompt (untimed); then `steps` steps, each session's
 * next token the argmax of its last logits, are timed as one; median over the runs, the sizes
 * interleaved run by run so a slow spell on the VM hits them all.
 */
public final class BatchBench {
    private BatchBench() {}

    public static final String USAGE = "vane bench batch     [--quick] [--formats=q4_0,...] [--threads=2] [--sequences=1,2,4,8,16] [--steps=32] [--runs=5] [--cache=DIR]";
    private static final int PROMPT = 32;

    public static int run(String[] args, PrintStream out, PrintStream err, MachineCeilingsSource ceilingsSource) {
        List<String> formats = List.of("q4_0");
        int threads = Runtime.getRuntime().availableProcessors(), steps = 32, runs = 5;
        int[] sizes = {1, 2, 4, 8, 16};
        boolean quick = false;
        Path cache = Path.of("build/model-cache");
        try {
            for (String a : args) {
                if (a.equals("--quick")) quick = true;
                else if (a.startsWith("--formats=")) formats = Arrays.asList(a.substring(10).split(","));
                else if (a.startsWith("--threads=")) threads = Integer.parseInt(a.substring(10));
                else if (a.startsWith("--sequences=")) sizes = Arrays.stream(a.substring(12).split(",")).mapToInt(Integer::parseInt).toArray();
                else if (a.startsWith("--steps=")) steps = Integer.parseInt(a.substring(8));
                else if (a.startsWith("--runs=")) runs = Integer.parseInt(a.substring(7));
                else if (a.startsWith("--cache=")) cache = Path.of(a.substring(8));
                else throw new IllegalArgumentException("unknown option " + a + "\nusage: " + USAGE);
            }
            if (threads < 1 || steps < 1 || runs < 1 || Arrays.stream(sizes).anyMatch(b -> b < 1 || b > 256)) {
                throw new IllegalArgumentException("--threads, --steps and --runs must be >= 1, --sequences in 1..256");
            }
        } catch (IllegalArgumentException e) {
            return BenchArgs.rejected(err, e);
        }
        Vane.setThreads(threads);
        err.println("measuring machine ceilings (read bandwidth, fp32 FMA, int8 dot) ...");
        MachineCeilings ceilings = ceilingsSource.measure();
        out.printf(Locale.ROOT, "vane bench batch: Vane %s, kernels %s, %d threads, %d steps a run, median of %d runs; read ceiling %.1f GB/s%n",
                Vane.version(), Vane.cpu().active().name().toLowerCase(Locale.ROOT), threads, steps, runs, ceilings.readGBps());
        out.println("model         format  seqs  step ms  tok/s (all)  x 1 seq  step / read floor");
        ModelBench files = new ModelBench(ceilings, ModelBench.Peers.NONE, threads, runs, 1, 0, cache, err);
        for (String f : formats) {
            ModelBench.Case c = ModelBench.named(f, false, quick);
            try {
                Path file = files.file(c);
                try (Model model = Model.load(file, WeightFormat.AS_IS)) {
                    double floorMs = model.bytesPerToken() / (ceilings.readGBps() * 1e9) * 1e3;
                    double[] medians = measure(model, sizes, steps, runs);
                    for (int i = 0; i < sizes.length; i++) {
                        double tokS = sizes[i] / (medians[i] / 1e3);
                        double one = indexOf(sizes, 1) >= 0 ? 1 / (medians[indexOf(sizes, 1)] / 1e3) : Double.NaN;
                        out.printf(Locale.ROOT, "%-13s %-7s %4d  %7.2f  %11.1f  %7.2f  %17.2f%n", c.name(), c.format(), sizes[i], medians[i], tokS,
                                tokS / one, medians[i] / floorMs);
                    }
                }
            } catch (IOException e) {
                err.println("vane bench: " + e);
                return 1;
            }
        }
        return 0;
    }

    /** How the caller measures the ceilings (the CLI takes the best of several probes). */
    public interface MachineCeilingsSource {
        MachineCeilings measure();
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
        return -1;
    }

    // Median step time (ms) for each batch size, sizes interleaved run by run (one warm-up round).
    private static double[] measure(Model model, int[] sizes, int steps, int runs) {
        int max = Arrays.stream(sizes).max().orElse(1);
        SplittableRandom rng = new SplittableRandom(1);
        int vocab = Math.min(model.config().vocab(), model.tokenizer().vocabSize());
        List<Session> sessions = new ArrayList<>();
        double[][] times = new double[sizes.length][runs];
        try (Batch batch = model.newBatch(max)) {
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < max; i++) {
                sessions.add(model.newSession(SessionOptions.defaults(model.config()).withContextLength(PROMPT + steps + 8)));
                prompts.add(rng.ints(PROMPT, 3, vocab).toArray());
            }
            for (int r = -1; r < runs; r++) {
                for (int s = 0; s < sizes.length; s++) {
                    int b = sizes[s];
                    List<Session> active = sessions.subList(0, b);
                    int[] next = new int[b];
                    for (int i = 0; i < b; i++) {
                        active.get(i).truncate(0);
                        next[i] = BenchArgs.argmax(active.get(i).prefill(prompts.get(i)));
                    }
                    long t0 = System.nanoTime();
                    for (int step = 0; step < steps; step++) {
                        float[][] logits = batch.step(active, next);
                        for (int i = 0; i < b; i++) next[i] = BenchArgs.argmax(logits[i]);
                    }
                    if (r >= 0) times[s][r] = (System.nanoTime() - t0) / 1e6 / steps;
                }
            }
        } finally {
            for (Session s : sessions) s.close();
        }
        double[] med = new double[sizes.length];
        for (int s = 0; s < sizes.length; s++) med[s] = Timing.of(times[s]).median();
        return med;
    }
}
