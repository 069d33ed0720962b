package dev.vane.bench.gemm;

import dev.vane.MachineCeilings;
import dev.vane.bench.Timing;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One measured GEMM case: Vane's time, the weight bytes and FLOPs it implies, the machine's
 * ceilings from the same run, and each peer's time as a ratio (peer time / Vane time).
 */
public record GemmResult(String format, int m, int n, int k, int threads, long weightBytes, Timing vane,
                         MachineCeilings ceilings, Map<String, Double> peerRatios) {

    public double gbps() {
        return weightBytes / vane.median() / 1e9;
    }

    public double gflops() {
        return 2.0 * m * n * k / vane.median() / 1e9;
    }

    public String toJson() {
        String peers = peerRatios.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\":" + num(e.getValue()))
                .collect(Collectors.joining(",", "{", "}"));
        return "{\"family\":\"gemm\",\"format\":\"" + format + "\",\"m\":" + m + ",\"n\":" + n + ",\"k\":" + k
                + ",\"threads\":" + threads + ",\"seconds\":" + num(vane.median()) + ",\"seconds_p10\":" + num(vane.p10())
                + ",\"seconds_p90\":" + num(vane.p90()) + ",\"runs\":" + vane.runs() + ",\"weight_bytes\":" + weightBytes
                + ",\"gbps\":" + num(gbps()) + ",\"gflops\":" + num(gflops())
                + ",\"ceiling_read_gbps\":" + num(ceilings.readGBps()) + ",\"ceiling_fma_gflops\":" + num(ceilings.fmaGflops())
                + ",\"ceiling_int8_gops\":" + num(ceilings.int8Gops())
                + ",\"frac_read\":" + num(gbps() / ceilings.readGBps()) + ",\"frac_fma\":" + num(gflops() / ceilings.fmaGflops())
                + ",\"frac_int8\":" + num(gflops() / ceilings.int8Gops()) + ",\"peers\":" + peers + "}";
    }

    public static String tableHeader() {
        return String.format(Locale.ROOT, "%-15s %4s %6s %6s %3s %10s %17s %8s %8s %6s %6s %6s  %s",
                "format", "m", "n", "k", "thr", "ms median", "p10-p90 ms", "GB/s", "GFLOP/s", "%read", "%fma", "%int8",
                "peer time / vane time");
    }

    public String tableRow() {
        String peers = peerRatios.entrySet().stream()
                .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%.2fx", e.getValue()))
                .collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, "%-15s %4d %6d %6d %3d %10.3f %8.3f-%-8.3f %8.2f %8.1f %5.0f%% %5.0f%% %5.0f%%  %s",
                format, m, n, k, threads, vane.median() * 1e3, vane.p10() * 1e3, vane.p90() * 1e3, gbps(), gflops(),
                100 * gbps() / ceilings.readGBps(), 100 * gflops() / ceilings.fmaGflops(), 100 * gflops() / ceilings.int8Gops(), peers);
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null";
    }
}
