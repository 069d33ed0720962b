package dev.vane.bench.model;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * llama.cpp of March 2025 as de.kherud:llama 4.2.0 ships it (built for AVX2), in this JVM: the
 * binding Java teams use today. Driven by text (its server-style API tokenizes the prompt and
 * adds BOS); each streamed output is one token, stamped as the iterator hands it over.
 */
final class KherudLlamaEngine implements BenchEngine {
    private final LlamaModel model;
    private final double loadSeconds;

    private KherudLlamaEngine(LlamaModel model, double loadSeconds) {
        this.model = model;
        this.loadSeconds = loadSeconds;
    }

    /**
     * Loads file with threads for prompt and generation. The binding's loader prints to
     * System.out when it extracts its library (which would break --json's stdout) and extracts to
     * one fixed name in java.io.tmpdir (shared by every JVM on the machine): give it a directory of
     * its own and send that line to stderr.
     */
    static KherudLlamaEngine load(Path file, int threads, int ctx) throws IOException {
        long t0 = System.nanoTime();
        synchronized (KherudLlamaEngine.class) {
            if (System.getProperty("de.kherud.llama.tmpdir") == null) {
                Path dir = Files.createTempDirectory("vane-bench-jllama");
                dir.toFile().deleteOnExit();
                System.setProperty("de.kherud.llama.tmpdir", dir.toString());
            }
            PrintStream stdout = System.out;
            System.setOut(System.err);
            try {
                LlamaModel m = new LlamaModel(new ModelParameters().setModel(file.toString()).setThreads(threads).setThreadsBatch(threads)
                        .setCtxSize(ctx).setGpuLayers(0).disableLog());
                return new KherudLlamaEngine(m, (System.nanoTime() - t0) / 1e9);
            } finally {
                System.setOut(stdout);
            }
        }
    }

    /** Prompt tokens of text as this llama.cpp counts them (without BOS). */
    int promptTokens(String text) {
        return model.encode(text).length;
    }

    @Override
    public String name() {
        return "de.kherud";
    }

    @Override
    public double loadSeconds() {
        return loadSeconds;
    }

    @Override
    public Stamps generate(String text, int[] ids, int n) {
        // Never setNProbs here: it crashes the JVM with this binding.
        InferenceParameters p = new InferenceParameters(text).setNPredict(n).setTemperature(0).setIgnoreEos(true).setCachePrompt(false);
        double[] at = new double[n];
        List<String> pieces = new ArrayList<>();
        long t0 = System.nanoTime();
        for (LlamaOutput o : model.generate(p)) {
            long now = System.nanoTime();
            if (pieces.size() == n) {
                if (!o.text.isEmpty()) throw new IllegalStateException("de.kherud:llama streamed more than " + n + " tokens");
                continue;  // a final empty "stop" message
            }
            at[pieces.size()] = (now - t0) / 1e9;
            pieces.add(o.text);
        }
        if (pieces.size() != n) throw new IllegalStateException("de.kherud:llama streamed " + pieces.size() + " outputs, not " + n);
        return new Stamps(at, pieces);
    }

    @Override
    public void close() {
        model.close();
    }
}
