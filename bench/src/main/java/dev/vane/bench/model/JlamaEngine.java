package dev.vane.bench.model;

import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.model.ModelSupport;
import com.github.tjake.jlama.model.functions.Generator;
import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.safetensors.SafeTensorSupport;
import com.github.tjake.jlama.safetensors.prompt.PromptContext;
import com.github.tjake.jlama.util.PhysicalCoreExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Jlama (com.github.tjake:jlama-core, the pure-Java engine on the incubator Vector API; without
 * jlama-native on the class path it runs its Panama kernels) on a Hugging Face checkpoint
 * directory, driven through its own {@code generate} as an application would.
 *
 * <p>Types, as Jlama's CLI defaults them: working memory F32, working quantization I8 (the
 * activations a Q4 matrix multiplies are quantized to int8 blocks). Weights: Jlama 0.8.4 has no
 * F16 matrices; it widens an F16 checkpoint to F32 at load (and then runs F32 activations), so
 * "F16" here is Jlama computing in F32 on the F16 file's values. q4: the checkpoint is first
 * converted with Jlama's own quantizer (what {@code jlama quantize} does: every matrix, embeddings
 * and output included, to Q4 blocks of 32 with an F32 scale; norms kept) into a sibling directory {@code <dir>-jlama-q4}, reused afterwards, and
 * that is loaded; Q4 times I8 is then Jlama's kernel. Its load-time quantization
 * ({@code --quantize-to}, the modelQType argument) is not used: it leaves the row-sharded
 * matrices (q, k, v, gate, up) in F32 and generation then fails (I8 times F32 has no kernel).
 *
 * <p>Threads: Jlama's matrix work runs on one ForkJoinPool per JVM ({@link PhysicalCoreExecutor},
 * default max(2, processors / 2)); its size is fixed by {@code overrideThreadCount} before the
 * pool's first use, which is what the CLI's --threads does. So every Jlama model in one JVM runs
 * on the same count; a second load asking for another count fails. A few small element-wise
 * loops use the common pool.
 *
 * <p>Prompt and stop: Jlama tokenizes the text itself and puts BOS first (removing one the text
 * starts with); {@link #promptTokens} is that count. It cannot be told to ignore end of
 * generation: it stops at an EOS token and does not report special tokens to the callback, so
 * {@link #generate} fails if fewer than n tokens arrive. Each call is a fresh session (a new
 * UUID: an empty KV cache). Its BPE ignores tokenizer.json's ignore_merges (a word that is itself
 * in the vocabulary is still built by merges), so on the generated vocabulary some words are
 * several tokens for Jlama and one for Vane: the bench checks the counts.
 *
 * <p>JVM: needs {@code --add-modules jdk.incubator.vector} (without it its classes fail to link).
 * Jlama's launcher also passes {@code -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0} (it sets
 * that itself, too late if the Vector API is already initialized) and an inlining directives file.
 */
final class JlamaEngine implements BenchEngine {
    private final AbstractModel model;
    private final double loadSeconds;

    private JlamaEngine(AbstractModel model, double loadSeconds) {
        this.model = model;
        this.loadSeconds = loadSeconds;
    }

    /**
     * Loads a checkpoint directory (config.json, tokenizer.json, *.safetensors); q4: its Jlama Q4
     * conversion (made on first use; load seconds count the loading of the converted files only).
     */
    static JlamaEngine load(Path checkpointDir, boolean q4, int threads) {
        if (!Files.isDirectory(checkpointDir)) throw new IllegalArgumentException("Jlama: no checkpoint directory at " + checkpointDir);
        for (String f : new String[] {"config.json", "tokenizer.json"}) {
            if (!Files.isRegularFile(checkpointDir.resolve(f))) throw new IllegalArgumentException("Jlama: no " + f + " in " + checkpointDir);
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            throw new IllegalStateException("Jlama needs the Vector API: run the JVM with --add-modules jdk.incubator.vector");
        }
        useThreads(threads);
        AbstractModel m;
        long t0;
        try {
            Path dir = q4 ? q4Checkpoint(checkpointDir) : checkpointDir;
            t0 = System.nanoTime();
            m = ModelSupport.loadModel(dir.toFile(), null, DType.F32, DType.I8, Optional.empty(), Optional.empty());
        } catch (IOException e) {
            throw new UncheckedIOException("Jlama cannot quantize " + checkpointDir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // Reflection wraps the model's own exception (and an unknown model_type is a bare enum lookup).
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            throw new IllegalArgumentException("Jlama cannot load " + checkpointDir + ": " + root, e);
        }
        return new JlamaEngine(m, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * The checkpoint in Jlama's Q4, converted by its quantizer on first use (norms skipped, as its
     * CLI's default) and kept next to it. The quantizer copies a README.md, which a generated
     * checkpoint lacks: it reads from a staging directory of links plus an empty one.
     */
    static Path q4Checkpoint(Path dir) throws IOException {
        Path target = dir.resolveSibling(dir.getFileName() + "-jlama-q4");
        if (Files.isRegularFile(target.resolve("model.safetensors"))) return target;
        Path parent = dir.toAbsolutePath().getParent();
        Path staging = Files.createTempDirectory(parent, ".jlama-src"), out = staging.resolve("out");
        try {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) Files.createSymbolicLink(staging.resolve(f.getFileName()), f.toAbsolutePath());
            }
            if (!Files.exists(staging.resolve("README.md"))) Files.writeString(staging.resolve("README.md"), "");
            SafeTensorSupport.quantizeModel(staging, DType.Q4, new String[] {"norm"}, null, Optional.of(out));
            Files.move(out, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            try (Stream<Path> left = Files.walk(staging)) {
                for (Path p : (Iterable<Path>) left.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
            }
        }
        return target;
    }

    // Sizes Jlama's pool once per JVM; afterwards only the same count is accepted.
    private static synchronized void useThreads(int threads) {
        if (threads < 1 || threads > Runtime.getRuntime().availableProcessors()) {
            throw new IllegalArgumentException("Jlama: " + threads + " threads on " + Runtime.getRuntime().availableProcessors() + " processors");
        }
        try {
            PhysicalCoreExecutor.overrideThreadCount(threads);
        } catch (IllegalStateException alreadySized) {
            int has = PhysicalCoreExecutor.instance.get().getCoreCount();
            if (has != threads) throw new IllegalStateException("Jlama's pool runs " + has + " threads in this JVM; it cannot change to " + threads);
        }
    }

    @Override
    public String name() {
        return "jlama";
    }

    @Override
    public double loadSeconds() {
        return loadSeconds;
    }

    /** Tokens Jlama runs for the prompt text: its tokenizer's, plus the BOS it adds. */
    int promptTokens(String text) {
        return model.encodePrompt(PromptContext.of(text)).length;
    }

    /** The text Jlama's callback gives for a token id (its tokenizer's decode). */
    String piece(int id) {
        return model.getTokenizer().decode(id);
    }

    /** Greedy; ids are unused: Jlama takes the text and tokenizes it itself (see {@link #promptTokens}). */
    @Override
    public Stamps generate(String text, int[] ids, int n) {
        PromptContext prompt = PromptContext.of(text);
        int promptLength = model.encodePrompt(prompt).length;
        double[] at = new double[n];
        List<String> pieces = new ArrayList<>();
        long t0 = System.nanoTime();
        // ntokens counts positions, prompt included: the prompt's last position gives the first token.
        Generator.Response r = model.generate(UUID.randomUUID(), prompt, 0f, promptLength + n - 1, (piece, ms) -> {
            long now = System.nanoTime();
            if (pieces.size() < n) at[pieces.size()] = (now - t0) / 1e9;
            pieces.add(piece);
        });
        if (pieces.size() != n) {
            throw new IllegalStateException("Jlama delivered " + pieces.size() + " tokens, not " + n + " (finish: " + r.finishReason
                    + "; it stops at EOS and skips special tokens)");
        }
        return new Stamps(at, pieces);
    }

    @Override
    public void close() {
        model.close();
    }
}
