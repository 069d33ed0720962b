package dev.vane.bench.model;

import dev.vane.MachineCeilings;
import dev.vane.bench.Timing;
import java.util.List;
import java.util.Locale;

/**
 * One model run end to end by Vane and its peers, each kept loaded, with the same threads:
 * prefill (a promptTokens prompt, to the first generated token), decode (decodeTokens greedy
 * tokens after that prompt: the tokens after the first over the time from the first to the last)
 * and time to first token of a ttftTokens prompt. Each engine's samples are in run order; run i
 * of all engines was taken back to back, so Vane's ratios to a peer are the median and p10-p90 of
 * the per-run ratios (robust to the VM's slow drifts), not a ratio of medians.
 *
 * <p>Floors from the same run's ceilings: decode reads bytesPerToken (every matrix a token
 * touches: for a MoE only expertsUsed experts; not the embedding table) at the read bandwidth;
 * prefill does 2 FLOPs per parameter a token touches (attention's score and value products left
 * out; the output matrix counted once, as only the last prompt token's logits are computed).
 *
 * @param engines Vane first, then the peers
 * @param sameTokens per peer (in engines' order, after Vane), how many of the first decoded tokens
 *     it and Vane agree on (greedy on the same weights: a check that both did the same work;
 *     rounding differences may part them later)
 */
public record ModelResult(String model, String format, int threads, long parametersPerToken, long bytesPerToken, double prefillFlops,
                          int promptTokens, int decodeTokens, int ttftTokens, int longPromptTokens, List<Engine> engines, List<Integer> sameTokens,
                          MachineCeilings ceilings) {

    /**
     * One engine's samples, in seconds: loading the file, a promptTokens prompt to its first
     * token, a decoded token (average over one generation), a ttftTokens prompt to its first
     * token, a longPromptTokens prompt to its first token.
     */
    public record Engine(String name, double loadSeconds, double[] prefillSeconds, double[] decodeSecondsPerToken, double[] ttftSeconds,
                         double[] longPrefillSeconds) {
        public Engine {
            if (prefillSeconds.length == 0 || prefillSeconds.length != decodeSecondsPerToken.length || prefillSeconds.length != ttftSeconds.length
                    || prefillSeconds.length != longPrefillSeconds.length) {
                throw new IllegalArgumentException("every measure needs the same number of runs (at least one)");
            }
            prefillSeconds = prefillSeconds.clone();
            decodeSecondsPerToken = decodeSecondsPerToken.clone();
            ttftSeconds = ttftSeconds.clone();
            longPrefillSeconds = longPrefillSeconds.clone();
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

        public Timing longPrefill() {
            return Timing.of(longPrefillSeconds);
        }
    }

    public ModelResult {
        engines = List.copyOf(engines);
        sameTokens = List.copyOf(sameTokens);
        if (engines.size() < 2 || sameTokens.size() != engines.size() - 1) {
            throw new IllegalArgumentException("Vane and at least one peer, with one same-token count per peer");
        }
        for (Engine e : engines) {
            if (e.prefillSeconds().length != engines.get(0).prefillSeconds().length) throw new IllegalArgumentException("every engine needs the same runs");
        }
    }

    public Engine vane() {
        return engines.get(0);
    }

    /** The peers, in their order. */
    public List<Engine> peers() {
        return engines.subList(1, engines.size());
    }

    /** This result against other ceilings (the best seen over the whole run). */
    public ModelResult withCeilings(MachineCeilings c) {
        return new ModelResult(model, format, threads, parametersPerToken, bytesPerToken, prefillFlops, promptTokens, decodeTokens, ttftTokens,
                longPromptTokens, engines, sameTokens, c);
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

    /** Vane's speed over a peer's for prefill, per run (= the peer's time / Vane's; above 1: Vane is faster). */
    public Timing prefillRatio(Engine peer) {
        return ratios(peer.prefillSeconds(), vane().prefillSeconds());
    }

    public Timing decodeRatio(Engine peer) {
        return ratios(peer.decodeSecondsPerToken(), vane().decodeSecondsPerToken());
    }

    public Timing ttftRatio(Engine peer) {
        return ratios(peer.ttftSeconds(), vane().ttftSeconds());
    }

    public Timing longPrefillRatio(Engine peer) {
        return ratios(peer.longPrefillSeconds(), vane().longPrefillSeconds());
    }

    /** An engine's name as a JSON key prefix: de.kherud -> de_kherud. */
    static String key(Engine e) {
        return e.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
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
                .append(decodeTokens).append(",\"ttft_prompt_tokens\":").append(ttftTokens).append(",\"long_prompt_tokens\":").append(longPromptTokens).append(",\"runs\":").append(vane().prefill().runs())
                .append(",\"params_per_token\":").append(parametersPerToken).append(",\"bytes_per_token\":").append(bytesPerToken);
        num(b, "prefill_flops", prefillFlops);
        for (Engine e : engines) {
            String p = key(e) + "_";
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
            num(b, p + "long_prefill_tps", longPromptTokens / e.longPrefill().median());
            num(b, p + "frac_read", fracRead(e));
            num(b, p + "frac_fma", fracFma(e));
            num(b, p + "frac_int8", fracInt8(e));
        }
        num(b, "decode_floor_tps", decodeFloorTps());
        num(b, "ceiling_read_gbps", ceilings.readGBps());
        num(b, "ceiling_fma_gflops", ceilings.fmaGflops());
        num(b, "ceiling_int8_gops", ceilings.int8Gops());
        b.append(",\"peers\":{");
        for (int i = 0; i < peers().size(); i++) {
            Engine e = peers().get(i);
            String p = key(e) + "_";
            Timing pr = prefillRatio(e), dr = decodeRatio(e), tr = ttftRatio(e);
            b.append(i == 0 ? "\"" : ",\"").append(p).append("prefill\":").append(num(pr.median()));
            num(b, p + "decode", dr.median());
            num(b, p + "ttft", tr.median());
            num(b, p + "long_prefill", longPrefillRatio(e).median());
            num(b, p + "prefill_p10", pr.p10());
            num(b, p + "prefill_p90", pr.p90());
            num(b, p + "decode_p10", dr.p10());
            num(b, p + "decode_p90", dr.p90());
            num(b, p + "ttft_p10", tr.p10());
            num(b, p + "ttft_p90", tr.p90());
            b.append(",\"").append(p).append("same_tokens\":").append(sameTokens.get(i));
        }
        return b.append("}}").toString();
    }

    public static String tableHeader() {
        return String.format(Locale.ROOT, "%-11s %-5s %3s %-10s %21s %8s %21s %21s %6s %6s %6s %6s", "model", "fmt", "thr", "engine",
                "prefill tok/s p10-p90", "long pp", "decode tok/s p10-p90", "TTFT ms p10-p90", "load s", "%fma", "%int8", "%read");
    }

    /** A line per engine, then per peer Vane's speed over the peer's (per-run ratios, above 1: Vane faster). */
    public String tableRows() {
        String id = String.format(Locale.ROOT, "%-11s %-5s %3d ", model, format, threads);
        String blank = " ".repeat(id.length());
        StringBuilder b = new StringBuilder();
        for (Engine e : engines) {
            Timing pf = e.prefill(), d = e.decode(), t = e.ttft();
            b.append(e == vane() ? id : blank).append(String.format(Locale.ROOT, "%-10s %7.1f %6.1f-%-6.1f %8.1f %7.2f %6.2f-%-6.2f %7.1f %6.1f-%-6.1f %6.2f %5.0f%% %5.0f%% %5.0f%%",
                    e.name(), promptTokens / pf.median(), promptTokens / pf.p90(), promptTokens / pf.p10(), longPromptTokens / e.longPrefill().median(),
                    1 / d.median(), 1 / d.p90(),
                    1 / d.p10(), 1e3 * t.median(), 1e3 * t.p10(), 1e3 * t.p90(), e.loadSeconds(), 100 * fracFma(e), 100 * fracInt8(e),
                    100 * fracRead(e))).append('\n');
        }
        for (int i = 0; i < peers().size(); i++) {
            Engine e = peers().get(i);
            Timing pr = prefillRatio(e), dr = decodeRatio(e), tr = ttftRatio(e);
            b.append(blank).append(String.format(Locale.ROOT, "%-10s %6.2fx %6.2f-%-6.2f %7.2fx %6.2fx %6.2f-%-6.2f %6.2fx %6.2f-%-6.2f  same first tokens %d/%d",
                    "/" + e.name(), pr.median(), pr.p10(), pr.p90(), longPrefillRatio(e).median(), dr.median(), dr.p10(), dr.p90(), tr.median(), tr.p10(),
                    tr.p90(), sameTokens.get(i),
                    decodeTokens));
            if (i + 1 < peers().size()) b.append('\n');
        }
        return b.toString();
    }

    /** What the floors and ratios mean, printed under the table. */
    public String footnote() {
        return String.format(Locale.ROOT, "  %s %s: %.1f M params/token, %.1f MB read/token -> bandwidth floor %.1f tok/s; prefill %.1f GFLOP per %d-token prompt; long pp: a %d-token prompt",
                model, format, parametersPerToken / 1e6, bytesPerToken / 1e6, decodeFloorTps(), prefillFlops / 1e9, promptTokens, longPromptTokens);
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
