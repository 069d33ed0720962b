package dev.vane.bench.model;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import dev.vane.MachineCeilings;
import dev.vane.Vane;
import dev.vane.model.GenerationOptions;
import dev.vane.model.Model;
import dev.vane.model.ModelConfig;
import dev.vane.model.Session;
import dev.vane.model.SessionOptions;
import dev.vane.model.WeightFormat;
import dev.vane.model.gguf.GgmlType;
import dev.vane.model.gguf.GgufFile;
import dev.vane.model.gguf.GgufTensor;
import dev.vane.model.quantize.FileType;
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

/**
 * Whole-model inference, Vane against llama.cpp (de.kherud:llama, same JVM) on the same GGUF file
 * with the same thread count: prefill of a 128-token prompt, 64 greedy decoded tokens after it,
 * and time to first token of a 32-token prompt (each prompt starts with BOS).
 *
 * <p>Both engines are timed from outside by the same code: the clock starts before the call and
 * every streamed token is stamped as it arrives (Vane's listener; llama.cpp's iterator, one
 * output per token). Prefill rate = prompt tokens / time to the first token; decode rate =
 * tokens after the first / time from the first to the last. Each run is a fresh prompt (Vane:
 * {@code truncate(0)}; llama.cpp: prompt cache off). The engines alternate run by run (which one
 * goes first alternates too), so a slow spell on the VM hits both.
 *
 * <p>The models are {@link ModelGenerator}'s seeded random-weight GGUFs, written once into a
 * cache directory (default build/model-cache) and reused. The prompts are whole vocabulary words,
 * one token each, and the token counts are checked against llama.cpp's tokenizer.
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

    static final int PROMPT = 128, DECODE = 64, TTFT_PROMPT = 32;
    private static final String WORDS = "the of and to in is was he for it with as his on be at by had are but from or have an they which one"
            + " you were her all she there would their we him been has when who will more no if out so said what up its about into than them"
            + " can only other new some could time these two may then do first any my now such like our over man me even most made after";

    private final MachineCeilings ceilings;
    private final int threads, runs, warmup;
    private final Path cacheDir;
    private final PrintStream log;

    public ModelBench(MachineCeilings ceilings, int threads, int runs, int warmup, Path cacheDir, PrintStream log) {
        this.ceilings = ceilings;
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

    /** The case's GGUF file, generated (and quantized) into the cache directory on first use. */
    public Path file(Case c) throws IOException {
        return c.quantized() == null ? cached(c.spec()) : cachedQuantized(c.spec(), c.quantized());
    }

    public void run(Case c, Consumer<ModelResult> out) throws IOException {
        Path file = file(c);
        String format = c.format();
        Vane.setThreads(threads);
        long t0 = System.nanoTime();
        try (Model model = Model.load(file, WeightFormat.AS_IS)) {
            double vaneLoad = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            LlamaModel llama = openLlama(file);
            double llamaLoad = (System.nanoTime() - t0) / 1e9;
            try (Session session = model.newSession(SessionOptions.defaults(model.config()).withContextLength(1024))) {
                String text = words(model, llama, PROMPT - 1), shortText = words(model, llama, TTFT_PROMPT - 1);
                int[] prompt = withBos(model, text), shortPrompt = withBos(model, shortText);
                double[][] v = new double[3][runs], l = new double[3][runs];
                List<String> vanePieces = List.of(), llamaPieces = List.of();
                for (int r = -warmup; r < runs; r++) {
                    boolean vaneFirst = (r & 1) == 0;
                    for (int turn = 0; turn < 2; turn++) {
                        boolean vaneTurn = (turn == 0) == vaneFirst;
                        Stamps g = vaneTurn ? vane(session, prompt, DECODE) : llama(llama, text, DECODE);
                        pause();
                        Stamps s = vaneTurn ? vane(session, shortPrompt, 1) : llama(llama, shortText, 1);
                        pause();
                        if (r < 0) continue;
                        double[][] into = vaneTurn ? v : l;
                        into[0][r] = g.ttft();
                        into[1][r] = g.decodePerToken();
                        into[2][r] = s.ttft();
                        if (vaneTurn) vanePieces = g.pieces;
                        else llamaPieces = g.pieces;
                    }
                }
                int same = 0;
                while (same < Math.min(vanePieces.size(), llamaPieces.size()) && vanePieces.get(same).equals(llamaPieces.get(same))) same++;
                ModelConfig cfg = model.config();
                long embedding = (long) cfg.vocab() * cfg.dim();
                long idleExperts = cfg.moe() ? 3L * cfg.dim() * cfg.ffnDim() * (cfg.experts() - cfg.expertsUsed()) * cfg.layers() : 0;
                long perToken = cfg.parameters() - embedding - idleExperts;
                // Only the last prompt token's logits are computed: the output matrix counts once.
                double flops = 2.0 * ((double) PROMPT * (perToken - embedding) + embedding);
                long bytes = model.bytesPerToken() - idleExpertBytes(file, cfg);
                out.accept(new ModelResult(c.name(), format, threads, perToken, bytes, flops, PROMPT, DECODE, TTFT_PROMPT,
                        new ModelResult.Engine("vane", vaneLoad, v[0], v[1], v[2]), new ModelResult.Engine("llama.cpp", llamaLoad, l[0], l[1], l[2]),
                        same, ceilings));
            } finally {
                llama.close();
            }
        }
    }

    /**
     * llama.cpp on file with this bench's threads. The binding's loader prints to System.out when
     * it extracts its library (which would break --json's stdout) and extracts to one fixed name
     * in java.io.tmpdir (shared by every JVM on the machine): give it a directory of its own and
     * send that line to stderr.
     */
    private LlamaModel openLlama(Path file) throws IOException {
        synchronized (ModelBench.class) {
            if (System.getProperty("de.kherud.llama.tmpdir") == null) {
                Path dir = Files.createTempDirectory("vane-bench-jllama");
                dir.toFile().deleteOnExit();
                System.setProperty("de.kherud.llama.tmpdir", dir.toString());
            }
            PrintStream stdout = System.out;
            System.setOut(System.err);
            try {
                return new LlamaModel(new ModelParameters().setModel(file.toString()).setThreads(threads).setThreadsBatch(threads).setCtxSize(1024)
                        .setGpuLayers(0).disableLog());
            } finally {
                System.setOut(stdout);
            }
        }
    }

    /** Arrival times of a generation's tokens (seconds from the call) and their text. */
    record Stamps(double[] at, List<String> pieces) {
        double ttft() {
            return at[0];
        }

        double decodePerToken() {
            return (at[at.length - 1] - at[0]) / (at.length - 1);
        }
    }

    private static Stamps vane(Session session, int[] prompt, int n) {
        session.truncate(0);
        double[] at = new double[n];
        List<String> pieces = new ArrayList<>();
        long t0 = System.nanoTime();
        session.generate(prompt, GenerationOptions.greedy(n).withIgnoreEos(true), t -> {
            at[t.index()] = (System.nanoTime() - t0) / 1e9;
            pieces.add(t.text());
            return true;
        });
        if (pieces.size() != n) throw new IllegalStateException("Vane generated " + pieces.size() + " tokens, not " + n);
        return new Stamps(at, pieces);
    }

    private static Stamps llama(LlamaModel m, String prompt, int n) {
        // Never setNProbs here: it crashes the JVM with this binding.
        InferenceParameters p = new InferenceParameters(prompt).setNPredict(n).setTemperature(0).setIgnoreEos(true).setCachePrompt(false);
        double[] at = new double[n];
        List<String> pieces = new ArrayList<>();
        long t0 = System.nanoTime();
        for (LlamaOutput o : m.generate(p)) {
            long now = System.nanoTime();
            if (pieces.size() == n) {
                if (!o.text.isEmpty()) throw new IllegalStateException("llama.cpp streamed more than " + n + " tokens");
                continue;  // a final empty "stop" message
            }
            at[pieces.size()] = (now - t0) / 1e9;
            pieces.add(o.text);
        }
        if (pieces.size() != n) throw new IllegalStateException("llama.cpp streamed " + pieces.size() + " outputs, not " + n);
        return new Stamps(at, pieces);
    }

    // Lets the other engine's workers go to sleep (llama.cpp's OpenMP threads spin a while after a graph).
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

    /** Text of n whole words, one token each in Vane's tokenizer and in llama.cpp's (checked). */
    static String words(Model model, LlamaModel llama, int n) {
        String[] w = WORDS.split(" ");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) b.append(i == 0 ? "" : " ").append(w[i % w.length]);
        String text = b.toString();
        int vane = model.tokenizer().encode(text, false).length, cpp = llama.encode(text).length;
        if (vane != n || cpp != n) {
            throw new IllegalStateException("the prompt of " + n + " words is " + vane + " tokens for Vane and " + cpp + " for llama.cpp");
        }
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
