package dev.vane.bench.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.Vane;
import dev.vane.bench.Timing;
import dev.vane.bench.model.BenchArgs;
import dev.vane.bench.model.ModelBench;
import dev.vane.model.Model;
import dev.vane.model.WeightFormat;
import dev.vane.server.ServerOptions;
import dev.vane.server.VaneServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code vane bench serve}: the server under load, in this process on loopback. The same
 * {@code requests} streaming greedy completions (distinct prompts) are sent by 1, 4, 16 and 64
 * concurrent clients, each client sending its share one after another; per level: aggregate
 * completion tokens/s over the level's wall time, time to first token p50/p99 (request sent to
 * the first non-empty text chunk), and whether every stream ended with [DONE] and its text equals
 * that prompt's text at 1 client (no lost or mixed-up streams). Each level has a fresh server
 * (an empty prompt cache: every level computes the same prompts), stepping up to the largest
 * level's clients together.
 */
public final class ServeBench {
    private ServeBench() {}

    public static final String USAGE = "vane bench serve     [--format=q4_0] [--clients=1,4,16,64] [--requests=64] [--max-tokens=32] [--threads=2] [--cache=DIR]";
    private static final ObjectMapper JSON = new ObjectMapper();

    record Reply(String text, int tokens, double ttftMs, boolean done) {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        String format = "q4_0";
        int[] levels = {1, 4, 16, 64};
        int requests = 64, maxTokens = 32, threads = Runtime.getRuntime().availableProcessors();
        Path cache = Path.of("build/model-cache");
        try {
            for (String a : args) {
                if (a.startsWith("--format=")) format = a.substring(9);
                else if (a.startsWith("--clients=")) levels = Arrays.stream(a.substring(10).split(",")).mapToInt(Integer::parseInt).toArray();
                else if (a.startsWith("--requests=")) requests = Integer.parseInt(a.substring(11));
                else if (a.startsWith("--max-tokens=")) maxTokens = Integer.parseInt(a.substring(13));
                else if (a.startsWith("--threads=")) threads = Integer.parseInt(a.substring(10));
                else if (a.startsWith("--cache=")) cache = Path.of(a.substring(8));
                else throw new IllegalArgumentException("unknown option " + a + "\nusage: " + USAGE);
            }
            if (requests < 1 || maxTokens < 1 || threads < 1 || Arrays.stream(levels).anyMatch(c -> c < 1 || c > 256))
                throw new IllegalArgumentException("--requests, --max-tokens and --threads must be >= 1, --clients in 1..256");
        } catch (IllegalArgumentException e) {
            return BenchArgs.rejected(err, e);
        }
        Vane.setThreads(threads);
        int parallel = Arrays.stream(levels).max().orElse(1);
        try {
            ModelBench.Case c = ModelBench.named(format, false, false);
            Path file = new ModelBench(null, ModelBench.Peers.NONE, threads, 1, 1, 0, cache, err).file(c);
            try (Model model = Model.load(file, WeightFormat.AS_IS)) {
                model.warmUp(java.time.Duration.ofSeconds(2));
                ServerOptions options = ServerOptions.defaults("bench").withPort(0).withScheduling(parallel, requests).withContext(256);
                out.printf(Locale.ROOT, "vane bench serve: %s %s, Vane %s, kernels %s, %d threads; %d streaming greedy requests of %d tokens a level, "
                        + "a fresh server (--parallel %d, empty prompt cache) for each%n", c.name(), c.format(), Vane.version(),
                        Vane.cpu().active().name().toLowerCase(Locale.ROOT), threads, requests, maxTokens, parallel);
                out.println("clients  tok/s (all)  x 1 client  TTFT p50 ms  TTFT p99 ms  streams ok");
                Reply[] reference = null;
                double one = Double.NaN;
                for (int clients : levels) {
                    Reply[] replies;
                    double seconds;
                    try (VaneServer server = VaneServer.start(model, options)) {
                        URI uri = URI.create("http://127.0.0.1:" + server.port() + "/v1/completions");
                        long t0 = System.nanoTime();
                        replies = level(uri, clients, requests, maxTokens);
                        seconds = (System.nanoTime() - t0) / 1e9;
                    }
                    if (reference == null) reference = replies;
                    int ok = 0, tokens = 0;
                    double[] ttft = new double[requests];
                    for (int i = 0; i < requests; i++) {
                        tokens += replies[i].tokens();
                        ttft[i] = replies[i].ttftMs();
                        if (replies[i].done() && replies[i].text().equals(reference[i].text())) ok++;
                    }
                    double tokS = tokens / seconds;
                    if (clients == 1) one = tokS;
                    Timing t = Timing.of(ttft);
                    out.printf(Locale.ROOT, "%7d  %11.1f  %10.2f  %11.1f  %11.1f  %5d/%d%n", clients, tokS, tokS / one, t.median(), percentile(ttft, 0.99),
                            ok, requests);
                }
            }
        } catch (IOException | RuntimeException e) {
            err.println("vane bench serve: " + e);
            return 1;
        }
        return 0;
    }

    // One level: clients threads, request i sent by client i % clients, in order.
    private static Reply[] level(URI uri, int clients, int requests, int maxTokens) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Reply[] replies = new Reply[requests];
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                running.add(pool.submit(() -> {
                    for (int i = client; i < requests; i += clients) replies[i] = stream(http, uri, prompt(i), maxTokens);
                    return null;
                }));
            }
            for (Future<?> f : running) f.get();
        } catch (Exception e) {
            throw new IllegalStateException("a client failed: " + e.getMessage(), e);
        }
        return replies;
    }

    private static String prompt(int i) {
        return "Request " + i + ": and the " + (i % 7) + " men went up unto the city of " + (i * 37 % 101) + ", and";
    }

    private static Reply stream(HttpClient http, URI uri, String prompt, int maxTokens) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of("prompt", prompt, "max_tokens", maxTokens, "temperature", 0, "stream", true));
        long t0 = System.nanoTime();
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode() + ": " + new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
        StringBuilder text = new StringBuilder();
        double ttft = Double.NaN;
        int tokens = 0;
        boolean done = false;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (!line.startsWith("data: ")) continue;
                if (line.equals("data: [DONE]")) {
                    done = true;
                    break;
                }
                JsonNode chunk = JSON.readTree(line.substring(6));
                String piece = chunk.get("choices").get(0).get("text").asText();
                if (!piece.isEmpty() && Double.isNaN(ttft)) ttft = (System.nanoTime() - t0) / 1e6;
                text.append(piece);
                if (chunk.has("usage")) tokens = chunk.get("usage").get("completion_tokens").asInt();
            }
        }
        return new Reply(text.toString(), tokens, ttft, done);
    }

    private static double percentile(double[] v, double p) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p * s.length) - 1)];
    }
}
