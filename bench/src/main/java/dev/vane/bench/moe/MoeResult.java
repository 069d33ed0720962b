package dev.vane.bench.moe;

import dev.vane.MachineCeilings;
import dev.vane.bench.Timing;
import java.util.Locale;

/**
 * One measured MoE layer: T tokens through E experts of [D, F] with top-k, Vane's time, the
 * weight bytes the call had to read (router plus the experts chosen), and the two baselines as
 * time ratios in the gemm harness's shape: peers {@code k_dense_ffn} (k dense FFNs on all T
 * tokens: the same useful work; ideal layer/peer 1.0) and {@code dense_all_ffn} (one FFN holding
 * every expert's parameters; ideal layer/peer k/E).
 */
public record MoeResult(String format, int t, long d, long f, int experts, int topK, int threads, long weightBytes,
                        Timing vane, double overheadShare, Timing kDense, Timing denseAll, MachineCeilings ceilings) {

    public double gbps() {
        return weightBytes / vane.median() / 1e9;
    }

    /** Useful FLOPs: each (token, expert) pair runs 3 matrices of D x F. */
    public double gflops() {
        return 6.0 * t * topK * d * f / vane.median() / 1e9;
    }

    public double ratioKDense() {
        return vane.median() / kDense.median();
    }

    public double ratioDenseAll() {
        return vane.median() / denseAll.median();
    }

    public String toJson() {
        return "{\"family\":\"moe\",\"format\":\"" + format + "\",\"m\":" + t + ",\"n\":" + f + ",\"k\":" + d + ",\"experts\":" + experts
                + ",\"top_k\":" + topK + ",\"threads\":" + threads + ",\"seconds\":" + num(vane.median()) + ",\"seconds_p10\":"
                + num(vane.p10()) + ",\"seconds_p90\":" + num(vane.p90()) + ",\"runs\":" + vane.runs() + ",\"weight_bytes\":" + weightBytes
                + ",\"gbps\":" + num(gbps()) + ",\"gflops\":" + num(gflops()) + ",\"ceiling_read_gbps\":" + num(ceilings.readGBps())
                + ",\"ceiling_fma_gflops\":" + num(ceilings.fmaGflops()) + ",\"ceiling_int8_gops\":" + num(ceilings.int8Gops())
                + ",\"layer_over_k_dense\":" + num(ratioKDense()) + ",\"layer_over_dense_all\":" + num(ratioDenseAll())
                + ",\"overhead_share\":" + num(overheadShare()) + ",\"peers\":{\"k_dense_ffn\":" + num(kDense.median() / vane.median())
                + ",\"dense_all_ffn\":" + num(denseAll.median() / vane.median()) + "}}";
    }

    public static String tableHeader() {
        return String.format(Locale.ROOT, "%-10s %4s %5s %6s %3s %2s %3s %10s %17s %7s %7s %6s %6s %12s %14s %9s", "format", "T", "D",
                "F", "E", "k", "thr", "ms median", "p10-p90 ms", "GB/s", "GFLOP/s", "%read", "%int8", "layer/kdense",
                "layer/denseall", "overhead");
    }

    public String tableRow() {
        return String.format(Locale.ROOT, "%-10s %4d %5d %6d %3d %2d %3d %10.3f %8.3f-%-8.3f %7.2f %7.1f %5.0f%% %5.0f%% %12.3f %14.3f %8.2f%%",
                format, t, d, f, experts, topK, threads, vane.median() * 1e3, vane.p10() * 1e3, vane.p90() * 1e3, gbps(), gflops(),
                100 * gbps() / ceilings.readGBps(), 100 * gflops() / ceilings.int8Gops(), ratioKDense(), ratioDenseAll(),
                100 * overheadShare());
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null";
    }
}
