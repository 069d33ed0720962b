package dev.vane.samples.cli;

import dev.vane.Vane;
import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.Model;
import dev.vane.model.WeightFormat;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options that pick and load a model (--model, --weights, --threads), shared by run and serve. */
final class ModelChoice {
    @Option(names = "--model", paramLabel = "PATH", description = "a .gguf file, or a checkpoint directory (config.json, "
            + "tokenizer.json, *.safetensors); default: the small model embedded in Vane (trained on the King James Bible)")
    Path model;

    @Option(names = "--weights", paramLabel = "FORMAT", description = "as-is (default), fp8, fp8-block, int4, int4-g128, q8_0, q4_0, f16, f32",
            defaultValue = "as-is")
    String weights;

    @Option(names = "--threads", paramLabel = "N", description = "native threads (default: all cores)")
    Integer threads;

    boolean embedded() {
        return model == null;
    }

    /** Sets the thread count, then loads the model in the chosen weight format. */
    Model open() throws IOException {
        if (threads != null) Vane.setThreads(threads);
        WeightFormat format = WeightFormat.parse(weights);
        return model == null ? EmbeddedModel.load(format) : Model.load(model, format);
    }

    /** The model's name for messages: the file's, or "the embedded model". */
    String name() {
        return model == null ? "the embedded model" : model.getFileName().toString();
    }
}
