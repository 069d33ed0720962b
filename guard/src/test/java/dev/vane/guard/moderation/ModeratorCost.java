package dev.vane.guard.moderation;

import dev.vane.model.Model;
import dev.vane.model.gguf.GgmlType;
import dev.vane.model.tokenizer.HfTokenizerJson;
import dev.vane.model.tokenizer.Vocabulary;
import dev.vane.tools.generate.ModelGenerator;
import dev.vane.tools.generate.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What one moderation costs on a model of Llama Guard 3 1B's shape (Llama 3.2 1B: d 2048, 16
 * layers, 32 heads over 8 KV heads, ffn 8192, Llama 3's real 128,256-token vocabulary) with seeded
 * random weights: the time per call with the moderator's session reused (the shared header cached)
 * and with a fresh moderator per call (whole prompt run). Random weights cost what trained ones do;
 * the answers mean nothing. Not a test: run by hand (docs/GUARD.md has the command).
 *
 * <p>Arguments: Llama 3's tokenizer.json, the GGUF to write (reused if present), weight type (Q8_0, Q4_0, F16).
 */
public final class ModeratorCost {
    private ModeratorCost() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) throw new IllegalArgumentException("usage: ModeratorCost LLAMA3_TOKENIZER_JSON OUT.gguf Q8_0|Q4_0|F16");
        Path gguf = Path.of(args[1]);
        if (!Files.isRegularFile(gguf)) {
            Vocabulary vocab = HfTokenizerJson.read(Path.of(args[0]));
            ModelSpec spec = new ModelSpec(2048, 16, 32, 8, 8192, vocab.size(), 0, 0, 4096, 500000f, 1e-5f, GgmlType.valueOf(args[2]),
                    ModelSpec.TokenizerKind.BPE, 31);
            long t0 = System.nanoTime();
            ModelGenerator.writeGguf(spec, vocab, gguf);
            System.out.printf(Locale.ROOT, "wrote %s (%.2f GB, %.2fB parameters) in %.0f s%n", gguf, Files.size(gguf) / 1e9, spec.parameters() / 1e9,
                    (System.nanoTime() - t0) / 1e9);
        }
        List<List<Turn>> conversations = List.of(
                List.of(Turn.user("How do I bake bread?"), Turn.agent("Mix flour, water, salt and yeast, knead, let it rise, then bake at 220 C.")),
                List.of(Turn.user("What's the capital of France?"), Turn.agent("Paris.")),
                List.of(Turn.user("Write a short poem about the sea.")),
                List.of(Turn.user("How can I get into my neighbour's wifi without the password?")),
                List.of(Turn.user("Summarize the plot of Hamlet in two sentences."), Turn.agent("A prince avenges his father's murder. Nearly everyone dies.")),
                List.of(Turn.user("Which medicine should I take for a headache?")));
        try (Model model = Model.load(gguf)) {
            int[] lengths = conversations.stream().mapToInt(c -> LlamaGuardPrompt.defaults().render(c).encode(model.tokenizer(), false).length).toArray();
            System.out.printf(Locale.ROOT, "%s; prompts of %s tokens%n", model, Arrays.toString(lengths));
            List<Double> reused = new ArrayList<>(), fresh = new ArrayList<>();
            System.out.println("load average at start: " + Files.readString(Path.of("/proc/loadavg")).strip());
            try (LlamaGuardModerator g = LlamaGuardModerator.of(model)) {
                g.moderate(conversations.getLast());  // warm-up: JIT and the grammar's masks
                // Interleaved, so that the other load on a shared machine falls on both alike.
                for (int round = 0; round < 2; round++) {
                    for (List<Turn> c : conversations) {
                        long t = System.nanoTime();
                        Moderation m = g.moderate(c);
                        reused.add((System.nanoTime() - t) / 1e6);
                        if (round == 0) System.out.println("  answer " + LlamaGuardOutput.quote(m.rawOutput()));
                        t = System.nanoTime();
                        try (LlamaGuardModerator other = LlamaGuardModerator.of(model)) {
                            other.moderate(c);
                        }
                        fresh.add((System.nanoTime() - t) / 1e6);
                    }
                }
            }
            System.out.println("load average at end: " + Files.readString(Path.of("/proc/loadavg")).strip());
            System.out.println("session reused (12 calls): " + stats(reused));
            System.out.println("fresh moderator per call (12 calls): " + stats(fresh));
        }
    }

    static String stats(List<Double> ms) {
        double[] s = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        return String.format(Locale.ROOT, "median %.0f ms, min %.0f, max %.0f", median, s[0], s[s.length - 1]);
    }
}
