package dev.vane.samples.cli;

import dev.vane.model.gguf.GgmlType;
import dev.vane.model.quantize.FileType;
import dev.vane.tools.quantize.GgufQuantizer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code vane quantize IN OUT --type Q4_K_M}: a GGUF model in one of llama.cpp's file types, as llama.cpp's quantizer writes it. */
@Command(name = "quantize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Quantize a GGUF model into one of llama.cpp's file types, with llama.cpp's per-tensor type mix and its reference "
                + "quantizers' bytes (no importance matrix): the file loads in llama.cpp as in Vane.",
                "Types: Q4_K_M (Q4_K), Q4_K_S, Q5_K_M (Q5_K), Q5_K_S, Q6_K, Q3_K_M (Q3_K), Q3_K_S, Q3_K_L, Q2_K, IQ4_XS, IQ4_NL, Q8_0, Q4_0, "
                        + "Q4_1, Q5_0, Q5_1, MXFP4_MOE, F16, BF16, F32."})
final class QuantizeCommand implements Callable<Integer> {
    private final PrintStream out;

    @Parameters(index = "0", paramLabel = "IN", description = "the GGUF model to read")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "the GGUF file to write")
    Path outFile;

    @picocli.CommandLine.Option(names = "--type", required = true, paramLabel = "TYPE", description = "llama.cpp's file type name (see above)")
    String type;

    QuantizeCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(in)) throw new IllegalArgumentException("no such file: " + in);
        if (Files.exists(outFile) && Files.isSameFile(in, outFile)) throw new IllegalArgumentException("OUT must be another file than IN");
        FileType fileType = FileType.named(type);
        long t0 = System.nanoTime();
        GgufQuantizer.Result r = GgufQuantizer.quantize(in, outFile, fileType);
        Map<GgmlType, Integer> mix = new TreeMap<>();
        r.types().values().forEach(t -> mix.merge(t, 1, Integer::sum));
        out.printf(Locale.ROOT, "wrote %s (%s): %d tensors %s, %.1f MB -> %.1f MB in %.1f s%n", outFile, fileType.llamaName(), r.types().size(), mix,
                r.inBytes() / 1e6, r.outBytes() / 1e6, (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
