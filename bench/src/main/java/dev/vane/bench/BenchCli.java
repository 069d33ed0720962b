package dev.vane.bench;

import dev.vane.MachineCeilings;
import dev.vane.Vane;
import dev.vane.bench.attention.AttentionBench;
import dev.vane.bench.attention.AttentionResult;
import dev.vane.bench.gemm.GemmBench;
import dev.vane.bench.gemm.GemmResult;
import dev.vane.bench.moe.MoeBench;
import dev.vane.bench.moe.MoeResult;
import dev.vane.quant.QuantFormat;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code vane bench gemm|moe [--quick] [--json] ...}: Vane's kernels against their peers, with the
 * machine's ceilings measured in the same run.
 * <ul>
 *   <li>{@code gemm [--formats=a,b] [--m=1,16] [--threads=1,2]}: y = x · Wᵀ on the LLM shapes;
 *   <li>{@code moe [--formats=q4_0] [--t=1,128] [--threads=2]}: a Mixtral-shaped MoE layer against
 *       k dense FFNs and one dense FFN of all experts' parameters;
 *   <li>{@code attention [--threads=2]}: decode over f16 and FP8 KV caches against the roofline,
 *       prefill against the FMA peak, the naive Java peer, and prefill's peak memory.
 * </ul>
 */
public final class BenchCli {
    private BenchCli() {}

    static final int[][] SHAPES = {{4096, 4096}, {11008, 4096}, {4096, 11008}, {14336, 4096}};
    static final int[] MS = {1, 4, 16, 64, 256, 512};
    static final String USAGE = """
            usage: vane bench gemm      [--quick] [--json] [--formats=q4_0,q8_0,...] [--m=1,16,...] [--threads=1,2]
                   vane bench moe       [--quick] [--json] [--formats=q4_0,...] [--t=1,128] [--threads=2]
                   vane bench attention [--quick] [--json] [--threads=2]""";

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** The options both benchmarks take. */
    record Options(boolean quick, boolean json, List<QuantFormat> formats, int[] sizes, int[] threads) {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || !(args[0].equals("gemm") || args[0].equals("moe") || args[0].equals("attention"))) {
            err.println(USAGE);
            return 2;
        }
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

    /**
     * A ceiling is what the machine can do at best: on a shared VM one probe can be slowed by a
     * neighbour, which would inflate every fraction, so take each figure's best of several runs.
     */
    static MachineCeilings bestOf(int runs) {
        MachineCeilings best = MachineCeilings.measure();
        for (int i = 1; i < runs; i++) {
            MachineCeilings c = MachineCeilings.measure();
            best = new MachineCeilings(Math.max(best.readGBps(), c.readGBps()), Math.max(best.fmaGflops(), c.fmaGflops()),
                    Math.max(best.int8Gops(), c.int8Gops()), c.threads(), c.variant());
        }
        return best;
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
