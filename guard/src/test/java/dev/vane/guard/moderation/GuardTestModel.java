package dev.vane.guard.moderation;

import dev.vane.model.gguf.GgmlType;
import dev.vane.model.tokenizer.Vocabulary;
import dev.vane.tools.generate.ModelGenerator;
import dev.vane.tools.generate.ModelSpec;
import dev.vane.tools.generate.SyntheticVocab;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The model file the moderator tests run on, made for them: a small Llama-layout transformer with
 * seeded random weights (vane-tools' ModelGenerator) and a byte-level BPE vocabulary with Llama 3's
 * pre-tokenizer and control tokens ({@code <|begin_of_text|>}, {@code <|end_of_text|>},
 * {@code <|start_header_id|>}, {@code <|end_header_id|>}, {@code <|eot_id|>} as end of turn). It
 * has Llama Guard 3's vocabulary shape but no training: what it answers is noise, which is the point
 * of showing that the answer grammar makes every answer parse.
 */
final class GuardTestModel {
    static final String START_HEADER = "<|start_header_id|>", END_HEADER = "<|end_header_id|>", EOT = "<|eot_id|>";
    private static final int BASE = 1024;  // the synthetic vocabulary's size, before the three header tokens
    private static final int CONTROL = 3;

    private GuardTestModel() {}

    /** The vocabulary: SyntheticVocab.bpe(1024) (its last two tokens BOS and EOS) and then the header tokens and EOT. */
    static Vocabulary vocabulary() {
        SyntheticVocab v = SyntheticVocab.bpe(BASE, 11);
        List<String> tokens = new ArrayList<>(v.tokens());
        tokens.addAll(List.of(START_HEADER, END_HEADER, EOT));
        int[] types = Arrays.copyOf(v.types(), tokens.size());
        for (int i = BASE; i < types.length; i++) types[i] = CONTROL;
        return new Vocabulary(Vocabulary.BPE, "llama-bpe", tokens, null, types, v.merges(), v.bos(), v.eos(), tokens.size() - 1, -1, true, false);
    }

    /** Writes the model file (the same bytes every time) at path. */
    static Path write(Path path) throws IOException {
        Vocabulary vocab = vocabulary();
        ModelSpec spec = new ModelSpec(64, 2, 4, 2, 128, vocab.size(), 0, 0, 2048, 10000f, 1e-5f, GgmlType.F32, ModelSpec.TokenizerKind.BPE, 17);
        ModelGenerator.writeGguf(spec, vocab, path);
        return path;
    }
}
