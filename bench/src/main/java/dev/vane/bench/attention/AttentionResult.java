package dev.vane.bench.attention;

import dev.vane.MachineCeilings;
import dev.vane.bench.Timing;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One measured attention case in the gemm harness's shape: kind (decode over a KV cache, or
 * prefill), storage, n_q (m), n_kv (n), head_dim (k), heads; the bytes it must read (KV cache for
 * decode) and its FLOPs (4 · heads · head_dim per visible query-key pair); the roofline floor
 * max(bytes / read bandwidth, FLOPs / FMA peak) from the same run, and peers as time ratios.
 */
public record AttentionResult(String kind, String storage, long nq, long nkv, int headDim, int heads, int kvHeads, int threads,
                              double bytes, double flops, Timing vane, MachineCeilings ceilings, Map<String, Double> peerRatios) {

    public double gbps() {
        return bytes / vane.median() / 1e9;
    }

    public double gflops() {
        return flops / vane.median() / 1e9;
    }

    public double floorSeconds() {
        return Math.max(bytes / (ceilings.readGBps() * 1e9), flops / (ceilings.fmaGflops() * 1e9));
    }

    public String toJson() {
        String peers = peerRatios.entrySet().stream().map(e -> "\"" + e.getKey() + "\":" + num(e.getValue()))
                .collect(Collectors.joining(",", "{", "}"));
        return "{\"family\":\"attention\",\"kind\":\"" + kind + "\",\"format\":\"" + storage + "\",\"m\":" + nq + ",\"n\":" + nkv + ",\"k\":"
                + headDim + ",\"heads\":" + heads + ",\"kv_heads\":" + kvHeads + ",\"threads\":" + threads + ",\"seconds\":" + num(vane.median())
                + ",\"seconds_p10\":" + num(vane.p10()) + ",\"seconds_p90\":" + num(vane.p90()) + ",\"runs\":" + vane.runs() + ",\"bytes\":"
                + num(bytes) + ",\"gbps\":" + num(gbps()) + ",\"gflops\":" + num(gflops()) + ",\"ceiling_read_gbps\":" + num(ceilings.readGBps())
                + ",\"ceiling_fma_gflops\":" + num(ceilings.fmaGflops()) + ",\"ceiling_int8_gops\":" + num(ceilings.int8Gops())
                + ",\"roofline_floor_seconds\":" + num(floorSeconds()) + ",\"frac_roofline\":" + num(floorSeconds() / vane.median())
                + ",\"peers\":" + peers + "}";
    }

    public static String tableHeader() {
        return String.format(Locale.ROOT, "%-8s %-9s %5s %6s %4s %5s %3s %10s %17s %7s %8s %9s %7s  %s", "kind", "storage", "n_q", "n_kv", "d",
                "heads", "thr", "ms median", "p10-p90 ms", "GB/s", "GFLOP/s", "floor ms", "%roof", "peer time / vane time");
    }

    public String tableRow() {
        String peers = peerRatios.entrySet().stream().map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%.2fx", e.getValue()))
                .collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, "%-8s %-9s %5d %6d %4d %2d/%-2d %3d %10.3f %8.3f-%-8.3f %7.2f %8.1f %9.3f %6.0f%%  %s", kind, storage, nq,
                nkv, headDim, heads, kvHeads, threads, vane.median() * 1e3, vane.p10() * 1e3, vane.p90() * 1e3, gbps(), gflops(),
                floorSeconds() * 1e3, 100 * floorSeconds() / vane.median(), peers);
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null";
    }
}
