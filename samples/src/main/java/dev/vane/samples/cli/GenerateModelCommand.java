package dev.vane.samples.cli;

import dev.vane.model.gguf.GgmlType;
import dev.vane.tools.generate.ModelGenerator;
import dev.vane.tools.generate.ModelSpec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import dev.vane.model.Architecture;
import dev.vane.tools.generate.FamilyGenerator;
import dev.vane.tools.generate.FamilySpec;
import dev.vane.tools.generate.HfFamilyCheckpoint;

/** {@code vane generate-model}: writes a GGUF model with seeded random weights (for tests, benchmarks and trying {@code vane run}). */
@Command(name = "generate-model", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write a Llama or Mixtral-style GGUF with seeded random weights and a small generated vocabulary.")
final class GenerateModelCommand implements Callable<Integer> {
    private final PrintStream out;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the .gguf file to write (with --checkpoint: the directory)")
    Path file;

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = "tiny",
            description = "tiny (d 128, 2 layers), 0.5b (d 2048, 8 layers, 16/4 heads, ffn 5632, vocab 32000) (default: ${DEFAULT-VALUE})")
    String size;

    @Option(names = "--moe", description = "Mixtral-style: experts in every feed-forward (tiny: 4 experts, 0.5b size: 8 experts of ffn 2816, 4 layers)")
    boolean moe;

    @Option(names = "--weights", paramLabel = "TYPE", defaultValue = "q4_0", description = "f32, f16, q8_0 or q4_0 (default: ${DEFAULT-VALUE})")
    String weights;

    @Option(names = "--tokenizer", paramLabel = "KIND", defaultValue = "spm", description = "spm (SentencePiece-style) or bpe (byte-level) (default: ${DEFAULT-VALUE})")
    String tokenizer;

    @Option(names = "--family", paramLabel = "ARCH",
            description = "a small model of another family (qwen2, qwen3, qwen2moe, qwen3moe, gemma2, gemma3, phi3, gpt-oss, llama) with its features on, as llama.cpp's converter lays it out; --size, --moe and --tokenizer then do not apply")
    String family;

    @Option(names = "--checkpoint",
            description = "with --family qwen2, qwen3, qwen2moe or qwen3moe and --weights f32: write a Hugging Face checkpoint directory (config.json, tokenizer.json, model.safetensors) at --out instead of a GGUF")
    boolean checkpoint;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "(default: ${DEFAULT-VALUE})")
    long seed;

    GenerateModelCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        GgmlType type;
        try {
            type = GgmlType.valueOf(weights.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--weights must be f32, f16, q8_0 or q4_0, got " + weights);
        }
        if (checkpoint && family == null) throw new IllegalArgumentException("--checkpoint needs --family (qwen2, qwen3, qwen2moe or qwen3moe)");
        if (family != null) {
            FamilySpec f = FamilySpec.tiny(Architecture.ofGguf(family), type).withSeed(seed);
            if (checkpoint) {
                HfFamilyCheckpoint.write(f, file);
                out.printf(Locale.ROOT, "wrote %s: a Hugging Face checkpoint of a tiny %s model (%s weights)%n", file, family, type);
            } else {
                FamilyGenerator.writeGguf(f, file);
                out.printf(Locale.ROOT, "wrote %s: a tiny %s model (%s weights)%n", file, family, type);
            }
            return 0;
        }
        ModelSpec spec = switch (size.toLowerCase(Locale.ROOT)) {
            case "tiny" -> moe ? ModelSpec.tinyMixtral(type) : ModelSpec.tinyLlama(type);
            case "0.5b" -> moe ? ModelSpec.mixtralBench(type) : ModelSpec.llama05b(type);
            default -> throw new IllegalArgumentException("--size must be tiny or 0.5b, got " + size);
        };
        ModelSpec.TokenizerKind kind = switch (tokenizer.toLowerCase(Locale.ROOT)) {
            case "spm" -> ModelSpec.TokenizerKind.SPM;
            case "bpe" -> ModelSpec.TokenizerKind.BPE;
            default -> throw new IllegalArgumentException("--tokenizer must be spm or bpe, got " + tokenizer);
        };
        spec = spec.withTokenizer(kind).withSeed(seed);
        long t0 = System.nanoTime();
        ModelGenerator.writeGguf(spec, file);
        out.printf(Locale.ROOT, "wrote %s: %s, %.1f M parameters, in %.1f s%n", file, spec, spec.parameters() / 1e6, (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
