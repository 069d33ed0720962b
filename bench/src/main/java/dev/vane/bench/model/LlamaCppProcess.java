package dev.vane.bench.model;

import dev.vane.model.json.Json;
import dev.vane.model.tokenizer.TextStream;
import dev.vane.model.tokenizer.Tokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * llama.cpp built for this CPU ({@code bench/llama-cpp-native.sh}: the newest release reachable
 * here, with ggml's options for this CPU's instruction sets) as a benchmark engine: one {@code llama_ref serve} process holding the model
 * loaded, given each prompt as token ids on a pipe. It stamps each token itself (seconds from
 * receiving the request, after llama.cpp's argmax over the logits), so the pipe's latency is not
 * charged to it; Vane's and the in-JVM peers' stamps include their Java callbacks.
 */
public final class LlamaCppProcess implements BenchEngine {
    /** Where bench/llama-cpp-native.sh puts its build: llama_ref and lib/libllama.so. */
    public static final Path DEFAULT_DIR = Path.of("build/llama-cpp-native");

    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final Tokenizer tokenizer;  // the ids' text, as Vane streams it (the tables compare tokens as text)
    private final double loadSeconds;

    private LlamaCppProcess(Process process, BufferedReader out, Tokenizer tokenizer, double loadSeconds) {
        this.process = process;
        this.out = out;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.tokenizer = tokenizer;
        this.loadSeconds = loadSeconds;
    }

    /** Whether dir holds a build (llama_ref and lib/libllama.so). */
    public static boolean built(Path dir) {
        return Files.isExecutable(dir.resolve("llama_ref")) && Files.isRegularFile(dir.resolve("lib/libllama.so"));
    }

    /** The build's release and commit, as bench/llama-cpp-native.sh records them, and its folder. */
    public static String describe(Path dir) {
        try {
            return Files.readString(dir.resolve("VERSION")).strip() + " (" + dir + ")";
        } catch (IOException e) {
            return "llama.cpp built in " + dir;
        }
    }

    /** {@link #start(Path, Path, Path, int, int, Tokenizer)} on the build in dir (bench/llama-cpp-native.sh's). */
    static LlamaCppProcess start(Path dir, Path model, int threads, int ctx, Tokenizer tokenizer) throws IOException {
        if (!built(dir)) throw new IOException("no llama.cpp build in " + dir + " (llama_ref, lib/libllama.so): run bench/llama-cpp-native.sh");
        return start(dir.resolve("llama_ref"), dir.resolve("lib/libllama.so"), model, threads, ctx, tokenizer);
    }

    /**
     * Starts llamaRef serve (tools/llama-ref) with library lib (null: the one next to llamaRef)
     * on model with threads and a context of ctx positions; tokenizer turns the ids it generates
     * into text (the tables compare engines' tokens as text).
     */
    static LlamaCppProcess start(Path llamaRef, Path lib, Path model, int threads, int ctx, Tokenizer tokenizer) throws IOException {
        List<String> command = new ArrayList<>(List.of(llamaRef.toString(), "serve", "--model", model.toString(), "--threads",
                Integer.toString(threads), "--ctx", Integer.toString(ctx)));
        if (lib != null) command.addAll(List.of("--lib", lib.toString()));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        if (!"ready".equals(first)) {
            p.destroyForcibly();
            throw new IOException("llama_ref serve did not start on " + model + " (it printed " + first + ", exit " + exitCode(p) + ")");
        }
        return new LlamaCppProcess(p, out, tokenizer, (System.nanoTime() - t0) / 1e9);
    }

    @Override
    public String name() {
        return "llama.cpp";
    }

    @Override
    public double loadSeconds() {
        return loadSeconds;
    }

    @Override
    public Stamps generate(String text, int[] ids, int n) {
        StringBuilder line = new StringBuilder().append(n).append(' ');
        for (int i = 0; i < ids.length; i++) line.append(i == 0 ? "" : ",").append(ids[i]);
        try {
            in.write(line.append('\n').toString());
            in.flush();
            String reply = out.readLine();
            if (reply == null) throw new IllegalStateException("llama_ref serve ended (exit " + exitCode(process) + ")");
            Map<?, ?> m = (Map<?, ?>) Json.parse(reply);
            if (m.containsKey("error")) throw new IllegalStateException("llama_ref serve: " + m.get("error"));
            List<?> at = (List<?>) m.get("at"), got = (List<?>) m.get("ids");
            if (at.size() != n || got.size() != n) throw new IllegalStateException("llama_ref serve gave " + at.size() + " tokens, not " + n);
            double[] s = new double[n];
            List<String> pieces = new ArrayList<>(n);
            TextStream stream = new TextStream(tokenizer, false);
            for (int i = 0; i < n; i++) {
                s[i] = ((Number) at.get(i)).doubleValue();
                pieces.add(stream.next(((Number) got.get(i)).intValue()));
            }
            return new Stamps(s, pieces);
        } catch (IOException e) {
            throw new IllegalStateException("llama_ref serve: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            in.write("\n");
            in.close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String exitCode(Process p) {
        try {
            return p.waitFor(2, TimeUnit.SECONDS) ? Integer.toString(p.exitValue()) : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
