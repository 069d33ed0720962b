package dev.vane.bench.model;

import dev.vane.MachineCeilings;
import dev.vane.embedded.EmbeddedModel;
import dev.vane.Vane;
import dev.vane.model.Model;
import dev.vane.model.ModelConfig;
import dev.vane.model.WeightFormat;
import dev.vane.model.gguf.GgmlType;
import dev.vane.model.gguf.GgufFile;
import dev.vane.model.gguf.GgufTensor;
import dev.vane.model.quantize.FileType;
import dev.vane.model.safetensors.SafetensorsFile.Dtype;
import dev.vane.tools.generate.HfCheckpointGenerator;
import dev.vane.tools.generate.ModelGenerator;
import dev.vane.tools.generate.ModelSpec;
import dev.vane.tools.quantize.GgufQuantizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Whole-model inference, Vane against its peers on the same model with the same thread count:
 * prefill of a 128-token prompt, 64 greedy decoded tokens after it, and time to first token of a
 * 32-token prompt (each prompt starts with BOS). The peers: llama.cpp built for this CPU (the
 * newest release reachable here, {@link LlamaCppProcess}), de.kherud:llama 4.2.0 (llama.cpp of
 * March 2025, {@link KherudLlamaEngine}) on the same GGUF file, and Jlama on the same model as a
 * safetensors checkpoint (which Vane then loads too).
 *
 * <p>Every engine is loaded once per model and kept loaded, generates from a short prompt again
 * and again for a few seconds (the JVM engines' JIT), then each run gives every engine the same
 * prompts in turn (the first engine rotates run by run, so a slow spell on the VM hits all), after
 * a warm-up run. Each run is a fresh prompt (no prompt cache). Prefill rate = prompt tokens / time
 * to the first token; decode rate = tokens after the first / time from the first to the last.
 *
 * <p>The models are {@link ModelGenerator}'s seeded random-weight GGUFs, written once into a
 * cache directory (default build/model-cache) and reused. The prompts are whole vocabulary words,
 * one token each, and the token counts are checked against the peers' tokenizers where they
 * tokenize (llama.cpp's process is given Vane's ids).
 */
public final class ModelBench {
    /**
     * A model file to run: its table name, its spec, and the llama.cpp file type it is quantized
     * to by {@code vane quantize} from the spec's F16 file (null: the generated file itself).
     */
    public record Case(String name, ModelSpec spec, FileType quantized) {
        /** The weights' name in the table: the generator's type or the file type. */
        public String format() {
            return (quantized != null ? quantized.llamaName() : spec.weights().name()).toLowerCase(Locale.ROOT);
        }

        /** The same model quantized by llama.cpp's type mix for a file type (from F16 weights). */
        public Case quantizedTo(FileType t) {
            return new Case(name, spec.withWeights(GgmlType.F16), t);
        }
    }

    static final int PROMPT = 128, DECODE = 64, TTFT_PROMPT = 32, LONG_PROMPT = 512, CONTEXT = 1024;
    private static final String WORDS = "the of and to in is was he for it with as his on be at by had are but from or have an they which one"
            + " you were her all she there would their we him been has when who will more no if out so said what up its about into than them"
            + " can only other new some could time these two may then do first any my now such like our over man me even most made after";

    /**
     * The peers to run beside Vane: llama.cpp built for this CPU (the folder of
     * bench/llama-cpp-native.sh's build; null: none), de.kherud:llama, Jlama (on the checkpoint
     * cases).
     */
    public record Peers(Path llamaCpp, boolean kherud, boolean jlama) {
        /** No peer (for the benchmarks that only want the model files). */
        public static final Peers NONE = new Peers(null, false, false);
    }

    private final MachineCeilings ceilings;
    private final int threads, runs, warmup;
    private final double warmUpSeconds;
    private final Path cacheDir;
    private final PrintStream log;
    private final Peers peers;

    /**
     * warmup: unmeasured runs first; warmUpSeconds: before them, each engine generates from a
     * short prompt again and again for that long (the JVM engines' JIT, every engine's caches).
     */
    public ModelBench(MachineCeilings ceilings, Peers peers, int threads, int runs, int warmup, double warmUpSeconds, Path cacheDir, PrintStream log) {
        this.ceilings = ceilings;
        this.warmUpSeconds = warmUpSeconds;
        this.peers = peers;
        this.threads = threads;
        this.runs = runs;
        this.warmup = warmup;
        this.cacheDir = cacheDir;
        this.log = log;
    }

    /** The ≈ 0.5B dense Llama (d 2048, 8 layers) in type, or a 2-layer cut of it for --quick. */
    public static Case dense(GgmlType type, boolean quick) {
        ModelSpec s = ModelSpec.llama05b(type);
        if (quick) s = new ModelSpec(s.dim(), 2, s.heads(), s.kvHeads(), s.ffnDim(), s.vocab(), 0, 0, s.contextLength(), s.ropeBase(), s.rmsEps(),
                type, s.tokenizer(), s.seed());
        return new Case(quick ? "llama-2L" : "llama-0.5b", s, null);
    }

    /** The Mixtral-style model (d 2048, 4 layers, 8 experts of ffn 2816, top 2) in type, or a 1-layer cut for --quick. */
    public static Case moe(GgmlType type, boolean quick) {
        ModelSpec s = ModelSpec.mixtralBench(type);
        if (quick) s = new ModelSpec(s.dim(), 1, s.heads(), s.kvHeads(), s.ffnDim(), s.vocab(), s.experts(), s.expertsUsed(), s.contextLength(),
                s.ropeBase(), s.rmsEps(), type, s.tokenizer(), s.seed());
        return new Case(quick ? "mixtral-1L" : "mixtral-8x", s, null);
    }

    /**
     * The benchmark model in a format: q4_0, q8_0, f16 and f32 as the generator writes them; any
     * other name is one of llama.cpp's file types (q4_k_m, q6_k, iq4_xs, ...), the F16 model
     * quantized with llama.cpp's type mix by {@code vane quantize}.
     */
    public static Case named(String name, boolean moe, boolean quick) {
        GgmlType generated = switch (name.toLowerCase(Locale.ROOT)) {
            case "q4_0" -> GgmlType.Q4_0;
            case "q8_0" -> GgmlType.Q8_0;
            case "f16" -> GgmlType.F16;
            case "f32" -> GgmlType.F32;
            default -> null;
        };
        if (generated != null) return moe ? moe(generated, quick) : dense(generated, quick);
        FileType t = FileType.named(name);
        return (moe ? moe(GgmlType.F16, quick) : dense(GgmlType.F16, quick)).quantizedTo(t);
    }

    /**
     * The ≈ 0.5B dense Llama (or its 2-layer cut for --quick) as a Hugging Face checkpoint (F16
     * safetensors, byte-level BPE vocabulary: the same weights as the GGUF cases), run by Vane
     * and Jlama with its weights as they are (format f16) or quantized at load (q4_0: Vane's
     * Q4_0, Jlama's Q4).
     */
    public record CheckpointCase(String name, ModelSpec spec, String format) {}

    public static CheckpointCase checkpointCase(String format, boolean quick) {
        String f = format.toLowerCase(Locale.ROOT);
        if (!f.equals("f16") && !f.equals("q4_0")) throw new IllegalArgumentException("checkpoint formats are f16 and q4_0, not '" + format + "'");
        ModelSpec s = dense(GgmlType.F16, quick).spec();
        s = new ModelSpec(s.dim(), s.layers(), s.heads(), s.kvHeads(), s.ffnDim(), s.vocab(), 0, 0, s.contextLength(), s.ropeBase(), s.rmsEps(),
                GgmlType.F16, ModelSpec.TokenizerKind.BPE, s.seed());
        return new CheckpointCase((quick ? "llama-2L" : "llama-0.5b") + "-hf", s, f);
    }

    /** Vane and Jlama on the case's checkpoint directory (generated into the cache on first use). */
    public void run(CheckpointCase c, Consumer<ModelResult> out) throws IOException {
        Path dir = cachedCheckpoint(c.spec());
        boolean q4 = c.format().equals("q4_0");
        Vane.setThreads(threads);
        long t0 = System.nanoTime();
        try (Model model = Model.load(dir, q4 ? WeightFormat.parse("q4_0") : WeightFormat.AS_IS)) {
            List<BenchEngine> engines = new ArrayList<>();
            try {
                engines.add(new VaneEngine(model, CONTEXT, (System.nanoTime() - t0) / 1e9));
                JlamaEngine jlama = JlamaEngine.load(dir, q4, threads);
                engines.add(jlama);
                // Jlama's BPE splits some words Vane's takes whole (JlamaEngine): only words one token in both.
                Predicate<String> whole = w -> jlama.promptTokens(w + " " + w) == 3;  // BOS and the word twice
                List<String> texts = prompts(model, whole);
                for (int i = 0; i < texts.size(); i++) checkCount("Jlama", jlama.promptTokens(texts.get(i)) - 1, PROMPTS[i] - 1);  // its count includes BOS
                out.accept(measure(c.name(), c.format(), model, 0, engines, texts));
            } finally {
                for (BenchEngine e : engines) e.close();
            }
        }
    }

    /** The spec's checkpoint directory in the cache, written to a temporary directory and renamed. */
    Path cachedCheckpoint(ModelSpec spec) throws IOException {
        String name = name(spec, "hf").replace(".gguf", "");
        Path dir = cacheDir.resolve(name);
        if (Files.isRegularFile(dir.resolve("model.safetensors"))) return dir;
        Files.createDirectories(cacheDir);
        log.printf(Locale.ROOT, "generating %s ...%n", dir);
        Path tmp = Files.createTempDirectory(cacheDir, name);
        try {
            HfCheckpointGenerator.write(spec, Dtype.F16, tmp);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try (var files = Files.list(tmp)) {
                for (Path f : files.toList()) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(tmp);
            throw e;
        }
        return dir;
    }

    /** The case's GGUF file, generated (and quantized) into the cache directory on first use. */
    public Path file(Case c) throws IOException {
        return c.quantized() == null ? cached(c.spec()) : cachedQuantized(c.spec(), c.quantized());
    }

    public void run(Case c, Consumer<ModelResult> out) throws IOException {
        run(c.name(), c.format(), file(c), out);
    }

    /** The embedded model (written to a temporary file for the peers), in its own format (f16). */
    public void runEmbedded(Consumer<ModelResult> out) throws IOException {
        Path file = Files.createTempFile("vane-bench-embedded", ".gguf");
        try {
            EmbeddedModel.writeTo(file);
            run("embedded", "f16", file, out);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Vane and the GGUF peers on file. */
    private void run(String name, String format, Path file, Consumer<ModelResult> out) throws IOException {
        Vane.setThreads(threads);
        long t0 = System.nanoTime();
        try (Model model = Model.load(file, WeightFormat.AS_IS)) {
            List<BenchEngine> engines = new ArrayList<>();
            try {
                engines.add(new VaneEngine(model, CONTEXT, (System.nanoTime() - t0) / 1e9));
                if (peers.llamaCpp() != null) {
                    engines.add(LlamaCppProcess.start(peers.llamaCpp(), file, threads, CONTEXT, model.tokenizer()));
                }
                KherudLlamaEngine kherud = peers.kherud() ? KherudLlamaEngine.load(file, threads, CONTEXT) : null;
                if (kherud != null) engines.add(kherud);
                List<String> texts = prompts(model, w -> true);
                if (kherud != null) {
                    for (int i = 0; i < texts.size(); i++) checkCount("de.kherud:llama", kherud.promptTokens(texts.get(i)), PROMPTS[i] - 1);
                }
                out.accept(measure(name, format, model, idleExpertBytes(file, model.config()), engines, texts));
            } finally {
                for (BenchEngine e : engines) e.close();
            }
        }
    }

    /**
     * Runs every engine on the prompts, one after the other in each run (the first engine rotates
     * run by run, so a slow spell on the VM hits all), after the warm-up runs.
     */
    private ModelResult measure(String name, String format, Model model, long idleExpertBytes, List<BenchEngine> engines, List<String> texts) {
        String text = texts.get(0), shortText = texts.get(1), longText = texts.get(2);
        int[] prompt = withBos(model, text), shortPrompt = withBos(model, shortText), longPrompt = withBos(model, longText);
        int k = engines.size();
        for (BenchEngine e : engines) {
            long end = System.nanoTime() + (long) (warmUpSeconds * 1e9);
            while (System.nanoTime() < end) e.generate(shortText, shortPrompt, 16);
        }
        double[][][] samples = new double[k][4][runs];
        List<List<String>> pieces = new ArrayList<>();
        for (int i = 0; i < k; i++) pieces.add(List.of());
        for (int r = -warmup; r < runs; r++) {
            for (int turn = 0; turn < k; turn++) {
                int e = Math.floorMod(r + turn, k);
                Stamps g = engines.get(e).generate(text, prompt, DECODE);
                pause();
                Stamps s = engines.get(e).generate(shortText, shortPrompt, 1);
                pause();
                Stamps l = engines.get(e).generate(longText, longPrompt, 1);
                pause();
                if (r < 0) continue;
                samples[e][0][r] = g.ttft();
                samples[e][1][r] = g.decodePerToken();
                samples[e][2][r] = s.ttft();
                samples[e][3][r] = l.ttft();
                pieces.set(e, g.pieces());
            }
        }
        List<ModelResult.Engine> results = new ArrayList<>();
        List<Integer> same = new ArrayList<>();
        for (int e = 0; e < k; e++) {
            BenchEngine b = engines.get(e);
            results.add(new ModelResult.Engine(b.name(), b.loadSeconds(), samples[e][0], samples[e][1], samples[e][2], samples[e][3]));
            if (e > 0) same.add(sameLead(pieces.get(0), pieces.get(e)));
        }
        ModelConfig cfg = model.config();
        long embedding = (long) cfg.vocab() * cfg.dim();
        long idleExperts = cfg.moe() ? 3L * cfg.dim() * cfg.ffnDim() * (cfg.experts() - cfg.expertsUsed()) * cfg.layers() : 0;
        long perToken = cfg.parameters() - embedding - idleExperts;
        // Only the last prompt token's logits are computed: the output matrix counts once.
        double flops = 2.0 * ((double) PROMPT * (perToken - embedding) + embedding);
        long bytes = model.bytesPerToken() - idleExpertBytes;
        return new ModelResult(name, format, threads, perToken, bytes, flops, PROMPT, DECODE, TTFT_PROMPT, LONG_PROMPT, results, same, ceilings);
    }

    /** How many leading tokens two generations share. */
    static int sameLead(List<String> a, List<String> b) {
        int same = 0;
        while (same < Math.min(a.size(), b.size()) && a.get(same).equals(b.get(same))) same++;
        return same;
    }

    private static void checkCount(String engine, int tokens, int expected) {
        if (tokens != expected) throw new IllegalStateException("the prompt of " + expected + " words is " + tokens + " tokens for " + engine);
    }

    // Lets the other engines' workers go to sleep (llama.cpp's OpenMP threads spin a while after a graph).
    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int[] withBos(Model model, String text) {
        return model.tokenizer().encode(text, true);
    }

    /** Token counts (BOS included) of the prompts, in {@link #measure}'s order: prefill, time to first token, long prefill. */
    static final int[] PROMPTS = {PROMPT, TTFT_PROMPT, LONG_PROMPT};

    /** The prompts' texts (without BOS) of words keep takes. */
    static List<String> prompts(Model model, Predicate<String> keep) {
        List<String> texts = new ArrayList<>();
        for (int n : PROMPTS) texts.add(words(model, n - 1, keep));
        return texts;
    }

    /**
     * Text of n whole words (those of the list keep takes), one token each in Vane's tokenizer
     * (checked; the peers' counts are checked by the caller).
     */
    static String words(Model model, int n, Predicate<String> keep) {
        Predicate<String> whole = x -> model.tokenizer().encode(x + " " + x, false).length == 2;  // one token each, also after a space
        String[] w = Arrays.stream(WORDS.split(" ")).filter(whole.and(keep)).toArray(String[]::new);
        if (w.length == 0) throw new IllegalStateException("no word of the prompt list is one token for every engine");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) b.append(i == 0 ? "" : " ").append(w[i % w.length]);
        String text = b.toString();
        checkCount("Vane", model.tokenizer().encode(text, false).length, n);
        return text;
    }

    /** Bytes of the experts a decoded token does not use: (E - k) / E of every *_exps tensor. */
    static long idleExpertBytes(Path file, ModelConfig cfg) throws IOException {
        if (!cfg.moe()) return 0;
        long bytes = 0;
        try (GgufFile f = GgufFile.open(file)) {
            for (GgufTensor t : f.tensors()) if (t.name().endsWith("_exps.weight")) bytes += t.data().byteSize();
        }
        return bytes / cfg.experts() * (cfg.experts() - cfg.expertsUsed());
    }

    /** The spec's GGUF in the cache directory, generated (to a temporary name, then renamed) if absent. */
    Path cached(ModelSpec spec) throws IOException {
        return cachedFile(name(spec, spec.weights().name()), "generating", tmp -> ModelGenerator.writeGguf(spec, tmp));
    }

    /** The spec's F16 GGUF quantized by {@code vane quantize} to a llama.cpp file type, cached the same way. */
    Path cachedQuantized(ModelSpec spec, FileType type) throws IOException {
        Path f16 = cached(spec.withWeights(GgmlType.F16));
        return cachedFile(name(spec, type.llamaName()), "quantizing", tmp -> GgufQuantizer.quantize(f16, tmp, type));
    }

    private static String name(ModelSpec spec, String weights) {
        return String.format(Locale.ROOT, "%s-d%d-l%d-e%d-%s-%08x.gguf", spec.experts() > 0 ? "mixtral" : "llama", spec.dim(), spec.layers(),
                spec.experts(), weights.toLowerCase(Locale.ROOT), spec.withWeights(GgmlType.F16).toString().hashCode());
    }

    private interface Writer {
        void write(Path to) throws IOException;
    }

    private Path cachedFile(String name, String what, Writer writer) throws IOException {
        Path file = cacheDir.resolve(name);
        if (Files.isRegularFile(file)) return file;
        Files.createDirectories(cacheDir);
        log.printf(Locale.ROOT, "%s %s ...%n", what, file);
        Path tmp = Files.createTempFile(cacheDir, name, ".tmp");
        try {
            long t0 = System.nanoTime();
            writer.write(tmp);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            log.printf(Locale.ROOT, "  %.0f MB in %.0f s%n", Files.size(file) / 1e6, (System.nanoTime() - t0) / 1e9);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return file;
    }
}
