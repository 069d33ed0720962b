package dev.vane.bench;

import dev.vane.MachineCeilings;
import dev.vane.Vane;
import dev.vane.bench.attention.AttentionBench;
import dev.vane.bench.attention.AttentionResult;
import dev.vane.bench.gemm.GemmBench;
import dev.vane.bench.gemm.GemmResult;
import dev.vane.bench.model.BatchBench;
import dev.vane.bench.model.GapBench;
import dev.vane.bench.model.LlamaCppProcess;
import dev.vane.bench.model.ModelBench;
import dev.vane.bench.model.ModelResult;
import dev.vane.bench.moe.MoeBench;
import dev.vane.bench.moe.MoeResult;
import dev.vane.quant.QuantFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code vane bench gemm|moe|attention|model [--quick] [--json] ...}: Vane's kernels against their peers, with the
 * machine's ceilings measured in the same run.
 * <ul>
 *   <li>{@code gemm [--formats=a,b] [--m=1,16] [--threads=1,2]}: y = x · Wᵀ on the LLM shapes;
 *   <li>{@code moe [--formats=q4_0] [--t=1,128] [--threads=2]}: a Mixtral-shaped MoE layer against
 *       k dense FFNs and one dense FFN of all experts' parameters;
 *   <li>{@code attention [--threads=2]}: decode over f16 and FP8 KV caches against the roofline,
 *       prefill against the FMA peak, the naive Java peer, and prefill's peak memory;
 *   <li>{@code model [--formats=q4_0,q8_0] [--threads=2] [--dense|--moe] [--runs=7] [--cache=DIR]
 *       [--peers=llama.cpp,de.kherud,jlama] [--llama-cpp=DIR] [--checkpoint=f16,q4_0] [--embedded]}: whole
 *       generated models (the ≈0.5B Llama in each format, the Mixtral-style one in q4_0 unless
 *       --formats is given) against llama.cpp built for this CPU (when bench/llama-cpp-native.sh
 *       has built it, or DIR) and de.kherud:llama on the same file, and the 0.5B Llama as a
 *       safetensors checkpoint against Jlama (and the embedded model with --embedded or in the
 *       default run): prefill, decode and time to first token, decode
 *       against the bandwidth floor and prefill against the FMA peak ({@link ModelBench});
 *   <li>{@code batch [--formats=q4_0] [--sequences=1,2,4,8,16]}: batched decode, sessions stepped
 *       together against one session and the read floor ({@link BatchBench});
 *   <li>{@code gaps [--model=FILE] [--gaps=0,0.25,1,3]}: decode right after idle gaps against a
 *       warm loop, on the embedded model by default ({@link GapBench});
 *   <li>{@code grammar [--generations=20]}: the JSON-schema grammar's mask and step per token,
 *       cold and warm, on the embedded and Qwen3 vocabularies, against decode steps
 *       ({@link dev.vane.bench.grammar.GrammarBench});
 *   <li>{@code guard [--generations=8] [--tokens=256]}: the streaming output guard's cost per token
 *       on the embedded model's decode pieces, against its decode step ({@link dev.vane.bench.guard.GuardBench});
 *   <li>{@code soak [--seconds=600] [--threads=4] [--model=FILE]}: many threads generating on one model with
 *       cancellations and closes at random moments, results against single-threaded runs, native memory and RSS
 *       flat, and the model closed while they run ({@link dev.vane.bench.soak.Soak}; ci/soak.sh).
 * </ul>
 */
public final class BenchCli {
    private BenchCli() {}

    static final int[][] SHAPES = {{4096, 4096}, {11008, 4096}, {4096, 11008}, {14336, 4096}};
    static final int[] MS = {1, 4, 16, 64, 256, 512};
    static final String USAGE = """
            usage: vane bench gemm      [--quick] [--json] [--formats=q4_0,q8_0,...] [--m=1,16,...] [--threads=1,2]
                   vane bench moe       [--quick] [--json] [--formats=q4_0,...] [--t=1,128] [--threads=2]
                   vane bench attention [--quick] [--json] [--threads=2]
                   vane bench model     [--quick] [--json] [--formats=q4_0,q8_0,q4_k_m,q6_k,...] [--threads=2] [--dense|--moe] [--runs=7] [--cache=DIR]
                                        [--peers=llama.cpp,de.kherud,jlama] [--llama-cpp=DIR] [--checkpoint=f16,q4_0] [--embedded]
                   """ + BatchBench.USAGE + "\n       " + GapBench.USAGE + "\n       "
                   + dev.vane.bench.serve.ServeBench.USAGE + "\n       " + dev.vane.bench.grammar.GrammarBench.USAGE
                   + "\n       " + dev.vane.bench.guard.GuardBench.USAGE + "\n       " + dev.vane.bench.soak.Soak.USAGE;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** The options both benchmarks take. */
    record Options(boolean quick, boolean json, List<QuantFormat> formats, int[] sizes, int[] threads) {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || !(args[0].equals("gemm") || args[0].equals("moe") || args[0].equals("attention") || args[0].equals("model")
                || args[0].equals("batch") || args[0].equals("gaps") || args[0].equals("serve") || args[0].equals("grammar") || args[0].equals("guard")
                || args[0].equals("soak"))) {
            err.println(USAGE);
            return 2;
        }
        if (args[0].equals("model")) return runModel(Arrays.copyOfRange(args, 1, args.length), out, err);
        if (args[0].equals("batch")) return BatchBench.run(Arrays.copyOfRange(args, 1, args.length), out, err, () -> bestOf(3));
        if (args[0].equals("grammar")) return dev.vane.bench.grammar.GrammarBench.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        if (args[0].equals("guard")) return dev.vane.bench.guard.GuardBench.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        if (args[0].equals("soak")) return dev.vane.bench.soak.Soak.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        if (args[0].equals("gaps")) return GapBench.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        if (args[0].equals("serve")) return dev.vane.bench.serve.ServeBench.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        boolean moe = args[0].equals("moe");
        Options o;
        try {
            o = parse(Arrays.copyOfRange(args, 1, args.length), moe ? "--t=" : "--m=");
        } catch (IllegalArgumentException e) {
            err.println("vane bench: " + e.getMessage());
            return 2;
        }
        err.println("measuring machine ceilings (read bandwidth, fp32 FMA, int8 dot) ...");
        MachineCeilings ceilings = bestOf(3);
        String header = String.format(Locale.ROOT, "vane bench %s: Vane %s, kernels %s, %s; ceilings: read %.1f GB/s, fma %.1f GFLOP/s, int8 %.1f Gop/s",
                args[0], Vane.version(), Vane.cpu().active().name().toLowerCase(Locale.ROOT), Instant.now(), ceilings.readGBps(),
                ceilings.fmaGflops(), ceilings.int8Gops());
        if (o.json()) err.println(header);
        else out.println(header);
        if (args[0].equals("attention")) return runAttention(o, ceilings, out);
        return moe ? runMoe(o, ceilings, out) : runGemm(o, ceilings, out);
    }

    static Options parse(String[] args, String sizeOption) {
        boolean quick = false, json = false;
        List<QuantFormat> formats = null;
        int[] sizes = null, threads = null;
        for (String a : args) {
            if (a.equals("--quick")) quick = true;
            else if (a.equals("--json")) json = true;
            else if (a.startsWith("--formats=")) formats = Arrays.stream(a.substring(10).split(",")).map(BenchCli::format).toList();
            else if (a.startsWith(sizeOption)) sizes = ints(a.substring(sizeOption.length()));
            else if (a.startsWith("--threads=")) threads = ints(a.substring(10));
            else throw new IllegalArgumentException("unknown option " + a);
        }
        return new Options(quick, json, formats, sizes, threads);
    }

    static int runGemm(Options o, MachineCeilings ceilings, PrintStream out) {
        int all = Runtime.getRuntime().availableProcessors();
        List<QuantFormat> formats = o.formats() != null ? o.formats() : List.of(QuantFormat.values());
        int[] ms = o.sizes() != null ? o.sizes() : MS;
        int[] threads = o.threads() != null ? o.threads() : new int[] {1, all};
        int[][] shapes = SHAPES;
        if (o.quick()) {
            // About a minute: one shape, decode and a small batch, the headline formats, all threads.
            shapes = new int[][] {{4096, 4096}};
            if (o.sizes() == null) ms = new int[] {1, 16};
            if (o.formats() == null) formats = List.of(QuantFormat.Q4_0, QuantFormat.INT4_SYM_G128, QuantFormat.Q8_0, QuantFormat.FP8_E4M3_ROW);
            if (o.threads() == null) threads = new int[] {all};
        }
        if (!o.json()) out.println(GemmResult.tableHeader());
        GemmBench bench = new GemmBench(ceilings, o.quick() ? 0.15 : 0.5);
        for (int[] s : shapes) {
            bench.runShape(s[0], s[1], formats, ms, threads, r -> out.println(o.json() ? r.toJson() : r.tableRow()));
        }
        return 0;
    }

    static int runAttention(Options o, MachineCeilings ceilings, PrintStream out) {
        int threads = o.threads() != null ? o.threads()[0] : Runtime.getRuntime().availableProcessors();
        if (!o.json()) out.println(AttentionResult.tableHeader());
        AttentionBench bench = new AttentionBench(ceilings, o.quick() ? 0.15 : 1.0);
        bench.runAll(o.quick(), threads, r -> out.println(o.json() ? r.toJson() : r.tableRow()),
                unused -> out.println(bench.prefillMemory(32768, 8, 8, 128, threads, o.json())));
        return 0;
    }

    static int runMoe(Options o, MachineCeilings ceilings, PrintStream out) {
        int all = Runtime.getRuntime().availableProcessors();
        List<QuantFormat> formats = o.formats() != null ? o.formats() : List.of(QuantFormat.Q4_0);
        int[] tokens = o.sizes() != null ? o.sizes() : new int[] {1, 128};
        int[] threads = o.threads() != null ? o.threads() : new int[] {all};
        if (!o.json()) out.println(MoeResult.tableHeader());
        MoeBench bench = new MoeBench(ceilings, o.quick() ? 0.15 : 1.0);
        for (int th : threads) {
            for (QuantFormat f : formats) {
                // Mixtral 8x7B's feed-forward: D 4096, F 14336, 8 experts, top 2.
                bench.run(f, 4096, 14336, 8, 2, tokens, th, r -> out.println(o.json() ? r.toJson() : r.tableRow()));
            }
        }
        return 0;
    }

    /** The model benchmark's options. */
    record ModelOptions(boolean quick, boolean json, List<String> denseFormats, List<String> moeFormats, List<String> checkpointFormats,
                        boolean embedded, ModelBench.Peers peers, boolean llamaCppMissing, int threads, int runs, Path cache) {}

    static final List<String> PEERS = List.of("llama.cpp", "de.kherud", "jlama");

    static ModelOptions parseModel(String[] args) {
        boolean quick = false, json = false, dense = true, moe = true, embedded = false;
        List<String> formats = null, peers = null, checkpoint = null;
        int threads = Runtime.getRuntime().availableProcessors(), runs = -1;
        Path cache = Path.of(System.getenv().getOrDefault("VANE_MODEL_CACHE", "build/model-cache"));
        Path llamaCpp = LlamaCppProcess.DEFAULT_DIR;
        for (String a : args) {
            if (a.equals("--quick")) quick = true;
            else if (a.equals("--json")) json = true;
            else if (a.equals("--moe")) dense = false;
            else if (a.equals("--dense")) moe = false;
            else if (a.equals("--embedded")) embedded = true;
            else if (a.startsWith("--formats=")) formats = Arrays.stream(a.substring(10).split(",")).map(String::trim).toList();
            else if (a.startsWith("--threads=")) threads = ints(a.substring(10))[0];
            else if (a.startsWith("--runs=")) runs = ints(a.substring(7))[0];
            else if (a.startsWith("--cache=")) cache = Path.of(a.substring(8));
            else if (a.startsWith("--peers=")) peers = Arrays.stream(a.substring(8).split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
            else if (a.startsWith("--checkpoint=")) checkpoint = Arrays.stream(a.substring(13).split(",")).map(String::trim).toList();
            else if (a.startsWith("--llama-cpp=")) llamaCpp = Path.of(a.substring(12));
            else throw new IllegalArgumentException("unknown option " + a);
        }
        if (peers != null) for (String x : peers) if (!PEERS.contains(x)) throw new IllegalArgumentException("unknown peer '" + x + "' (" + String.join(", ", PEERS) + ")");
        boolean named = peers != null;
        if (peers == null) peers = PEERS;
        boolean llama = peers.contains("llama.cpp") && (named || LlamaCppProcess.built(llamaCpp));
        if (llama && !LlamaCppProcess.built(llamaCpp)) {
            throw new IllegalArgumentException("no llama.cpp build in " + llamaCpp + ": run bench/llama-cpp-native.sh (or --llama-cpp=DIR)");
        }
        if (peers.isEmpty()) throw new IllegalArgumentException("--peers needs at least one of " + String.join(", ", PEERS));
        if (checkpoint != null) for (String f : checkpoint) ModelBench.checkpointCase(f, false);  // reject unknown names now
        if (!dense && !moe) throw new IllegalArgumentException("--dense and --moe exclude each other");
        if (runs < 0) runs = quick ? 3 : 7;
        if (formats != null) formats.forEach(f -> ModelBench.named(f, false, false));  // reject unknown names now
        boolean gguf = llama || peers.contains("de.kherud");  // the GGUF files' peers; Jlama runs the checkpoints
        List<String> denseFormats = !dense || !gguf ? List.of() : formats != null ? formats : quick ? List.of("q4_0") : List.of("q4_0", "q8_0");
        List<String> moeFormats = !moe || !gguf ? List.of() : formats != null ? formats : List.of("q4_0");
        List<String> checkpointFormats = !dense || !peers.contains("jlama") ? List.of() : checkpoint != null ? checkpoint
                : quick ? List.of("q4_0") : List.of("f16", "q4_0");
        ModelBench.Peers p = new ModelBench.Peers(llama ? llamaCpp : null, peers.contains("de.kherud"), peers.contains("jlama"));
        // The embedded model: asked for (alone, unless --formats or --checkpoint name others too), or in a full default run (it is small).
        if (embedded && formats == null && checkpoint == null) {
            denseFormats = moeFormats = checkpointFormats = List.of();
        }
        embedded = gguf && (embedded || (formats == null && checkpoint == null && dense && moe && !quick));
        boolean missing = peers.contains("llama.cpp") && !llama;  // only when not named: named, it is an error above
        return new ModelOptions(quick, json, denseFormats, moeFormats, checkpointFormats, embedded, p, missing, threads, runs, cache);
    }

    static int runModel(String[] args, PrintStream out, PrintStream err) {
        ModelOptions o;
        try {
            o = parseModel(args);
        } catch (IllegalArgumentException e) {
            err.println("vane bench: " + e.getMessage());
            return 2;
        }
        long start = System.nanoTime();
        if (o.llamaCppMissing()) err.println("vane bench: no llama.cpp built for this CPU (bench/llama-cpp-native.sh, or --llama-cpp=DIR): running without that peer");
        Vane.setThreads(o.threads());
        err.println("measuring machine ceilings (read bandwidth, fp32 FMA, int8 dot) ...");
        MachineCeilings ceilings = bestOf(3);
        ModelBench bench = new ModelBench(ceilings, o.peers(), o.threads(), o.runs(), 1, o.quick() ? 0.5 : 2, o.cache(), err);
        List<ModelBench.Case> cases = new java.util.ArrayList<>();
        for (String f : o.denseFormats()) cases.add(ModelBench.named(f, false, o.quick()));
        for (String f : o.moeFormats()) cases.add(ModelBench.named(f, true, o.quick()));
        List<ModelResult> results = new java.util.ArrayList<>();
        try {
            for (ModelBench.Case c : cases) {
                err.println("running " + c.name() + " " + c.format() + " ...");
                bench.run(c, results::add);
                // The ceilings again after each model: a probe slowed by a neighbour on this shared
                // VM would understate them (fractions past 100%), and a ceiling is the best seen.
                ceilings = max(ceilings, bestOf(2));
            }
            if (o.embedded()) {
                err.println("running the embedded model ...");
                bench.runEmbedded(results::add);
                ceilings = max(ceilings, bestOf(2));
            }
            for (String f : o.checkpointFormats()) {
                ModelBench.CheckpointCase c = ModelBench.checkpointCase(f, o.quick());
                err.println("running " + c.name() + " " + c.format() + " (checkpoint) ...");
                bench.run(c, results::add);
                ceilings = max(ceilings, bestOf(2));
            }
        } catch (IOException | RuntimeException e) {
            err.println("vane bench: " + e);  // returning lets main exit (a peer's non-daemon thread would keep the JVM up)
            e.printStackTrace(err);
            return 1;
        }
        String header = String.format(Locale.ROOT, "vane bench model: Vane %s, kernels %s, %s; %d threads for every engine, %d runs (after %.1f s of short generations and 1 warm-up run each); ceilings (best over the run): read %.1f GB/s, fma %.1f GFLOP/s, int8 %.1f Gop/s%n%s",
                Vane.version(), Vane.cpu().active().name().toLowerCase(Locale.ROOT), Instant.now(), o.threads(), o.runs(), o.quick() ? 0.5 : 2.0,
                ceilings.readGBps(), ceilings.fmaGflops(), ceilings.int8Gops(),
                peerLegend(o.peers()) + (o.llamaCppMissing() ? " (llama.cpp built for this CPU: not run, bench/llama-cpp-native.sh was not run)" : ""));
        if (o.json()) err.println(header);
        else out.println(header);
        if (!o.json()) out.println(ModelResult.tableHeader());
        for (ModelResult r : results) out.println(o.json() ? r.withCeilings(ceilings).toJson() : r.withCeilings(ceilings).tableRows());
        if (!o.json()) {
            out.println("prefill: prompt tokens / time to first token; decode: tokens after the first / time from first to last; "
                    + "/peer: the peer's time / Vane's per run (above 1: Vane faster); %fma, %int8: prefill FLOPs/s over the peak; "
                    + "%read: decode tok/s over the read-bandwidth floor");
            for (ModelResult r : results) out.println(r.withCeilings(ceilings).footnote());
            out.printf(Locale.ROOT, "total %.0f s%n", (System.nanoTime() - start) / 1e9);
        }
        return 0;
    }

    /** What each peer in the tables is. */
    static String peerLegend(ModelBench.Peers p) {
        StringBuilder b = new StringBuilder("peers:");
        if (p.llamaCpp() != null) b.append(" llama.cpp = ").append(LlamaCppProcess.describe(p.llamaCpp())).append(';');
        if (p.kherud()) b.append(" de.kherud = de.kherud:llama 4.2.0 (llama.cpp of March 2025, AVX2 build, in this JVM);");
        if (p.jlama()) b.append(" jlama = com.github.tjake:jlama-core 0.8.4 on the same model as a safetensors checkpoint (Vane loads it too);");
        return b.toString();
    }

    /**
     * A ceiling is what the machine can do at best: on a shared VM one probe can be slowed by a
     * neighbour, which would inflate every fraction, so take each figure's best of several runs.
     */
    static MachineCeilings bestOf(int runs) {
        MachineCeilings best = MachineCeilings.measure();
        for (int i = 1; i < runs; i++) best = max(best, MachineCeilings.measure());
        return best;
    }

    /** Each figure's best of a and b. */
    static MachineCeilings max(MachineCeilings a, MachineCeilings b) {
        return new MachineCeilings(Math.max(a.readGBps(), b.readGBps()), Math.max(a.fmaGflops(), b.fmaGflops()),
                Math.max(a.int8Gops(), b.int8Gops()), b.threads(), b.variant());
    }

    private static QuantFormat format(String name) {
        for (QuantFormat f : QuantFormat.values()) if (f.formatName().equals(name.trim())) return f;
        throw new IllegalArgumentException("unknown format '" + name + "'");
    }

    private static int[] ints(String csv) {
        try {
            int[] v = Arrays.stream(csv.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
            for (int i : v) if (i < 1) throw new IllegalArgumentException("values must be >= 1: " + csv);
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a list of integers: " + csv);
        }
    }
}
