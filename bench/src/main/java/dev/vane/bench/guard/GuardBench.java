package dev.vane.bench.guard;

import dev.vane.Vane;
import dev.vane.bench.DecodeStep;
import dev.vane.bench.Timing;
import dev.vane.bench.model.BenchArgs;
import dev.vane.embedded.EmbeddedModel;
import dev.vane.guard.Action;
import dev.vane.guard.Direction;
import dev.vane.guard.Emit;
import dev.vane.guard.Policy;
import dev.vane.guard.Rule;
import dev.vane.guard.StreamGuard;
import dev.vane.guard.WordListDetector;
import dev.vane.model.GenerationOptions;
import dev.vane.model.Model;
import dev.vane.model.Sampling;
import dev.vane.model.Session;
import dev.vane.model.SessionOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code vane bench guard}: what the streaming output guard ({@link StreamGuard}) costs a token,
 * fed the embedded model's real decode pieces, against the model's decode step measured in the
 * same run. Two policies: {@link Policy#defaults()} (its output rules: PII and secrets redacted)
 * and the defaults plus a 100-word list ({@link GuardWords}). Each generation gets a new guard, as
 * a server request does; the guard is warmed (JIT) on every generation first, then timed over
 * several passes. The ratio is the guard's CPU time per token (the median over passes of each
 * pass's mean; on an idle machine its wall time is the same, on a shared one the wall time also
 * holds the time other processes had the core) over the decode step's median wall time.
 */
public final class GuardBench {
    private GuardBench() {}

    public static final String USAGE = "vane bench guard     [--generations=8] [--tokens=256] [--passes=21] [--threads=2]";

    private static final String[] PROMPTS = {"And God said, Let there be", "In the beginning", "And the LORD said unto Moses,", "Blessed are the",
            "And it came to pass, when", "Thus saith the Lord GOD;", "And the king said unto", "Hear, O Israel:"};

    /** The options, checked. */
    record Options(int generations, int tokens, int passes, int threads) {
        Options {
            if (generations < 1 || generations > 1000) throw new IllegalArgumentException("--generations must be in 1..1000, got " + generations);
            if (tokens < 1 || tokens > 4000) throw new IllegalArgumentException("--tokens must be in 1..4000, got " + tokens);
            if (passes < 1) throw new IllegalArgumentException("--passes must be at least 1, got " + passes);
            if (threads < 1) throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }

        static Options parse(String[] args) {
            int generations = 8, tokens = 256, passes = 21, threads = Math.min(2, Runtime.getRuntime().availableProcessors());
            for (String a : args) {
                if (a.startsWith("--generations=")) generations = Integer.parseInt(a.substring(14));
                else if (a.startsWith("--tokens=")) tokens = Integer.parseInt(a.substring(9));
                else if (a.startsWith("--passes=")) passes = Integer.parseInt(a.substring(9));
                else if (a.startsWith("--threads=")) threads = Integer.parseInt(a.substring(10));
                else throw new IllegalArgumentException("unknown option " + a + "\nusage: " + USAGE);
            }
            return new Options(generations, tokens, passes, threads);
        }
    }

    /**
     * One policy's cost per token: CPU time (the thread's, so time the machine gave to others does
     * not count), wall time's mean, median, 99th percentile and largest (µs), heap allocated, the
     * findings, and the CPU time's ratio to the decode step.
     */
    record Cost(String policy, int rules, double cpuUs, double meanUs, double medianUs, double p99Us, double maxUs, double bytes, long findings, double ratio) {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            return BenchArgs.rejected(err, e);
        }
        Vane.setThreads(o.threads());
        try (Model model = EmbeddedModel.load()) {
            err.println("generating " + o.generations() + " x " + o.tokens() + " tokens on the embedded model ...");
            List<List<String>> gens = generations(model, o);
            int tokens = gens.stream().mapToInt(List::size).sum();
            double step = DecodeStep.medianMs(model);
            Policy defaults = Policy.defaults();
            Policy.Builder b = Policy.builder();
            for (Rule r : defaults.rules()) b.rule(r);
            Policy words = b.rule(Rule.of("words", new WordListDetector(GuardWords.WORDS), Action.REDACT).on(Direction.OUTPUT)).build();
            List<Cost> costs = List.of(cost("defaults", defaults, gens, o.passes(), step), cost("defaults+100 words", words, gens, o.passes(), step));
            double stepAfter = DecodeStep.medianMs(model);  // again: a neighbour slowing one measurement shows as a spread
            out.printf(Locale.ROOT, "vane bench guard: Vane %s, kernels %s, %d threads, %s; %d generations, %d pieces, %d passes%n", Vane.version(),
                    Vane.cpu().active().name().toLowerCase(Locale.ROOT), o.threads(), Instant.now(), gens.size(), tokens, o.passes());
            out.printf(Locale.ROOT, "embedded decode step (median of 64): %.3f ms before, %.3f ms after the guard runs%n", step, stepAfter);
            out.println("policy               rules  per token µs: cpu   wall mean  median     p99       max  bytes/token  findings  cpu / decode step");
            for (Cost c : costs) {
                out.printf(Locale.ROOT, "%-20s %5d  %16.2f  %10.2f  %6.2f  %6.2f  %8.1f  %11.0f  %8d  %16.2f%%%n", c.policy(), c.rules(), c.cpuUs(), c.meanUs(),
                        c.medianUs(), c.p99Us(), c.maxUs(), c.bytes(), c.findings(), 100 * c.ratio());
            }
            out.println("cpu: the guard thread's CPU time per piece, wall mean: its wall time per piece (each the median over passes of a pass's mean); "
                    + "median, p99, max: single pieces' wall time (max: GC pauses and preemption included); bytes/token: heap allocated per piece; "
                    + "decode step: wall time, median");
        } catch (IOException e) {
            err.println("vane bench: " + e);
            return 1;
        }
        return 0;
    }

    // Sampled generations (temperature 1, one seed each) from KJV-style prompts: each token's text.
    static List<List<String>> generations(Model model, Options o) {
        List<List<String>> gens = new ArrayList<>();
        for (int i = 0; i < o.generations(); i++) {
            List<String> pieces = new ArrayList<>();
            try (Session s = model.newSession(SessionOptions.defaults(model.config()).withContextLength(Math.min(4096, o.tokens() + 64)))) {
                s.generate(model.tokenizer().encode(PROMPTS[i % PROMPTS.length], true), GenerationOptions.of(o.tokens(), Sampling.defaults(i)),
                        t -> pieces.add(t.text()));
            }
            gens.add(pieces);
        }
        return gens;
    }

    // Warm-up (the JIT): every generation replayed for at least a second; then passes timed per piece.
    // The mean is the median over passes of each pass's mean, so a pass a neighbour slowed does not count.
    static Cost cost(String name, Policy policy, List<List<String>> gens, int passes, double stepMs) {
        long warm = System.nanoTime() + 1_000_000_000L;
        for (int w = 0; w < 5 || System.nanoTime() < warm; w++) for (List<String> g : gens) replay(policy, g, null);
        int n = gens.stream().mapToInt(g -> g.size() + 1).sum();
        double[] us = new double[n * passes], passMeans = new double[passes], passCpu = new double[passes];
        long findings = 0;
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long allocated = threads.getCurrentThreadAllocatedBytes();
        int k = 0;
        for (int p = 0; p < passes; p++) {
            double sum = 0;
            long cpu = threads.getCurrentThreadCpuTime();
            for (List<String> g : gens) {
                double[] t = new double[g.size() + 1];
                long f = replay(policy, g, t);
                if (p == 0) findings += f;
                for (double x : t) sum += x;
                System.arraycopy(t, 0, us, k, t.length);
                k += t.length;
            }
            passMeans[p] = sum / n;
            passCpu[p] = (threads.getCurrentThreadCpuTime() - cpu) / 1e3 / n;
        }
        double bytes = (double) (threads.getCurrentThreadAllocatedBytes() - allocated) / ((long) n * passes);
        double mean = Timing.of(passMeans).median(), cpuMean = Timing.of(passCpu).median();
        double[] sorted = us.clone();
        Arrays.sort(sorted);
        int rules = (int) policy.rules().stream().filter(r -> r.appliesTo(Direction.OUTPUT)).count();
        return new Cost(name, rules, cpuMean, mean, Timing.of(us).median(), sorted[(int) Math.ceil(0.99 * (sorted.length - 1))], sorted[sorted.length - 1], bytes, findings,
                cpuMean / 1000 / stepMs);
    }

    // One generation through a new guard; t (when given) gets each accept's and the finish's µs. Returns the findings.
    static long replay(Policy policy, List<String> pieces, double[] t) {
        StreamGuard g = policy.streamOutput();
        long findings = 0;
        for (int i = 0; i <= pieces.size(); i++) {
            long t0 = System.nanoTime();
            Emit e = i < pieces.size() ? g.accept(pieces.get(i)) : g.finish();
            if (t != null) t[i] = (System.nanoTime() - t0) / 1e3;
            findings += e.findings().size();
            if (e.stop()) throw new IllegalStateException("the benchmark's policies redact, they do not block; stopped at piece " + i);
        }
        return findings;
    }

}
