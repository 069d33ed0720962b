package dev.vane.bench.model;

import dev.vane.MachineCeilings;
import dev.vane.bench.Timing;
import java.util.Locale;

/**
 * One model file run end to end by Vane and by llama.cpp in the same process, with the same
 * threads: prefill (a promptTokens prompt, to the first generated token), decode (decodeTokens
 * greedy tokens after that prompt: the tokens after the first over the time from the first to the
 * last) and time to first token of a ttftTokens prompt. Each engine's samples are in run order;
 * run i of both engines was taken back to back, so the Vane/llama.cpp ratios are the median and
 * p10-p90 of the per-run ratios (robust to the VM's slow drifts), not a ratio of medians.
 *
 * <p>Floors from the same run's ceilings: decode reads bytesPerToken (every matrix a token
 * touches: for a MoE only expertsUsed experts; not the embedding table) at the read bandwidth;
 * prefill does 2 FLOPs per parameter a token touches (attention's score and value products left
 * out; the output matrix counted once, as only the last prompt token's logits are computed).
 *
 * @param sameTokens how many of the first decoded tokens both engines agree on (greedy on the same
 *     file: a check that both did the same work; rounding differences may part them later)
 */
public record ModelResult(String model, String format, int threads, long parametersPerToken, long bytesPerToken, double prefillFlops,
                          int promptTokens, int decodeTokens, int ttftTokens, Engine vane, Engine llama, int sameTokens,
                          MachineCeilings ceilings) {

    /**
     * One engine's samples, in seconds: loading the file, a promptTokens prompt to its first
     * token, a decoded token (average over one generation), a ttftTokens prompt to its first token.
     */
    public record Engine(String name, double loadSeconds, double[] prefillSeconds, double[] decodeSecondsPerToken, double[] ttftSeconds) {
        public Engine {
            if (prefillSeconds.length == 0 || prefillSeconds.length != decodeSecondsPerToken.length || prefillSeconds.length != ttftSeconds.length) {
                throw new IllegalArgumentException("every measure needs the same number of runs (at least one)");
            }
            prefillSeconds = prefillSeconds.clone();
            decodeSecondsPerToken = decodeSecondsPerToken.clone();
            ttftSeconds = ttftSeconds.clone();
        }

        public Timing prefill() {
            return Timing.of(prefillSeconds);
        }

        public Timing decode() {
            return Timing.of(decodeSecondsPerToken);
        }

        public Timing ttft() {
            return Timing.of(ttftSeconds);
        }
    }

    public ModelResult {
        if (vane.prefillSeconds().length != llama.prefillSeconds().length) throw new IllegalArgumentException("both engines need the same runs");
    }

    /** This result against other ceilings (the best seen over the whole run). */
    public ModelResult withCeilings(MachineCeilings c) {
        return new ModelResult(model, format, threads, parametersPerToken, bytesPerToken, prefillFlops, promptTokens, decodeTokens, ttftTokens,
                vane, llama, sameTokens, c);
    }

    /** Prompt tokens per second: promptTokens over the time to the first token. */
    public double prefillTps(Engine e) {
        return promptTokens / e.prefill().median();
    }

    public double decodeTps(Engine e) {
        return 1 / e.decode().median();
    }

    /** Decode tokens per second if every byte a token reads came at the measured read bandwidth. */
    public double decodeFloorTps() {
        return ceilings.readGBps() * 1e9 / bytesPerToken;
    }

    /** Decode speed as a fraction of the bandwidth floor's speed. */
    public double fracRead(Engine e) {
        return decodeTps(e) / decodeFloorTps();
    }

    /** Prefill FLOP rate as a fraction of the fp32 FMA peak (int8 kernels may pass 1). */
    public double fracFma(Engine e) {
        return prefillFlops / e.prefill().median() / (ceilings.fmaGflops() * 1e9);
    }

    public double fracInt8(Engine e) {
        return prefillFlops / e.prefill().median() / (ceilings.int8Gops() * 1e9);
    }

    /** Vane's speed over llama.cpp's for prefill, per run (= llama.cpp's time / Vane's; above 1: Vane is faster). */
    public Timing prefillRatio() {
        return ratios(llama.prefillSeconds(), vane.prefillSeconds());
    }

    public Timing decodeRatio() {
        return ratios(llama.decodeSecondsPerToken(), vane.decodeSecondsPerToken());
    }

    public Timing ttftRatio() {
        return ratios(llama.ttftSeconds(), vane.ttftSeconds());
    }

    static Timing ratios(double[] peerSeconds, double[] vaneSeconds) {
        double[] r = new double[vaneSeconds.length];
        for (int i = 0; i < r.length; i++) r[i] = peerSeconds[i] / vaneSeconds[i];
        return Timing.of(r);
    }

    public String toJson() {
        StringBuilder b = new StringBuilder("{\"family\":\"model\"");
        str(b, "model", model);
        str(b, "format", format);
        b.append(",\"threads\":").append(threads).append(",\"prompt_tokens\":").append(promptTokens).append(",\"decode_tokens\":")
                .append(decodeTokens).append(",\"ttft_prompt_tokens\":").append(ttftTokens).append(",\"runs\":").append(vane.prefill().runs())
                .append(",\"params_per_token\":").append(parametersPerToken).append(",\"bytes_per_token\":").append(bytesPerToken);
        num(b, "prefill_flops", prefillFlops);
        for (Engine e : new Engine[] {vane, llama}) {
            String p = e == vane ? "vane_" : "llama_cpp_";
            Timing pf = e.prefill(), d = e.decode(), t = e.ttft();
            num(b, p + "load_s", e.loadSeconds());
            num(b, p + "prefill_tps", promptTokens / pf.median());
            num(b, p + "prefill_tps_p10", promptTokens / pf.p90());
            num(b, p + "prefill_tps_p90", promptTokens / pf.p10());
            num(b, p + "decode_tps", 1 / d.median());
            num(b, p + "decode_tps_p10", 1 / d.p90());
            num(b, p + "decode_tps_p90", 1 / d.p10());
            num(b, p + "ttft_ms", 1e3 * t.median());
            num(b, p + "ttft_ms_p10", 1e3 * t.p10());
            num(b, p + "ttft_ms_p90", 1e3 * t.p90());
            num(b, p + "frac_read", fracRead(e));
            num(b, p + "frac_fma", fracFma(e));
            num(b, p + "frac_int8", fracInt8(e));
        }
        num(b, "decode_floor_tps", decodeFloorTps());
        num(b, "ceiling_read_gbps", ceilings.readGBps());
        num(b, "ceiling_fma_gflops", ceilings.fmaGflops());
        num(b, "ceiling_int8_gops", ceilings.int8Gops());
        b.append(",\"same_tokens\":").append(sameTokens);
        Timing pr = prefillRatio(), dr = decodeRatio(), tr = ttftRatio();
        num(b, "prefill_ratio_p10", pr.p10());
        num(b, "prefill_ratio_p90", pr.p90());
        num(b, "decode_ratio_p10", dr.p10());
        num(b, "decode_ratio_p90", dr.p90());
        num(b, "ttft_ratio_p10", tr.p10());
        num(b, "ttft_ratio_p90", tr.p90());
        b.append(",\"peers\":{\"llama_cpp_prefill\":").append(num(pr.median())).append(",\"llama_cpp_decode\":").append(num(dr.median()))
                .append(",\"llama_cpp_ttft\":").append(num(tr.median())).append("}}");
        return b.toString();
    }

    public static String tableHeader() {
        return String.format(Locale.ROOT, "%-11s %-5s %3s %-10s %21s %21s %21s %6s %6s %6s %6s", "model", "fmt", "thr", "engine",
                "prefill tok/s p10-p90", "decode tok/s p10-p90", "TTFT ms p10-p90", "load s", "%fma", "%int8", "%read");
    }

    /** Three lines: Vane, llama.cpp, and Vane's speed over llama.cpp's (per-run ratios, above 1: Vane faster). */
    public String tableRows() {
        String id = String.format(Locale.ROOT, "%-11s %-5s %3d ", model, format, threads);
        String blank = " ".repeat(id.length());
        StringBuilder b = new StringBuilder();
        for (Engine e : new Engine[] {vane, llama}) {
            Timing pf = e.prefill(), d = e.decode(), t = e.ttft();
            b.append(e == vane ? id : blank).append(String.format(Locale.ROOT, "%-10s %7.1f %6.1f-%-6.1f %7.2f %6.2f-%-6.2f %7.1f %6.1f-%-6.1f %6.2f %5.0f%% %5.0f%% %5.0f%%",
                    e.name(), promptTokens / pf.median(), promptTokens / pf.p90(), promptTokens / pf.p10(), 1 / d.median(), 1 / d.p90(),
                    1 / d.p10(), 1e3 * t.median(), 1e3 * t.p10(), 1e3 * t.p90(), e.loadSeconds(), 100 * fracFma(e), 100 * fracInt8(e),
                    100 * fracRead(e))).append('\n');
        }
        Timing pr = prefillRatio(), dr = decodeRatio(), tr = ttftRatio();
        b.append(blank).append(String.format(Locale.ROOT, "%-10s %6.2fx %6.2f-%-6.2f %6.2fx %6.2f-%-6.2f %6.2fx %6.2f-%-6.2f  same first tokens %d/%d",
                "vane/llama", pr.median(), pr.p10(), pr.p90(), dr.median(), dr.p10(), dr.p90(), tr.median(), tr.p10(), tr.p90(), sameTokens,
                decodeTokens));
        return b.toString();
    }

    /** What the floors and ratios mean, printed under the table. */
    public String footnote() {
        return String.format(Locale.ROOT, "  %s %s: %.1f M params/token, %.1f MB read/token -> bandwidth floor %.1f tok/s; prefill %.1f GFLOP per %d-token prompt",
                model, format, parametersPerToken / 1e6, bytesPerToken / 1e6, decodeFloorTps(), prefillFlops / 1e9, promptTokens);
    }

    private static void str(StringBuilder b, String key, String value) {
        b.append(",\"").append(key).append("\":\"").append(value.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }

    private static void num(StringBuilder b, String key, double v) {
        b.append(",\"").append(key).append("\":").append(num(v));
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null";
    }
}
