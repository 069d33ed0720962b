package dev.vane.samples.cli;

import dev.vane.Vane;
import dev.vane.model.Model;
import dev.vane.model.Perplexity;
import dev.vane.model.WeightFormat;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vane eval perplexity --model FILE --text FILE [--weights FORMAT] [--context N]}. */
@Command(name = "perplexity", mixinStandardHelpOptions = true, sortOptions = false,
        description = "The model's perplexity on a text (llama.cpp's method: chunks of --context tokens, BOS first, the second half scored).")
final class PerplexityCommand implements Callable<Integer> {
    private final PrintStream out;

    @Option(names = "--model", required = true, paramLabel = "PATH", description = "a .gguf file or a checkpoint directory")
    Path model;

    @Option(names = "--text", required = true, paramLabel = "FILE", description = "a UTF-8 text file")
    Path text;

    @Option(names = "--weights", paramLabel = "FORMAT", defaultValue = "as-is",
            description = "as-is (default), f32, f16, fp8, fp8-block, int4-g32, int4-g128, int4-asym-g32, int4-asym-g128, q8_0, q4_0")
    String weights;

    @Option(names = "--context", paramLabel = "N", defaultValue = "256", description = "tokens per chunk (default: ${DEFAULT-VALUE})")
    int context;

    @Option(names = "--threads", paramLabel = "N", description = "native threads (default: all cores)")
    Integer threads;

    PerplexityCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        if (threads != null) Vane.setThreads(threads);
        if (!Files.isRegularFile(text)) throw new IllegalArgumentException("no such text file: " + text);
        WeightFormat format = WeightFormat.parse(weights);
        try (Model m = Model.load(model, format)) {
            Perplexity.Result r = Perplexity.of(m, Files.readString(text), context);
            StringBuilder held = new StringBuilder();
            m.heldFormats().forEach((f, bytes) -> held.append(held.isEmpty() ? "" : ", ").append(f.formatName())
                    .append(String.format(Locale.ROOT, " %.2f MB", bytes / 1e6)));
            out.printf(Locale.ROOT, "%s weights %s: %s; weights %.2f MB (%s)%n", model.getFileName(), format, r, m.weightBytes() / 1e6, held);
        }
        return 0;
    }
}
