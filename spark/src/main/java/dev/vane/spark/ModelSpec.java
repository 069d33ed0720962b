package dev.vane.spark;

import dev.vane.model.WeightFormat;
import java.io.Serializable;
import java.util.Objects;

/**
 * Which model a job runs, as a task carries it to an executor: the path (see {@link ModelFiles})
 * and how the weights are held after loading ({@link WeightFormat#parse} names). Only these
 * strings travel; each executor JVM opens the file itself ({@link ExecutorModels}).
 */
public record ModelSpec(String path, String weightFormat) implements Serializable {
    public ModelSpec {
        Objects.requireNonNull(path, "path must not be null");
        Objects.requireNonNull(weightFormat, "weightFormat must not be null");
        if (path.isBlank()) throw new IllegalArgumentException("the model path is empty: set it to a model file (GGUF) or checkpoint directory");
        WeightFormat.parse(weightFormat);  // an unknown name fails here, on the driver, with the names it takes
    }

    /** The file's own formats. */
    public static ModelSpec of(String path) {
        return new ModelSpec(path, "as-is");
    }

    WeightFormat format() {
        return WeightFormat.parse(weightFormat);
    }
}
