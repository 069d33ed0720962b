package dev.vane.bench;

import dev.vane.MachineCeilings;
import dev.vane.Vane;
import dev.vane.bench.gemm.GemmBench;
import dev.vane.bench.gemm.GemmResult;
import dev.vane.quant.QuantFormat;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code vane bench gemm [--quick] [--json] [--formats=a,b] [--m=1,16] [--threads=1,2]}: Vane's
 * GEMM against its peers, with the machine's ceilings measured in the same run.
 */
public final class BenchCli {
    private BenchCli() {}

    static final int[][] SHAPES = {{4096, 4096}, {11008, 4096}, {4096, 11008}, {14336, 4096}};
    static final int[] MS = {1, 4, 16, 64, 256, 512};

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || !args[0].equals("gemm")) {
            err.println("usage: vane bench gemm [--quick] [--json] [--formats=q4_0,q8_0,...] [--m=1,16,...] [--threads=1,2]");
            return 2;
        }
        boolean quick = false, json = false;
        List<QuantFormat> formats = List.of(QuantFormat.values());
        int[] ms = MS;
        int all = Runtime.getRuntime().availableProcessors();
        int[] threads = {1, all};
        int[][] shapes = SHAPES;
        try {
            for (String a : Arrays.copyOfRange(args, 1, args.length)) {
                if (a.equals("--quick")) quick = true;
                else if (a.equals("--json")) json = true;
                else if (a.startsWith("--formats=")) formats = Arrays.stream(a.substring(10).split(",")).map(BenchCli::format).toList();
                else if (a.startsWith("--m=")) ms = ints(a.substring(4));
                else if (a.startsWith("--threads=")) threads = ints(a.substring(10));
                else throw new IllegalArgumentException("unknown option " + a);
            }
        } catch (IllegalArgumentException e) {
            err.println("vane bench: " + e.getMessage());
            return 2;
        }
        if (quick) {
            // About a minute: one shape, decode and a small batch, the headline formats, all threads.
            shapes = new int[][] {{4096, 4096}};
            if (ms == MS) ms = new int[] {1, 16};
            if (formats.size() == QuantFormat.values().length) {
                formats = List.of(QuantFormat.Q4_0, QuantFormat.INT4_SYM_G128, QuantFormat.Q8_0, QuantFormat.FP8_E4M3_ROW);
            }
            threads = new int[] {all};
        }
        err.println("measuring machine ceilings (read bandwidth, fp32 FMA, int8 dot) ...");
        MachineCeilings ceilings = bestOf(3);
        String header = String.format(Locale.ROOT, "vane bench gemm: Vane %s, kernels %s, %s; ceilings: read %.1f GB/s, fma %.1f GFLOP/s, int8 %.1f Gop/s",
                Vane.version(), Vane.cpu().active().name().toLowerCase(Locale.ROOT), Instant.now(), ceilings.readGBps(),
                ceilings.fmaGflops(), ceilings.int8Gops());
        if (json) err.println(header);
        else {
            out.println(header);
            out.println(GemmResult.tableHeader());
        }
        GemmBench bench = new GemmBench(ceilings, quick ? 0.15 : 0.5);
        boolean jsonOut = json;
        for (int[] s : shapes) {
            bench.runShape(s[0], s[1], formats, ms, threads, r -> out.println(jsonOut ? r.toJson() : r.tableRow()));
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
