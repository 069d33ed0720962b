package dev.vane.spark;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;

/**
 * Where an executor finds a model's file. A model is memory-mapped, so it must be a local file:
 * a path every executor sees (a shared or network filesystem mounted on every node), or a file
 * shipped to each executor with {@code SparkContext.addFile} and named by its file name (found
 * with {@link SparkFiles#get}). The weights never travel inside a task.
 */
final class ModelFiles {
    private ModelFiles() {}

    /**
     * The local file for path: path itself (a plain path or a file: URI) if it exists here, else
     * the file of that name shipped with addFile.
     *
     * @throws IllegalArgumentException if neither exists, or for a remote URI (hdfs:, s3a:, ...),
     *     naming every place tried
     */
    static Path resolve(String path) {
        Objects.requireNonNull(path, "modelPath must not be null");
        if (path.isBlank()) throw new IllegalArgumentException("modelPath is empty: set it to a model file (GGUF) or checkpoint directory");
        Path local;
        String scheme = scheme(path);
        if (scheme == null) {
            local = Path.of(path);
        } else if (scheme.equals("file")) {
            local = Path.of(URI.create(path));
        } else {
            throw new IllegalArgumentException("modelPath " + path + " is a " + scheme + ": URI, but a model is memory-mapped from a local file:"
                    + " mount the storage on every node and pass the local path, or ship the file with SparkContext.addFile(\"" + path
                    + "\") and pass its file name (" + fileName(path) + ")");
        }
        if (Files.exists(local)) return local.toAbsolutePath().normalize();
        String shipped = shipped(fileName(path));
        if (shipped != null && Files.exists(Path.of(shipped))) return Path.of(shipped).toAbsolutePath().normalize();
        throw new IllegalArgumentException("no model at " + path + ": tried " + local.toAbsolutePath()
                + (shipped != null ? " and " + shipped + " (SparkFiles.get, for a file shipped with SparkContext.addFile; on a cluster, Spark 4"
                        + " gives a session's SQL jobs only the files shipped before the session started: pass the file with"
                        + " spark-submit --files or spark.files, or set spark.sql.artifact.isolation.enabled=false)"
                        : " (no SparkContext or executor here to look up a file shipped with SparkContext.addFile)"));
    }

    // The URI scheme of a path such as hdfs://nn/x or file:/x (a Windows drive letter is not one); null for a plain path.
    private static String scheme(String path) {
        int colon = path.indexOf(':');
        if (colon < 2) return null;
        String s = path.substring(0, colon);
        if (!s.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.')) return null;
        return s.toLowerCase(Locale.ROOT);
    }

    private static String fileName(String path) {
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return p.substring(p.lastIndexOf('/') + 1);
    }

    // SparkFiles.get needs a running SparkEnv (a driver or an executor); null without one.
    private static String shipped(String name) {
        if (name.isEmpty() || SparkEnv.get() == null) return null;
        try {
            return SparkFiles.get(name);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
