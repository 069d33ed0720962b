package dev.vane.model;

import dev.vane.attention.KvCache;
import dev.vane.model.gguf.GgmlType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * llama.cpp as a reference engine, run in its own process: tools/llama-ref's llama_ref, which
 * ci/fetch-llama-cpp.sh builds next to llama.cpp's library. The path comes from the system
 * property vane.llama.ref (set by the pom). A missing harness is an error naming the fetch script,
 * never a skipped test. Each call runs llama_ref once, under a timeout, and fails with its
 * stderr when it exits nonzero.
 */
final class LlamaRef {
    /** llama.cpp's greedy steps: the drawn ids and, per step, the best minus second-best logit. */
    record Greedy(int[] ids, float[] margins) {}

    private static final long TIMEOUT_SECONDS = 300;

    private final Path binary;
    private final int threads;
    private final String kv;
    private final String flash;
    private final boolean repack;

    private LlamaRef(Path binary, int threads, String kv, String flash, boolean repack) {
        this.binary = binary;
        this.threads = threads;
        this.kv = kv;
        this.flash = flash;
        this.repack = repack;
    }

    /**
     * The harness the system property vane.llama.ref names, with 2 threads, an F16 KV cache and
     * flash attention "auto" (llama.cpp's defaults).
     */
    static LlamaRef locate() {
        return new LlamaRef(harness(), 2, "f16", "auto", true);
    }

    /** The path of llama_ref from the system property vane.llama.ref; a missing harness is an error naming the fetch script. */
    static Path harness() {
        String p = System.getProperty("vane.llama.ref");
        if (p == null || p.isEmpty()) {
            throw new IllegalStateException("the system property vane.llama.ref (the path of llama_ref) is not set: run the tests through Maven"
                    + " (the parent pom sets it to build/llama-cpp/llama_ref) after ci/fetch-llama-cpp.sh");
        }
        Path binary = Path.of(p);
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("llama.cpp's reference harness " + binary + " is missing: run ci/fetch-llama-cpp.sh"
                    + " (it fetches llama.cpp's library and builds tools/llama-ref next to it)");
        }
        return binary;
    }

    LlamaRef withThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        return new LlamaRef(binary, n, kv, flash, repack);
    }

    /** llama.cpp's KV cache type: F16 or F32 (the harness has no other). */
    LlamaRef withKv(KvCache.Storage s) {
        String name = switch (s) {
            case F16 -> "f16";
            case F32 -> "f32";
            default -> throw new IllegalArgumentException("llama_ref keeps the KV cache in F16 or F32, not " + s);
        };
        return new LlamaRef(binary, threads, name, flash, repack);
    }

    /**
     * llama.cpp's flash attention: "auto" (its default; on for the CPU), "on" or "off". Its CPU
     * flash attention rounds Q and the KV cache to F16 whatever the cache type; "off" keeps an
     * F32 cache in F32 through attention.
     */
    LlamaRef withFlash(String mode) {
        if (!mode.equals("auto") && !mode.equals("on") && !mode.equals("off")) throw new IllegalArgumentException("flash is auto, on or off, not " + mode);
        return new LlamaRef(binary, threads, kv, mode, repack);
    }

    /**
     * llama.cpp without its CPU repacking (--no-repack): weights stay in the file's layout and its
     * plain dot products run. Its repacked kernels quantize the activations their own way (for
     * Q4_0, Q8_0, IQ4_NL, ... in interleaved q8_0 blocks), so only this mode computes what
     * llama.cpp defines as each type's dot product.
     */
    LlamaRef withoutRepack() {
        return new LlamaRef(binary, threads, kv, flash, false);
    }

    /** llama.cpp's logits after decoding tokens in one batch: one row per position with all, else the last position's row only. */
    float[][] logits(Path model, int[] tokens, boolean all) throws IOException {
        Path out = Files.createTempFile("llama-ref-logits", ".bin");
        try {
            List<String> args = modelArgs("logits", model, tokens);
            if (all) args.add("--all");
            args.addAll(List.of("--out", out.toString()));
            run(args);
            ByteBuffer b = read(out, 8);
            int rows = b.getInt(), vocab = b.getInt();
            int expectRows = all ? tokens.length : 1;
            if (rows != expectRows || vocab < 1 || b.remaining() != (long) rows * vocab * Float.BYTES) {
                throw new IOException("llama_ref logits wrote " + rows + " rows of " + vocab + " and " + b.remaining() + " bytes; expected " + expectRows + " rows");
            }
            float[][] l = new float[rows][vocab];
            for (float[] row : l) {
                b.asFloatBuffer().get(row);
                b.position(b.position() + vocab * Float.BYTES);
            }
            return l;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** llama.cpp's steps greedy tokens after the prompt (argmax, ties to the lowest id; end-of-generation ids allowed). */
    Greedy greedy(Path model, int[] prompt, int steps) throws IOException {
        Path out = Files.createTempFile("llama-ref-greedy", ".bin");
        try {
            List<String> args = modelArgs("greedy", model, prompt);
            args.addAll(List.of("--n", Integer.toString(steps), "--out", out.toString()));
            run(args);
            ByteBuffer b = read(out, 4);
            int k = b.getInt();
            if (k != steps || b.remaining() != (long) k * 8) throw new IOException("llama_ref greedy wrote " + k + " steps and " + b.remaining() + " bytes, expected " + steps);
            int[] ids = new int[k];
            float[] margins = new float[k];
            for (int i = 0; i < k; i++) ids[i] = b.getInt();
            for (int i = 0; i < k; i++) margins[i] = b.getFloat();
            return new Greedy(ids, margins);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** llama.cpp's token ids for text (BOS added as the vocabulary asks when bos; special tokens never parsed). */
    int[] tokenize(Path model, String text, boolean bos) throws IOException {
        List<String> args = new ArrayList<>(List.of("tokenize", "--model", model.toString(), "--text", text));
        if (bos) args.add("--bos");
        String s = run(args).strip();
        return s.isEmpty() ? new int[0] : Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    /** llama_ref info: the model's sizes and llama.cpp's system info, as printed. */
    String info(Path model) throws IOException {
        return run(new ArrayList<>(List.of("info", "--model", model.toString())));
    }

    /**
     * A copy of in, written to out, whose tensors named in types llama.cpp's own quantizer
     * (ggml_quantize_chunk, no importance matrix) encoded in those types; the other tensors keep
     * theirs, the metadata is copied with its types, general.file_type becomes ftype (llama.cpp's
     * LLAMA_FTYPE_* id) and general.quantization_version 2. Returns out.
     */
    Path quantize(Path in, Path out, int ftype, Map<String, GgmlType> types) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (Map.Entry<String, GgmlType> e : types.entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().chars().anyMatch(Character::isWhitespace) || e.getKey().startsWith("#")) {
                throw new IllegalArgumentException("llama_ref's types file cannot name the tensor '" + e.getKey() + "'");
            }
            lines.append(e.getKey()).append(' ').append(ggmlName(e.getValue())).append('\n');
        }
        Path file = Files.createTempFile("llama-ref-types", ".txt");
        try {
            Files.writeString(file, lines, StandardCharsets.UTF_8);
            run(new ArrayList<>(List.of("quantize", "--in", in.toString(), "--out", out.toString(), "--ftype", Integer.toString(ftype),
                    "--types", file.toString(), "--threads", Integer.toString(threads))));
            return out;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** ggml's name of a type (ggml_type_name): lower case, the K-quants' K upper case (Q4_K is "q4_K", IQ4_XS "iq4_xs"). */
    static String ggmlName(GgmlType t) {
        String s = t.name().toLowerCase(Locale.ROOT);
        return s.endsWith("_k") ? s.substring(0, s.length() - 1) + "K" : s;
    }

    private List<String> modelArgs(String command, Path model, int[] tokens) {
        if (tokens.length == 0) throw new IllegalArgumentException("llama_ref needs at least one token");
        StringBuilder ids = new StringBuilder();
        for (int t : tokens) ids.append(ids.isEmpty() ? "" : ",").append(t);
        List<String> args = new ArrayList<>(List.of(command, "--model", model.toString(), "--threads", Integer.toString(threads),
                "--kv", kv, "--flash", flash, "--tokens", ids.toString()));
        if (!repack) args.add("--no-repack");
        return args;
    }

    private String run(List<String> args) throws IOException {
        return run(binary, args);
    }

    // Runs llama_ref with args; returns its stdout (UTF-8). stdout and stderr go to files, so neither pipe can fill up.
    static String run(Path binary, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(args);
        Path stdout = Files.createTempFile("llama-ref", ".out");
        Path stderr = Files.createTempFile("llama-ref", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
            boolean done;
            try {
                done = p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + cmd.get(0) + " " + args.get(0), e);
            }
            if (!done) {
                p.destroyForcibly();
                throw new IOException("llama_ref " + args.get(0) + " ran past " + TIMEOUT_SECONDS + " s: " + String.join(" ", cmd));
            }
            if (p.exitValue() != 0) {
                throw new IOException("llama_ref exited with " + p.exitValue() + ": " + String.join(" ", cmd) + "\n" + Files.readString(stderr, StandardCharsets.UTF_8));
            }
            return Files.readString(stdout, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    // The file llama_ref wrote (little-endian), at least header bytes long.
    private static ByteBuffer read(Path file, int header) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < header) throw new IOException("llama_ref wrote " + b.remaining() + " bytes to " + file);
        return b;
    }
}
