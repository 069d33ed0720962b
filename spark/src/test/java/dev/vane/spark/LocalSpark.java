package dev.vane.spark;

import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * What the Spark tests share, once per test JVM: a local[2] SparkSession (two task slots, one
 * CPU each, as two executor cores would run them), the embedded model written to a file (the
 * path the jobs load it from), a model of the tests' own opened from that file for the expected
 * outputs, and prompts from the embedded model's held-out text.
 */
final class LocalSpark {
    private static SparkSession spark;
    private static Path modelFile;
    private static Model reference;

    private LocalSpark() {}

    static synchronized SparkSession session() {
        if (spark == null) {
            spark = SparkSession.builder().master("local[2]").appName("vane-spark-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.host", "127.0.0.1")
                    .getOrCreate();
        }
        return spark;
    }

    /** The embedded model's GGUF file, written once to a temporary directory. */
    static synchronized Path modelFile() {
        if (modelFile == null) {
            try {
                Path dir = Files.createTempDirectory("vane-spark-model");
                Path f = dir.resolve("tiny-moe-kjv.gguf");
                EmbeddedModel.writeTo(f);
                f.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
                modelFile = f;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return modelFile;
    }

    static ModelSpec spec() {
        return ModelSpec.of(modelFile().toString());
    }

    /** A model of the tests' own (not through {@link ExecutorModels}, so it is not counted there). */
    static synchronized Model reference() {
        if (reference == null) {
            try {
                reference = Model.load(modelFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return reference;
    }

    /** The first n lines of the held-out text, each cut to its first words words. */
    static List<String> prompts(int n, int words) {
        try {
            List<String> lines = Files.readAllLines(Path.of(System.getProperty("vane.heldout.file")));
            if (lines.size() < n) throw new IllegalStateException("the held-out text has " + lines.size() + " lines, the test wants " + n);
            List<String> out = new ArrayList<>(n);
            for (String line : lines.subList(0, n)) {
                String[] w = line.trim().split("\\s+");
                out.add(String.join(" ", java.util.Arrays.copyOf(w, Math.min(words, w.length))));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
