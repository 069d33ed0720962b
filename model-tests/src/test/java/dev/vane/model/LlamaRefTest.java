package dev.vane.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.attention.KvCache;
import dev.vane.model.gguf.GgmlType;
import dev.vane.model.gguf.GgufFile;
import dev.vane.model.gguf.GgufTensor;
import dev.vane.model.gguf.GgufValueType;
import dev.vane.tools.generate.ModelGenerator;
import dev.vane.tools.generate.ModelSpec;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * llama.cpp's reference harness (tools/llama-ref, see {@link LlamaRef}) agrees with Vane on
 * generated Llama and Mixtral-style files with F32 and F16 weights: every position's logits (and
 * the last position's alone), the tokenizer's ids, and the greedy continuation's ids.
 *
 * <p>Logits: both engines keep the KV cache in F32 and llama.cpp's flash attention is off (its
 * CPU flash attention rounds Q and K/V to F16 whatever the cache type), so with F32 weights only
 * the summation order differs. Tolerances, as a fraction of the logits' standard deviation
 * (measured on these files: largest difference over all positions, AVX2 / baseline kernels):
 * F32 weights 2e-5 (measured 1.2e-6 / 2.6e-6); F16 weights 5e-3 (measured 1.7e-3 / 1.7e-3),
 * because llama.cpp's F16 matrix product rounds the activations to F16 (relative 2^-11 each)
 * where Vane keeps them F32. A real bug (a wrong RoPE pair, norm, mask or expert) moves the
 * logits by a good fraction of their standard deviation.
 *
 * <p>Greedy: llama.cpp's defaults (F16 KV cache, flash attention auto, so on) and Vane's F16 KV
 * cache; plain argmax with ties to the lowest id, end-of-generation tokens allowed. While the
 * ids are equal the two engines' top-2 margins must agree within 2 x 5e-3 of the logit std
 * (measured: at most 1.7e-3). The ids must be equal up to the first step where either engine's
 * margin is within 5e-3 of the std, a near-tie either engine may break either way; from there
 * the continuations may part (the dense files reach one at step 17, an absolute margin of 4e-4).
 *
 * <p>Quantize: llama_ref's quantize (ggml_quantize_chunk) turns the F32 files into Q4_K / Q8_0
 * ones (matrices with rows of 256 Q4_K, the others Q8_0, norms and the router kept F32) that
 * llama.cpp loads and runs: every metadata key and type copied, each Q8_0 block within half a
 * step (plus the F16 scale's rounding) of the F32 weights it encodes, and llama.cpp's logits
 * finite and within 0.5 of their std of the F32 file's (measured 0.14 dense, 0.08 MoE: 4- and
 * 8-bit weights move the logits, but by a fraction of their spread).
 */
class LlamaRefTest {
    private static final int STEPS = 32;
    /** The near-tie threshold and the margins' agreement unit in greedy runs, as a fraction of the logits' std. */
    private static final double GREEDY_TOL_STD = 5e-3;
    private static final String PROMPT = "the old man said hello to the world, and the world was still";

    @TempDir
    static Path dir;

    @ParameterizedTest
    @CsvSource({"F32, dense, 2e-5", "F16, dense, 5e-3", "F32, moe, 2e-5", "F16, moe, 5e-3"})
    void logitsAgreeAtEveryPosition(GgmlType type, String kind, double tolStd) throws Exception {
        Path file = model(type, kind);
        LlamaRef ref = LlamaRef.locate().withKv(KvCache.Storage.F32).withFlash("off");
        int[] tokens;
        float[][] vane;
        try (Model model = Model.load(file);
             Session session = model.newSession(SessionOptions.defaults(model.config()).withKvStorage(KvCache.Storage.F32))) {
            tokens = model.tokenizer().encode(PROMPT, true);
            vane = new float[tokens.length][];
            vane[0] = session.prefill(new int[] {tokens[0]});
            for (int i = 1; i < tokens.length; i++) vane[i] = session.next(tokens[i]);
        }
        float[][] all = ref.logits(file, tokens, true);
        float[][] last = ref.logits(file, tokens, false);
        assertEquals(tokens.length, all.length, "rows of --all");
        assertEquals(1, last.length, "rows without --all");

        double worst = 0;
        for (int i = 0; i < tokens.length; i++) {
            assertEquals(vane[i].length, all[i].length, "n_vocab");
            double std = GreedyAgreement.std(vane[i]);
            double d = GreedyAgreement.maxAbsDiff(vane[i], all[i]) / std;
            worst = Math.max(worst, d);
            assertTrue(d <= tolStd, "position " + i + ": logits differ by " + d + " of their std " + std + " (tolerance " + tolStd + ")");
        }
        int n = tokens.length - 1;
        double dLast = GreedyAgreement.maxAbsDiff(vane[n], last[0]) / GreedyAgreement.std(vane[n]);
        assertTrue(dLast <= tolStd, "last position alone: logits differ by " + dLast + " of their std (tolerance " + tolStd + ")");
        System.out.printf("LlamaRefTest %s %s: %d positions, largest logit difference %.3g of the std (tolerance %.1g)%n", type, kind, tokens.length, worst, tolStd);
    }

    @ParameterizedTest
    @CsvSource({"SPM", "BPE"})
    void tokenizerAgrees(ModelSpec.TokenizerKind kind) throws Exception {
        Path file = dir.resolve("tok-" + kind + ".gguf");
        if (!Files.exists(file)) ModelGenerator.writeGguf(ModelSpec.tinyLlama(GgmlType.F16).withTokenizer(kind), file);
        LlamaRef ref = LlamaRef.locate();
        String[] texts = {PROMPT, "", "Hello, World! 1234567", "  two leading spaces", "line\nbreak\ttab   runs",
                "naïve café, 日本語 and emoji 🙂", "don't we'll they're"};
        try (Model model = Model.load(file)) {
            for (String t : texts) {
                for (boolean bos : new boolean[] {false, true}) {
                    assertArrayEquals(ref.tokenize(file, t, bos), model.tokenizer().encode(t, bos), kind + " ids of \"" + t + "\" (bos " + bos + ")");
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"F32, dense", "F16, dense", "F32, moe", "F16, moe"})
    void greedyIdsAgree(GgmlType type, String kind) throws Exception {
        Path file = model(type, kind);
        int[] prompt;
        int[] vaneIds = new int[STEPS];
        double[] vaneMargins = new double[STEPS];
        double tol;
        try (Model model = Model.load(file);
             Session session = model.newSession(SessionOptions.defaults(model.config()).withKvStorage(KvCache.Storage.F16))) {
            prompt = model.tokenizer().encode(PROMPT, true);
            float[] l = session.prefill(prompt);
            tol = GREEDY_TOL_STD * GreedyAgreement.std(l);
            for (int i = 0; i < STEPS; i++) {
                vaneIds[i] = Sampler.argmax(l);
                vaneMargins[i] = GreedyAgreement.margin(l, vaneIds[i]);
                l = session.next(vaneIds[i]);
            }
        }
        LlamaRef.Greedy llama = LlamaRef.locate().greedy(file, prompt, STEPS);
        assertEquals(STEPS, llama.ids().length);
        for (int i = 0; i < STEPS; i++) {
            if (llama.ids()[i] == vaneIds[i]) {
                // Same context so far: llama.cpp's margin must match Vane's within the tolerance too.
                assertEquals(vaneMargins[i], llama.margins()[i], 2 * tol, "top-2 margin at step " + i);
                continue;
            }
            double nearest = Math.min(vaneMargins[i], llama.margins()[i]);
            assertTrue(nearest <= tol, "greedy ids differ at step " + i + " (vane " + vaneIds[i] + ", llama.cpp " + llama.ids()[i]
                    + ") with top-2 margins vane " + vaneMargins[i] + ", llama.cpp " + llama.margins()[i] + " above the tolerance " + tol);
            System.out.printf("LlamaRefTest %s %s: greedy ids equal for %d steps, then a near-tie (margin %.3g)%n", type, kind, i, nearest);
            return;
        }
        System.out.printf("LlamaRefTest %s %s: greedy ids equal for all %d steps%n", type, kind, STEPS);
    }

    @ParameterizedTest
    @CsvSource({"dense", "moe"})
    void quantizeWritesWhatLlamaCppLoads(String kind) throws Exception {
        Path in = kind.equals("moe") ? moeWith256WideExperts() : model(GgmlType.F32, kind);
        Path out = dir.resolve(kind + "-q4_k_m.gguf");
        Map<String, GgmlType> types = new LinkedHashMap<>();
        try (GgufFile f = GgufFile.open(in)) {
            for (GgufTensor t : f.tensors()) {
                // Matrices and expert stacks; llama.cpp's quantizer keeps norms and the MoE router in F32.
                if (t.ne().length < 2 || t.name().endsWith("ffn_gate_inp.weight")) continue;
                types.put(t.name(), t.cols() % 256 == 0 ? GgmlType.Q4_K : GgmlType.Q8_0);
            }
        }
        assertTrue(types.containsValue(GgmlType.Q4_K) && types.containsValue(GgmlType.Q8_0), "both target types used: " + types);
        LlamaRef ref = LlamaRef.locate();
        assertEquals(out, ref.quantize(in, out, LLAMA_FTYPE_MOSTLY_Q4_K_M, types));

        try (GgufFile a = GgufFile.open(in); GgufFile b = GgufFile.open(out)) {
            assertEquals(a.alignment(), b.alignment(), "alignment");
            assertEquals(LLAMA_FTYPE_MOSTLY_Q4_K_M, b.integer("general.file_type"));
            assertEquals(2, b.integer("general.quantization_version"));
            assertEquals(GgufValueType.UINT32, b.metadataTypes().get("general.file_type"));
            assertEquals(GgufValueType.UINT32, b.metadataTypes().get("general.quantization_version"));
            assertEquals(withoutQuantKeys(a.metadata()), withoutQuantKeys(b.metadata()), "metadata values");
            assertEquals(withoutQuantKeys(a.metadataTypes()), withoutQuantKeys(b.metadataTypes()), "metadata types");

            List<GgufTensor> ta = a.tensors(), tb = b.tensors();
            assertEquals(ta.size(), tb.size(), "tensor count");
            int q8Blocks = 0;
            for (int i = 0; i < ta.size(); i++) {
                GgufTensor x = ta.get(i), y = tb.get(i);
                assertEquals(x.name(), y.name(), "tensor order");
                assertArrayEquals(x.ne(), y.ne(), x.name() + " shape");
                assertEquals(types.getOrDefault(x.name(), GgmlType.F32), y.type(), x.name() + " type");
                assertEquals(y.rows() * (y.cols() / y.type().blockElements()) * y.type().blockBytes(), y.data().byteSize(), x.name() + " bytes");
                if (y.type() == GgmlType.F32) assertEquals(-1, x.data().mismatch(y.data()), x.name() + " kept as it was");
                if (y.type() == GgmlType.Q8_0) q8Blocks += checkQ8_0(x, y);
            }
            assertTrue(q8Blocks > 0);
        }

        String info = ref.info(out);
        assertTrue(info.contains("n_layer: 2"), info);
        assertTrue(info.contains("Q4_K - Medium"), "llama.cpp's description of file type 15: " + info);
        int[] tokens = ref.tokenize(out, PROMPT, true);
        float[] logits = ref.logits(out, tokens, false)[0];
        for (int j = 0; j < logits.length; j++) assertTrue(Float.isFinite(logits[j]), "logit " + j + " is " + logits[j]);
        double std = GreedyAgreement.std(logits);
        assertTrue(std > 0, "the logits vary");
        // Against the F32 file: quantization moves the logits, but by far less than their spread.
        float[] f32 = ref.logits(in, tokens, false)[0];
        double d = GreedyAgreement.maxAbsDiff(f32, logits) / GreedyAgreement.std(f32);
        assertTrue(d > 0 && d < 0.5, "Q4_K/Q8_0 logits differ from the F32 file's by " + d + " of their std");
        System.out.printf("LlamaRefTest quantize %s: %d tensors to Q4_K/Q8_0, llama.cpp's logits within %.3g of the F32 file's std%n", kind, types.size(), d);
    }

    @Test
    void quantizeRejectsBadRequests() throws Exception {
        Path in = model(GgmlType.F32, "dense");
        LlamaRef ref = LlamaRef.locate();
        Path out = dir.resolve("rejected.gguf");
        IOException e = assertThrows(IOException.class, () -> ref.quantize(in, out, 15, Map.of("no.such.weight", GgmlType.Q8_0)));
        assertTrue(e.getMessage().contains("exited with 2") && e.getMessage().contains("no tensor 'no.such.weight'"), e.getMessage());
        // Rows of 128 are not a multiple of Q4_K's 256-element block.
        e = assertThrows(IOException.class, () -> ref.quantize(in, out, 15, Map.of("blk.0.attn_q.weight", GgmlType.Q4_K)));
        assertTrue(e.getMessage().contains("exited with 1") && e.getMessage().contains("not a multiple of q4_K's block of 256"), e.getMessage());
        // Q8_K is an activation format ggml does not write as a weight.
        e = assertThrows(IOException.class, () -> ref.quantize(in, out, 15, Map.of("blk.0.attn_q.weight", GgmlType.Q8_K)));
        assertTrue(e.getMessage().contains("does not write q8_K"), e.getMessage());
        assertFalse(Files.exists(out), "no output after a failure");
        // A NaN in a tensor kept as F32: ggml_validate_row_data rejects it, and the partial output is removed.
        Path nan = dir.resolve("nan.gguf");
        Files.copy(in, nan, StandardCopyOption.REPLACE_EXISTING);
        long at;
        try (GgufFile f = GgufFile.open(nan)) {
            at = f.tensor("blk.1.attn_k.weight").fileOffset() + 7 * Float.BYTES;
        }
        try (FileChannel ch = FileChannel.open(nan, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(Float.BYTES).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, Float.NaN), at);
        }
        e = assertThrows(IOException.class, () -> ref.quantize(nan, out, 7, Map.of("blk.0.attn_q.weight", GgmlType.Q8_0)));
        assertTrue(e.getMessage().contains("tensor 'blk.1.attn_k.weight': ggml_validate_row_data rejects its f32 data"), e.getMessage());
        assertFalse(Files.exists(out), "the partial output is removed");
        for (GgmlType t : GgmlType.values()) assertNotNull(LlamaRef.ggmlName(t));
        assertEquals("q4_K", LlamaRef.ggmlName(GgmlType.Q4_K));
        assertEquals("iq4_xs", LlamaRef.ggmlName(GgmlType.IQ4_XS));
        assertEquals("mxfp4", LlamaRef.ggmlName(GgmlType.MXFP4));
        assertEquals("bf16", LlamaRef.ggmlName(GgmlType.BF16));
    }

    // tinyMixtral with an ffn of 256, so that the experts' down projections (rows of 256) become Q4_K.
    private static Path moeWith256WideExperts() throws Exception {
        Path file = dir.resolve("moe-ffn256-F32.gguf");
        ModelSpec m = ModelSpec.tinyMixtral(GgmlType.F32);
        ModelSpec s = new ModelSpec(m.dim(), m.layers(), m.heads(), m.kvHeads(), 256, m.vocab(), m.experts(), m.expertsUsed(),
                m.contextLength(), m.ropeBase(), m.rmsEps(), m.weights(), m.tokenizer(), m.seed());
        if (!Files.exists(file)) ModelGenerator.writeGguf(s, file);
        return file;
    }

    /** llama.cpp's LLAMA_FTYPE_MOSTLY_Q4_K_M. */
    private static final int LLAMA_FTYPE_MOSTLY_Q4_K_M = 15;

    private static <V> Map<String, V> withoutQuantKeys(Map<String, V> m) {
        Map<String, V> c = new LinkedHashMap<>(m);
        c.remove("general.file_type");
        c.remove("general.quantization_version");
        return c;
    }

    // Every Q8_0 block of q (an F16 scale d, 32 int8 q) is within 0.5 |d| of f's F32 weights, plus
    // the F16 rounding of d (relative 2^-11, times |q| <= 127: 0.062 |d|). Returns the blocks checked.
    private static int checkQ8_0(GgufTensor f, GgufTensor q) {
        MemorySegment x = f.data(), y = q.data();
        long blocks = q.elementCount() / 32;
        for (long b = 0; b < blocks; b++) {
            float d = Float.float16ToFloat(y.get(ValueLayout.JAVA_SHORT_UNALIGNED, b * 34));
            for (int k = 0; k < 32; k++) {
                float w = x.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, b * 32 + k);
                float v = d * y.get(ValueLayout.JAVA_BYTE, b * 34 + 2 + k);
                assertTrue(Math.abs(w - v) <= 0.57 * Math.abs(d) + 1e-30, q.name() + " block " + b + " element " + k + ": " + w + " encoded as " + v);
            }
        }
        return (int) blocks;
    }

    private static Path model(GgmlType type, String kind) throws Exception {
        Path file = dir.resolve(kind + "-" + type + ".gguf");
        if (!Files.exists(file)) ModelGenerator.writeGguf(kind.equals("moe") ? ModelSpec.tinyMixtral(type) : ModelSpec.tinyLlama(type), file);
        return file;
    }
}
