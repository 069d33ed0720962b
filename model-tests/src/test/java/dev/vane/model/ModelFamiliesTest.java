package dev.vane.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.attention.KvCache;
import dev.vane.tools.generate.FamilyGenerator;
import dev.vane.tools.generate.FamilySpec;
import dev.vane.tools.generate.HfFamilyCheckpoint;
import dev.vane.model.gguf.GgmlType;
import dev.vane.model.gguf.GgufFile;
import dev.vane.model.tokenizer.Vocabulary;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Every family Vane runs, on a file generated the way llama.cpp's converter writes that family
 * ({@link FamilySpec#tiny}: its characteristic features on, windows of 8 positions so that the
 * 24-token prompt crosses them), against llama.cpp of August 2026 on the same file: logits at
 * every position (one token at a time, so every cache path runs, and the whole prompt as one
 * chunk), and greedy continuations equal up to the first near-tie.
 *
 * <p>Tolerance: both engines compute in f32 from F32 weights with an F32 KV cache and llama.cpp's
 * non-flash attention, so they differ by summation order (about 1e-5 of the logits' std) plus:
 * GeGLU, where llama.cpp's CPU rounds each gate through an f16 table (vec.h GGML_GELU_FP16), a
 * relative 2^-11 per activation that reaches about 1e-3 of the std after a few layers; gpt-oss's
 * MXFP4 experts, whose activations both quantize to q8_0, where a different summation order can
 * flip a rounding. 0.02 of the std is 20x what was measured for all but these and still far below
 * what a wrong feature moves (a missing soft-cap, window, sink, bias or norm moves logits by a
 * large part of their std).
 */
class ModelFamiliesTest {
    private static final double LOGIT_TOL_STD = 0.02;
    private static final int PROMPT = 24, STEPS = 8;
    private static final List<String> TEXTS = List.of("the model", " Hello world, 12345 tokens!", "  two  spaces\n\nnew lines\t tab",
            "Vane's kernel: fast?", "caf\u00e9 na\u00efve \u4f60\u597d \ud83d\ude00", "<|im_start|>user\nHi<|im_end|>", "");

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void logitsAgreeWithLlamaCpp(Architecture family) throws Exception {
        Path file = dir.resolve(family.ggufName() + ".gguf");
        FamilyGenerator.writeGguf(FamilySpec.tiny(family, GgmlType.F32), file);
        LlamaRef ref = LlamaRef.locate().withKv(KvCache.Storage.F32).withFlash("off");
        int[] tokens = new SplittableRandom(family.ordinal()).ints(PROMPT, 3, 512).toArray();
        float[][] llama = ref.logits(file, tokens, true);
        double worst = 0, worstChunk;
        try (Model model = Model.load(file);
             Session one = model.newSession(SessionOptions.defaults(model.config()).withKvStorage(KvCache.Storage.F32));
             Session chunk = model.newSession(SessionOptions.defaults(model.config()).withKvStorage(KvCache.Storage.F32).withChunkTokens(10))) {
            assertTrue(model.config().family() == family, model.config().toString());
            float[] l = one.prefill(new int[] {tokens[0]});
            for (int i = 0; ; ) {
                worst = Math.max(worst, GreedyAgreement.maxAbsDiff(l, llama[i]) / GreedyAgreement.std(llama[i]));
                if (++i == tokens.length) break;
                l = one.next(tokens[i]);
            }
            float[] last = chunk.prefill(tokens);
            worstChunk = GreedyAgreement.maxAbsDiff(last, llama[tokens.length - 1]) / GreedyAgreement.std(llama[tokens.length - 1]);
        }
        System.out.printf("ModelFamiliesTest %s: largest logit difference %.3g of the std token by token, %.3g in chunks of 10%n", family, worst,
                worstChunk);
        assertTrue(worst <= LOGIT_TOL_STD, family + ": logits differ by " + worst + " of their std (tolerance " + LOGIT_TOL_STD + ")");
        assertTrue(worstChunk <= LOGIT_TOL_STD, family + ": chunked prefill's logits differ by " + worstChunk + " of their std");
        greedyAgrees(file, ref, tokens);
    }

    // Vane's greedy ids against llama.cpp's, equal up to the first near-tie (a top-2 margin within the logit tolerance).
    private static void greedyAgrees(Path file, LlamaRef ref, int[] prompt) throws Exception {
        int[] ids = new int[STEPS];
        double[] margins = new double[STEPS];
        double tol;
        try (Model model = Model.load(file);
             Session s = model.newSession(SessionOptions.defaults(model.config()).withKvStorage(KvCache.Storage.F32))) {
            float[] l = s.prefill(prompt);
            tol = LOGIT_TOL_STD * GreedyAgreement.std(l);
            for (int i = 0; i < STEPS; i++) {
                ids[i] = Sampler.argmax(l);
                margins[i] = GreedyAgreement.margin(l, ids[i]);
                l = s.next(ids[i]);
            }
        }
        LlamaRef.Greedy llama = ref.greedy(file, prompt, STEPS);
        for (int i = 0; i < STEPS; i++) {
            if (llama.ids()[i] == ids[i]) continue;
            double nearest = Math.min(margins[i], llama.margins()[i]);
            assertTrue(nearest <= tol, file.getFileName() + ": greedy ids differ at step " + i + " (vane " + ids[i] + ", llama.cpp " + llama.ids()[i]
                    + ") with top-2 margins vane " + margins[i] + ", llama.cpp " + llama.margins()[i] + " above the near-tie threshold " + tol);
            return;
        }
    }

    /**
     * The generated file's vocabulary (SentencePiece for Llama, Phi-3 and Gemma, without the space
     * prefix for Gemma; byte-level BPE with Qwen's and o200k's pre-tokenizers, no BOS) tokenizes
     * text as llama.cpp tokenizes it from the same file, BOS included exactly when the file says.
     */
    @ParameterizedTest
    @EnumSource(Architecture.class)
    void textTokenizesAsLlamaCpp(Architecture family) throws Exception {
        Path file = dir.resolve(family.ggufName() + ".gguf");
        FamilyGenerator.writeGguf(FamilySpec.tiny(family, GgmlType.F32), file);
        Vocabulary vocab;
        try (GgufFile f = GgufFile.open(file)) {
            vocab = Vocabulary.fromGguf(f);
        }
        List<int[]> expected = LlamaCppText.locate().tokenize(file, TEXTS, true, true);
        try (Model model = Model.load(file)) {
            for (int i = 0; i < TEXTS.size(); i++) {
                assertArrayEquals(expected.get(i), model.tokenizer().encode(TEXTS.get(i), vocab.addBos(), true), family + ": '" + TEXTS.get(i) + "'");
            }
        }
    }

    /**
     * A Hugging Face checkpoint of the same Qwen model (the same F32 weights under transformers'
     * names, per-expert tensors, config.json) loads through the same description and gives the
     * GGUF's logits: the same arithmetic on the same values, so equal to f32 rounding.
     */
    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"QWEN2", "QWEN3", "QWEN2MOE", "QWEN3MOE"})
    void qwenCheckpointsRunLikeTheirGguf(Architecture family) throws Exception {
        FamilySpec spec = FamilySpec.tiny(family, GgmlType.F32);
        Path gguf = dir.resolve(family.ggufName() + ".gguf"), hf = dir.resolve(family.ggufName() + "-hf");
        FamilyGenerator.writeGguf(spec, gguf);
        HfFamilyCheckpoint.write(spec, hf);
        int[] tokens = new SplittableRandom(7).ints(PROMPT, 3, 512).toArray();
        float[] a, b;
        try (Model g = Model.load(gguf); Session s = g.newSession(); Model m = Model.load(hf); Session t = m.newSession()) {
            assertEquals(family, m.config().family());
            a = s.prefill(tokens);
            b = t.prefill(tokens);
            for (String text : TEXTS) {  // tokenizer.json tokenizes as the GGUF's vocabulary (Qwen's pre-tokenizer, no BOS)
                assertArrayEquals(g.tokenizer().encode(text, true), m.tokenizer().encode(text, true), family + " checkpoint: '" + text + "'");
            }
        }
        double diff = GreedyAgreement.maxAbsDiff(a, b) / GreedyAgreement.std(a);
        System.out.printf("ModelFamiliesTest %s checkpoint: largest logit difference %.3g of the std from its GGUF%n", family, diff);
        assertTrue(diff <= 1e-4, family + " checkpoint: logits differ from the GGUF's by " + diff + " of their std");
    }

    /** A file that declares a family but lacks one of its tensors, or whose hyper-parameters contradict its shapes: clear errors naming what is wrong. */
    @Test
    void brokenFamilyFilesAreClearErrors() throws Exception {
        Path good = dir.resolve("qwen3.gguf"), bad = dir.resolve("bad.gguf");
        FamilyGenerator.writeGguf(FamilySpec.tiny(Architecture.QWEN3, GgmlType.F32), good);
        GgufEdits.copy(good, bad, Map.of(), dropped("blk.1.attn_k_norm.weight"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Model.load(bad).close());
        assertTrue(e.getMessage().contains("'blk.1.attn_k_norm.weight' is missing (a qwen3 model needs it)"), e.getMessage());

        GgufEdits.copy(good, bad, Map.of("qwen3.attention.key_length", 32, "qwen3.attention.value_length", 32, "qwen3.rope.dimension_count", 32), Map.of());
        e = assertThrows(ModelFormatException.class, () -> Model.load(bad).close());
        assertTrue(e.getMessage().contains("tensor 'blk.0.attn_q.weight' has shape [192, 128]") && e.getMessage().contains("give [128, 128]")
                && e.getMessage().contains("4 heads / 2 KV heads of 32"), e.getMessage());

        GgufEdits.copy(good, bad, Map.of("general.architecture", "qwen9"), Map.of());
        e = assertThrows(ModelFormatException.class, () -> Model.load(bad).close());
        assertTrue(e.getMessage().contains("general.architecture is 'qwen9'; Vane runs llama, qwen2, qwen3"), e.getMessage());

        FamilyGenerator.writeGguf(FamilySpec.tiny(Architecture.GPT_OSS, GgmlType.F32), good);
        GgufEdits.copy(good, bad, Map.of(), dropped("blk.0.attn_sinks.weight"));
        e = assertThrows(ModelFormatException.class, () -> Model.load(bad).close());
        assertTrue(e.getMessage().contains("'blk.0.attn_sinks.weight' is missing (a gpt-oss MoE model needs it)"), e.getMessage());
    }

    private static Map<String, String> dropped(String tensor) {
        Map<String, String> m = new java.util.HashMap<>();
        m.put(tensor, null);
        return m;
    }
}
