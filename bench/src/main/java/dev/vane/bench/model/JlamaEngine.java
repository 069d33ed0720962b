package dev.vane.bench.model;

import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.model.ModelSupport;
import com.github.tjake.jlama.model.functions.Generator;
import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.safetensors.prompt.PromptContext;
import com.github.tjake.jlama.util.PhysicalCoreExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Jlama (com.github.tjake:jlama-core, the pure-Java engine on the incubator Vector API; without
 * jlama-native on the class path it runs its Panama kernels) on a Hugging Face checkpoint
 * directory, driven through its own {@code generate} as an application would.
 *
 * <p>Types, as Jlama's CLI defaults them: working memory F32, working quantization I8 (the
 * activations a Q4 matrix multiplies are quantized to int8 blocks; for F32 weights Jlama itself
 * falls back to F32 activations). Weights stay as the checkpoint has them (F16), or the layers'
 * matrices are quantized to Jlama's Q4 at load (its {@code --quantize-to Q4}). Jlama keeps the
 * embeddings and the output matrix in the working type (F32) either way.
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
 * UUID: an empty KV cache).
 */
final class JlamaEngine implements BenchEngine {
    private final AbstractModel model;
    private final double loadSeconds;

    private JlamaEngine(AbstractModel model, double loadSeconds) {
        this.model = model;
        this.loadSeconds = loadSeconds;
    }

    /** Loads a checkpoint directory (config.json, tokenizer.json, *.safetensors); q4: Jlama's Q4 at load. */
    static JlamaEngine load(Path checkpointDir, boolean q4, int threads) {
        if (!Files.isDirectory(checkpointDir)) throw new IllegalArgumentException("Jlama: no checkpoint directory at " + checkpointDir);
        for (String f : new String[] {"config.json", "tokenizer.json"}) {
            if (!Files.isRegularFile(checkpointDir.resolve(f))) throw new IllegalArgumentException("Jlama: no " + f + " in " + checkpointDir);
        }
        useThreads(threads);
        long t0 = System.nanoTime();
        AbstractModel m;
        try {
            m = ModelSupport.loadModel(checkpointDir.toFile(), null, DType.F32, DType.I8, q4 ? Optional.of(DType.Q4) : Optional.empty(),
                    Optional.empty());
        } catch (RuntimeException e) {
            // Reflection wraps the model's own exception (and an unknown model_type is a bare enum lookup).
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            throw new IllegalArgumentException("Jlama cannot load " + checkpointDir + ": " + root, e);
        }
        return new JlamaEngine(m, (System.nanoTime() - t0) / 1e9);
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
