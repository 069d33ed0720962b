package dev.vane.model.quantize;

import static dev.vane.model.gguf.GgmlType.BF16;
import static dev.vane.model.gguf.GgmlType.F16;
import static dev.vane.model.gguf.GgmlType.F32;
import static dev.vane.model.gguf.GgmlType.IQ4_NL;
import static dev.vane.model.gguf.GgmlType.IQ4_XS;
import static dev.vane.model.gguf.GgmlType.MXFP4;
import static dev.vane.model.gguf.GgmlType.Q2_K;
import static dev.vane.model.gguf.GgmlType.Q3_K;
import static dev.vane.model.gguf.GgmlType.Q4_0;
import static dev.vane.model.gguf.GgmlType.Q4_1;
import static dev.vane.model.gguf.GgmlType.Q4_K;
import static dev.vane.model.gguf.GgmlType.Q5_0;
import static dev.vane.model.gguf.GgmlType.Q5_1;
import static dev.vane.model.gguf.GgmlType.Q5_K;
import static dev.vane.model.gguf.GgmlType.Q6_K;
import static dev.vane.model.gguf.GgmlType.Q8_0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vane.model.gguf.GgmlType;
import dev.vane.model.quantize.TypeMix.Model;
import dev.vane.model.quantize.TypeMix.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The per-tensor types of llama.cpp's file types (llama-quant.cpp, no importance matrix), worked
 * out by hand from its rules for a Llama-7B-like, an 8-layer tied-embedding and a Mixtral-like
 * model, and its fallbacks for rows that do not fit a type's blocks.
 */
class TypeMixTest {
    // use_more_bits(i, n): i < n/8 || i >= 7n/8 || (i - n/8) % 3 == 2, listed by hand.
    /** n = 32: 0..3, 28..31, and 6, 9, ..., 27. */
    private static final Set<Integer> MORE_BITS_32 = Set.of(0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31);
    /** n = 8: 0, 7, and 3, 6. */
    private static final Set<Integer> MORE_BITS_8 = Set.of(0, 3, 6, 7);

    // ---- model fixtures: tensors in a GGUF converter's order, weights F16, norms F32 ----

    private static Tensor t(String name, GgmlType type, long... ne) {
        return new Tensor(name, ne, type);
    }

    /** A dense Llama: dim, KV width, FFN width, vocab; output.weight only when not tied. */
    private static List<Tensor> dense(int layers, long dim, long kvDim, long ffn, long vocab, boolean tied) {
        List<Tensor> ts = new ArrayList<>();
        ts.add(t("token_embd.weight", F16, dim, vocab));
        for (int l = 0; l < layers; l++) {
            String b = "blk." + l + ".";
            ts.add(t(b + "attn_norm.weight", F32, dim));
            ts.add(t(b + "attn_q.weight", F16, dim, dim));
            ts.add(t(b + "attn_k.weight", F16, dim, kvDim));
            ts.add(t(b + "attn_v.weight", F16, dim, kvDim));
            ts.add(t(b + "attn_output.weight", F16, dim, dim));
            ts.add(t(b + "ffn_norm.weight", F32, dim));
            ts.add(t(b + "ffn_gate.weight", F16, dim, ffn));
            ts.add(t(b + "ffn_up.weight", F16, dim, ffn));
            ts.add(t(b + "ffn_down.weight", F16, ffn, dim));
        }
        ts.add(t("output_norm.weight", F32, dim));
        if (!tied) ts.add(t("output.weight", F16, dim, vocab));
        return ts;
    }

    /** Llama-7B: 32 layers, 32 heads, no GQA, vocab 32000, its own output.weight. */
    private static final Model LLAMA_7B = new Model(32, 0, 32, 32);
    private static final List<Tensor> LLAMA_7B_TENSORS = dense(32, 4096, 4096, 11008, 32000, false);

    /** A 0.5B-class model: 8 layers, 16 heads over 2 KV heads (GQA 8), tied embeddings. */
    private static final Model SMALL = new Model(8, 0, 16, 2);
    private static final List<Tensor> SMALL_TENSORS = dense(8, 1024, 128, 4096, 32000, true);

    /** Mixtral-8x7B: 32 layers, 8 experts as 3-D ffn_*_exps, GQA 4, an F16 router. */
    private static final Model MIXTRAL = new Model(32, 8, 32, 8);
    private static final List<Tensor> MIXTRAL_TENSORS = mixtral();

    private static List<Tensor> mixtral() {
        List<Tensor> ts = new ArrayList<>();
        ts.add(t("token_embd.weight", F16, 4096, 32000));
        for (int l = 0; l < 32; l++) {
            String b = "blk." + l + ".";
            ts.add(t(b + "attn_norm.weight", F32, 4096));
            ts.add(t(b + "attn_q.weight", F16, 4096, 4096));
            ts.add(t(b + "attn_k.weight", F16, 4096, 1024));
            ts.add(t(b + "attn_v.weight", F16, 4096, 1024));
            ts.add(t(b + "attn_output.weight", F16, 4096, 4096));
            ts.add(t(b + "ffn_norm.weight", F32, 4096));
            ts.add(t(b + "ffn_gate_inp.weight", F16, 4096, 8));
            ts.add(t(b + "ffn_gate_exps.weight", F16, 4096, 14336, 8));
            ts.add(t(b + "ffn_up_exps.weight", F16, 4096, 14336, 8));
            ts.add(t(b + "ffn_down_exps.weight", F16, 14336, 4096, 8));
        }
        ts.add(t("output_norm.weight", F32, 4096));
        ts.add(t("output.weight", F16, 4096, 32000));
        return ts;
    }

    // ---- expectations: every weight of 2+ dimensions starts at one type, 1-D tensors keep theirs ----

    private static final class Expect {
        private final Map<String, GgmlType> types = new LinkedHashMap<>();

        Expect(List<Tensor> ts, GgmlType rest) {
            for (Tensor x : ts) types.put(x.name(), x.ne().length == 1 ? x.type() : rest);
        }

        /** One tensor by full name. */
        Expect set(String name, GgmlType type) {
            if (types.put(name, type) == null) fail("no tensor " + name);
            return this;
        }

        /** blk.N.{kind}.weight for every N. */
        Expect each(String kind, GgmlType type) {
            return layers(kind, null, type);
        }

        /** blk.N.{kind}.weight for N in the set (all N for null). */
        Expect layers(String kind, Set<Integer> which, GgmlType type) {
            int hit = 0;
            for (String n : types.keySet()) {
                if (!n.startsWith("blk.") || !n.endsWith("." + kind + ".weight")) continue;
                int l = Integer.parseInt(n.substring(4, n.indexOf('.', 4)));
                if (which == null || which.contains(l)) {
                    types.put(n, type);
                    hit++;
                }
            }
            if (hit == 0) fail("no blk.N." + kind + ".weight");
            return this;
        }

        /** blk.N.{kind}.weight: one type in the listed layers, another elsewhere. */
        Expect split(String kind, Set<Integer> which, GgmlType in, GgmlType out) {
            return each(kind, out).layers(kind, which, in);
        }

        void check(FileType ft, Model m, List<Tensor> ts) {
            // Shuffled input: the result must not depend on the order tensors are handed in.
            List<Tensor> shuffled = new ArrayList<>(ts);
            Collections.shuffle(shuffled, new Random(ft.id()));
            Map<String, GgmlType> got = TypeMix.types(ft, m, shuffled);
            assertEquals(types.keySet(), got.keySet(), ft + ": tensor names");
            List<String> wrong = new ArrayList<>();
            for (var e : types.entrySet()) {
                if (got.get(e.getKey()) != e.getValue()) wrong.add(e.getKey() + ": expected " + e.getValue() + ", got " + got.get(e.getKey()));
            }
            if (!wrong.isEmpty()) fail(ft + ": " + wrong.size() + " tensors differ:\n  " + String.join("\n  ", wrong));
        }
    }

    // ================================ Llama-7B ================================

    @Test
    void llama7bQ4KM() {
        // Default Q4_K. output.weight: Q6_K (output rule: "new_type != Q8_0 -> Q6_K"); token_embd
        // is not tied (output.weight exists) and no rule of Q4_K_M touches it: Q4_K.
        // attn_v: Q6_K where use_more_bits(i_attention_wv, n_attention_wv = 32); ffn_down: Q6_K
        // where use_more_bits(i_ffn_down, n_layer = 32); both counters equal the layer here.
        new Expect(LLAMA_7B_TENSORS, Q4_K).set("output.weight", Q6_K)
                .split("attn_v", MORE_BITS_32, Q6_K, Q4_K)
                .split("ffn_down", MORE_BITS_32, Q6_K, Q4_K)
                .check(FileType.Q4_K_M, LLAMA_7B, LLAMA_7B_TENSORS);
    }

    @Test
    void llama7bQ5KM() {
        // As Q4_K_M on a Q5_K base: attn_v and ffn_down to Q6_K on the use_more_bits layers.
        new Expect(LLAMA_7B_TENSORS, Q5_K).set("output.weight", Q6_K)
                .split("attn_v", MORE_BITS_32, Q6_K, Q5_K)
                .split("ffn_down", MORE_BITS_32, Q6_K, Q5_K)
                .check(FileType.Q5_K_M, LLAMA_7B, LLAMA_7B_TENSORS);
    }

    @Test
    void llama7bQ6K() {
        // No rule of Q6_K changes a tensor; output's "-> Q6_K" is Q6_K too.
        new Expect(LLAMA_7B_TENSORS, Q6_K).check(FileType.Q6_K, LLAMA_7B, LLAMA_7B_TENSORS);
    }

    @Test
    void llama7bQ3KM() {
        // attn_v: "i_attention_wv < 2 ? Q5_K : Q4_K" (not 70B, not 8 experts). ffn_down:
        // "i_layer < n_layer/16 (= 2) ? Q5_K : Q4_K" (non-Falcon). attn_output: Q3_K_M -> Q4_K.
        new Expect(LLAMA_7B_TENSORS, Q3_K).set("output.weight", Q6_K)
                .split("attn_v", Set.of(0, 1), Q5_K, Q4_K)
                .split("ffn_down", Set.of(0, 1), Q5_K, Q4_K)
                .each("attn_output", Q4_K)
                .check(FileType.Q3_K_M, LLAMA_7B, LLAMA_7B_TENSORS);
    }

    @Test
    void llama7bQ2K() {
        // attn_v: "n_gqa() >= 4 ? Q4_K : Q3_K", GQA 1 -> Q3_K. ffn_down: Q2_K -> Q3_K.
        // attn_output: Q2_K -> Q3_K (dense model).
        new Expect(LLAMA_7B_TENSORS, Q2_K).set("output.weight", Q6_K)
                .each("attn_v", Q3_K).each("ffn_down", Q3_K).each("attn_output", Q3_K)
                .check(FileType.Q2_K, LLAMA_7B, LLAMA_7B_TENSORS);
    }

    @Test
    void llama7bIQ4XS() {
        // attn_v: Q5_K only with n_gqa() >= 4; GQA 1 keeps IQ4_XS. ffn_down: "i_layer < n_layer/8
        // (= 4) && IQ4_XS && !has_imatrix -> Q5_K". 11008 = 43 x 256, so no fallback.
        new Expect(LLAMA_7B_TENSORS, IQ4_XS).set("output.weight", Q6_K)
                .split("ffn_down", Set.of(0, 1, 2, 3), Q5_K, IQ4_XS)
                .check(FileType.IQ4_XS, LLAMA_7B, LLAMA_7B_TENSORS);
    }

    @Test
    void llama7bQ4_1() {
        // Only output.weight moves (-> Q6_K); the Q4_0/Q5_0 ffn_down rule needs an imatrix and is
        // for Q4_0/Q5_0 anyway.
        new Expect(LLAMA_7B_TENSORS, Q4_1).set("output.weight", Q6_K).check(FileType.Q4_1, LLAMA_7B, LLAMA_7B_TENSORS);
    }

    @Test
    void llama7bQ5_0() {
        // ffn_down "Q5_0 && has_imatrix && i_layer < n_layer/8 -> Q5_1" does not apply without an
        // imatrix: all Q5_0 but output.weight (Q6_K).
        new Expect(LLAMA_7B_TENSORS, Q5_0).set("output.weight", Q6_K).check(FileType.Q5_0, LLAMA_7B, LLAMA_7B_TENSORS);
    }

    @Test
    void llama7bMXFP4MoE() {
        // MXFP4_MOE: output -> Q8_0; every other tensor "ne[2] > 1 ? MXFP4 : Q8_0", and a dense
        // model has no 3-D tensor: all Q8_0 (token_embd included: that branch comes first).
        new Expect(LLAMA_7B_TENSORS, Q8_0).check(FileType.MXFP4_MOE, LLAMA_7B, LLAMA_7B_TENSORS);
    }

    @Test
    void llama7bOtherKMixes() {
        // Q4_K_S: attn_v "i_attention_wv < 4 -> Q5_K"; ffn_down "i_layer < n_layer/8 -> Q5_K".
        new Expect(LLAMA_7B_TENSORS, Q4_K).set("output.weight", Q6_K)
                .split("attn_v", Set.of(0, 1, 2, 3), Q5_K, Q4_K).split("ffn_down", Set.of(0, 1, 2, 3), Q5_K, Q4_K)
                .check(FileType.Q4_K_S, LLAMA_7B, LLAMA_7B_TENSORS);
        // Q3_K_L: attn_v, ffn_down (non-Falcon) and attn_output -> Q5_K.
        new Expect(LLAMA_7B_TENSORS, Q3_K).set("output.weight", Q6_K)
                .each("attn_v", Q5_K).each("ffn_down", Q5_K).each("attn_output", Q5_K)
                .check(FileType.Q3_K_L, LLAMA_7B, LLAMA_7B_TENSORS);
        // Q3_K_S, Q5_K_S: no rule but output's.
        new Expect(LLAMA_7B_TENSORS, Q3_K).set("output.weight", Q6_K).check(FileType.Q3_K_S, LLAMA_7B, LLAMA_7B_TENSORS);
        new Expect(LLAMA_7B_TENSORS, Q5_K).set("output.weight", Q6_K).check(FileType.Q5_K_S, LLAMA_7B, LLAMA_7B_TENSORS);
        // IQ4_NL: the IQ4_XS rules (ffn_down of the first eighth -> Q5_K).
        new Expect(LLAMA_7B_TENSORS, IQ4_NL).set("output.weight", Q6_K).split("ffn_down", Set.of(0, 1, 2, 3), Q5_K, IQ4_NL)
                .check(FileType.IQ4_NL, LLAMA_7B, LLAMA_7B_TENSORS);
        // Q8_0: output stays Q8_0 ("new_type != Q8_0 -> Q6_K" does not fire).
        new Expect(LLAMA_7B_TENSORS, Q8_0).check(FileType.Q8_0, LLAMA_7B, LLAMA_7B_TENSORS);
        new Expect(LLAMA_7B_TENSORS, Q5_1).set("output.weight", Q6_K).check(FileType.Q5_1, LLAMA_7B, LLAMA_7B_TENSORS);
        new Expect(LLAMA_7B_TENSORS, Q4_0).set("output.weight", Q6_K).check(FileType.Q4_0, LLAMA_7B, LLAMA_7B_TENSORS);
    }

    @Test
    void floatFileTypesConvertEveryWeightAlike() {
        // A non-quantized default type skips the mix and the fallbacks: every quantizable tensor
        // gets it; 1-D norms and the router stay as they are.
        new Expect(LLAMA_7B_TENSORS, F16).check(FileType.MOSTLY_F16, LLAMA_7B, LLAMA_7B_TENSORS);
        new Expect(LLAMA_7B_TENSORS, BF16).check(FileType.BF16, LLAMA_7B, LLAMA_7B_TENSORS);
        new Expect(MIXTRAL_TENSORS, F32).each("ffn_gate_inp", F16).check(FileType.ALL_F32, MIXTRAL, MIXTRAL_TENSORS);
    }

    // ====================== 8 layers, GQA 8, tied embeddings ======================

    @Test
    void smallQ4KM() {
        // No output.weight: token_embd takes the output rule -> Q6_K. attn_v and ffn_down: Q6_K
        // where use_more_bits(i, 8) = {0, 3, 6, 7}.
        new Expect(SMALL_TENSORS, Q4_K).set("token_embd.weight", Q6_K)
                .split("attn_v", MORE_BITS_8, Q6_K, Q4_K).split("ffn_down", MORE_BITS_8, Q6_K, Q4_K)
                .check(FileType.Q4_K_M, SMALL, SMALL_TENSORS);
    }

    @Test
    void smallQ5KM() {
        new Expect(SMALL_TENSORS, Q5_K).set("token_embd.weight", Q6_K)
                .split("attn_v", MORE_BITS_8, Q6_K, Q5_K).split("ffn_down", MORE_BITS_8, Q6_K, Q5_K)
                .check(FileType.Q5_K_M, SMALL, SMALL_TENSORS);
    }

    @Test
    void smallQ6K() {
        new Expect(SMALL_TENSORS, Q6_K).check(FileType.Q6_K, SMALL, SMALL_TENSORS);
    }

    @Test
    void smallQ3KM() {
        // attn_v: i < 2 -> Q5_K, else Q4_K. ffn_down: i < 8/16 = 0 never holds -> Q4_K everywhere.
        // attn_output -> Q4_K. Tied token_embd -> Q6_K.
        new Expect(SMALL_TENSORS, Q3_K).set("token_embd.weight", Q6_K)
                .split("attn_v", Set.of(0, 1), Q5_K, Q4_K).each("ffn_down", Q4_K).each("attn_output", Q4_K)
                .check(FileType.Q3_K_M, SMALL, SMALL_TENSORS);
    }

    @Test
    void smallQ2K() {
        // attn_v: GQA 8 >= 4 -> Q4_K. ffn_down, attn_output -> Q3_K.
        new Expect(SMALL_TENSORS, Q2_K).set("token_embd.weight", Q6_K)
                .each("attn_v", Q4_K).each("ffn_down", Q3_K).each("attn_output", Q3_K)
                .check(FileType.Q2_K, SMALL, SMALL_TENSORS);
    }

    @Test
    void smallIQ4XS() {
        // attn_v: IQ4_XS with n_gqa() >= 4 -> Q5_K. ffn_down: i < 8/8 = 1 -> Q5_K (layer 0).
        new Expect(SMALL_TENSORS, IQ4_XS).set("token_embd.weight", Q6_K)
                .each("attn_v", Q5_K).split("ffn_down", Set.of(0), Q5_K, IQ4_XS)
                .check(FileType.IQ4_XS, SMALL, SMALL_TENSORS);
    }

    @Test
    void smallQ4_1() {
        // The tied token_embd takes the output rule even for Q4_1: -> Q6_K.
        new Expect(SMALL_TENSORS, Q4_1).set("token_embd.weight", Q6_K).check(FileType.Q4_1, SMALL, SMALL_TENSORS);
    }

    @Test
    void smallQ5_0() {
        new Expect(SMALL_TENSORS, Q5_0).set("token_embd.weight", Q6_K).check(FileType.Q5_0, SMALL, SMALL_TENSORS);
    }

    @Test
    void smallMXFP4MoE() {
        // Tied token_embd: output rule, MXFP4_MOE -> Q8_0. All 2-D: Q8_0.
        new Expect(SMALL_TENSORS, Q8_0).check(FileType.MXFP4_MOE, SMALL, SMALL_TENSORS);
    }

    // ================================ Mixtral ================================

    @Test
    void mixtralQ4KM() {
        // 8 experts: attn_v -> Q8_0 and attn_k -> Q8_0 ("bumping this to Q8_0 trades ~128MB");
        // attn_output: Q4_K_M is in the 8-expert list -> Q5_K. ffn_down_exps: use_more_bits of
        // the layer parsed from "blk.N." -> Q6_K. ffn_gate_inp is never quantized (stays F16).
        new Expect(MIXTRAL_TENSORS, Q4_K).set("output.weight", Q6_K)
                .each("attn_v", Q8_0).each("attn_k", Q8_0).each("attn_output", Q5_K).each("ffn_gate_inp", F16)
                .split("ffn_down_exps", MORE_BITS_32, Q6_K, Q4_K)
                .check(FileType.Q4_K_M, MIXTRAL, MIXTRAL_TENSORS);
    }

    @Test
    void mixtralQ5KM() {
        // Q5_K_M is not in the 8-expert attn_output list: attn_output stays at the Q5_K default.
        new Expect(MIXTRAL_TENSORS, Q5_K).set("output.weight", Q6_K)
                .each("attn_v", Q8_0).each("attn_k", Q8_0).each("ffn_gate_inp", F16)
                .split("ffn_down_exps", MORE_BITS_32, Q6_K, Q5_K)
                .check(FileType.Q5_K_M, MIXTRAL, MIXTRAL_TENSORS);
    }

    @Test
    void mixtralQ6K() {
        new Expect(MIXTRAL_TENSORS, Q6_K).each("attn_v", Q8_0).each("attn_k", Q8_0).each("ffn_gate_inp", F16)
                .check(FileType.Q6_K, MIXTRAL, MIXTRAL_TENSORS);
    }

    @Test
    void mixtralQ3KM() {
        // attn_v: the Q3_K_M choice is overridden by the 8-expert Q8_0. attn_output: 8-expert list
        // -> Q5_K. ffn_down_exps: layer < 32/16 = 2 -> Q5_K, else Q4_K.
        new Expect(MIXTRAL_TENSORS, Q3_K).set("output.weight", Q6_K)
                .each("attn_v", Q8_0).each("attn_k", Q8_0).each("attn_output", Q5_K).each("ffn_gate_inp", F16)
                .split("ffn_down_exps", Set.of(0, 1), Q5_K, Q4_K)
                .check(FileType.Q3_K_M, MIXTRAL, MIXTRAL_TENSORS);
    }

    @Test
    void mixtralQ2K() {
        new Expect(MIXTRAL_TENSORS, Q2_K).set("output.weight", Q6_K)
                .each("attn_v", Q8_0).each("attn_k", Q8_0).each("attn_output", Q5_K).each("ffn_gate_inp", F16)
                .each("ffn_down_exps", Q3_K)
                .check(FileType.Q2_K, MIXTRAL, MIXTRAL_TENSORS);
    }

    @Test
    void mixtralIQ4XS() {
        // attn_v: GQA 4 gives Q5_K, then 8 experts give Q8_0. attn_output: IQ4_XS in the 8-expert
        // list -> Q5_K. ffn_down_exps: layer < 4 -> Q5_K (14336 = 56 x 256 fits).
        new Expect(MIXTRAL_TENSORS, IQ4_XS).set("output.weight", Q6_K)
                .each("attn_v", Q8_0).each("attn_k", Q8_0).each("attn_output", Q5_K).each("ffn_gate_inp", F16)
                .split("ffn_down_exps", Set.of(0, 1, 2, 3), Q5_K, IQ4_XS)
                .check(FileType.IQ4_XS, MIXTRAL, MIXTRAL_TENSORS);
    }

    @Test
    void mixtralQ4_1() {
        // The 8-expert attn_v / attn_k Q8_0 applies to every mix; attn_output's list has no Q4_1.
        new Expect(MIXTRAL_TENSORS, Q4_1).set("output.weight", Q6_K)
                .each("attn_v", Q8_0).each("attn_k", Q8_0).each("ffn_gate_inp", F16)
                .check(FileType.Q4_1, MIXTRAL, MIXTRAL_TENSORS);
    }

    @Test
    void mixtralQ5_0() {
        new Expect(MIXTRAL_TENSORS, Q5_0).set("output.weight", Q6_K)
                .each("attn_v", Q8_0).each("attn_k", Q8_0).each("ffn_gate_inp", F16)
                .check(FileType.Q5_0, MIXTRAL, MIXTRAL_TENSORS);
    }

    @Test
    void mixtralMXFP4MoE() {
        // 3-D ffn_*_exps -> MXFP4, every other quantized tensor (output and token_embd too) -> Q8_0.
        new Expect(MIXTRAL_TENSORS, Q8_0).each("ffn_gate_inp", F16)
                .each("ffn_gate_exps", MXFP4).each("ffn_up_exps", MXFP4).each("ffn_down_exps", MXFP4)
                .check(FileType.MXFP4_MOE, MIXTRAL, MIXTRAL_TENSORS);
    }

    @Test
    void splitExpertsTakeTheLayerFromTheName() {
        // Old Mixtral files hold one 2-D tensor per expert (blk.N.ffn_down.E.weight): 8 ffn_down
        // per layer, so the layer is parsed from the name, not counted. Counting would make
        // blk.0.ffn_down.4 the 5th ffn_down (not a more-bits layer, Q4_K); by name it is layer 0.
        List<Tensor> ts = new ArrayList<>();
        for (int l = 0; l < 32; l++) {
            for (int e = 0; e < 8; e++) {
                ts.add(t("blk." + l + ".ffn_down." + e + ".weight", F16, 14336, 4096));
                ts.add(t("blk." + l + ".ffn_gate." + e + ".weight", F16, 4096, 14336));
            }
        }
        ts.add(t("output.weight", F16, 4096, 32000));
        Map<String, GgmlType> got = TypeMix.types(FileType.Q4_K_M, MIXTRAL, ts);
        for (int l = 0; l < 32; l++) {
            for (int e = 0; e < 8; e++) {
                assertEquals(MORE_BITS_32.contains(l) ? Q6_K : Q4_K, got.get("blk." + l + ".ffn_down." + e + ".weight"), l + "/" + e);
                assertEquals(Q4_K, got.get("blk." + l + ".ffn_gate." + e + ".weight"));
            }
        }
        // In an expert model an FFN tensor must name a layer in [0, n_layer).
        assertThrows(IllegalArgumentException.class, () -> TypeMix.types(FileType.Q4_K_M, MIXTRAL,
                List.of(t("blk.32.ffn_down_exps.weight", F16, 14336, 4096, 8))));
        assertThrows(IllegalArgumentException.class, () -> TypeMix.types(FileType.Q6_K, MIXTRAL,
                List.of(t("ffn_up_exps.weight", F16, 4096, 14336, 8))));
        // A dense model counts instead, names or not.
        assertEquals(Q6_K, TypeMix.types(FileType.Q4_K_M, LLAMA_7B, List.of(t("ffn_down.weight", F16, 11008, 4096))).get("ffn_down.weight"));
    }

    // ============================ size classes, fused QKV ============================

    @Test
    void seventyBBumpsAttnVToQ5K() {
        // llama with 80 layers and n_head != n_head_kv is LLM_TYPE_70B: attn_v Q3_K/Q4_K -> Q5_K.
        Model m70 = new Model(80, 0, 64, 8);
        List<Tensor> ts = dense(80, 8192, 1024, 28672, 32000, false);
        // Q4_K_M: use_more_bits(i, 80) layers (i < 10, i >= 70, (i - 10) % 3 == 2) get Q6_K, the
        // others' Q4_K becomes Q5_K.
        Map<String, GgmlType> got = TypeMix.types(FileType.Q4_K_M, m70, ts);
        assertEquals(Q6_K, got.get("blk.9.attn_v.weight"));
        assertEquals(Q5_K, got.get("blk.10.attn_v.weight"));
        assertEquals(Q5_K, got.get("blk.11.attn_v.weight"));
        assertEquals(Q6_K, got.get("blk.12.attn_v.weight"));
        assertEquals(Q5_K, got.get("blk.68.attn_v.weight"));  // (68 - 10) % 3 == 1
        assertEquals(Q6_K, got.get("blk.69.attn_v.weight"));  // (69 - 10) % 3 == 2
        assertEquals(Q6_K, got.get("blk.70.attn_v.weight"));
        assertEquals(Q4_K, got.get("blk.10.attn_q.weight"));
        // Q3_K_S: the default Q3_K of attn_v becomes Q5_K.
        assertEquals(Q5_K, TypeMix.types(FileType.Q3_K_S, m70, ts).get("blk.40.attn_v.weight"));
        assertEquals(Q3_K, TypeMix.types(FileType.Q3_K_S, m70, ts).get("blk.40.attn_q.weight"));
        // 80 layers without GQA is 65B: no bump.
        assertEquals(Q3_K, TypeMix.types(FileType.Q3_K_S, new Model(80, 0, 64, 64), ts).get("blk.40.attn_v.weight"));
        assertTrue(m70.is70B());
        assertFalse(new Model(80, 8, 64, 8).is70B());  // 8 experts: llama.cpp's 8x* classes
    }

    @Test
    void fusedQkvIsRuledAsAttnV() {
        // attn_qkv falls in the attn_v rules (category_is_attn_v comes first in the chain), so
        // Q4_K_M gives it Q6_K on use_more_bits layers and Q4_K elsewhere.
        List<Tensor> ts = new ArrayList<>();
        for (int l = 0; l < 8; l++) ts.add(t("blk." + l + ".attn_qkv.weight", F16, 1024, 1280));
        ts.add(t("output.weight", F16, 1024, 32000));
        Map<String, GgmlType> got = TypeMix.types(FileType.Q4_K_M, SMALL, ts);
        for (int l = 0; l < 8; l++) assertEquals(MORE_BITS_8.contains(l) ? Q6_K : Q4_K, got.get("blk." + l + ".attn_qkv.weight"));
    }

    // ================================ fallbacks ================================

    @Test
    void fallbackForRowsOf2880And1000() {
        // 2880 = 11.25 x 256 = 90 x 32: the 256-element types fall back to a 32-element one.
        assertEquals(Q5_0, TypeMix.fitRow(Q4_K, 2880));
        assertEquals(Q5_1, TypeMix.fitRow(Q5_K, 2880));
        assertEquals(Q8_0, TypeMix.fitRow(Q6_K, 2880));
        assertEquals(Q4_0, TypeMix.fitRow(Q3_K, 2880));
        assertEquals(Q4_0, TypeMix.fitRow(Q2_K, 2880));
        assertEquals(IQ4_NL, TypeMix.fitRow(IQ4_XS, 2880));
        assertEquals(Q8_0, TypeMix.fitRow(Q8_0, 2880));
        assertEquals(MXFP4, TypeMix.fitRow(MXFP4, 2880));
        // 1000 = 31.25 x 32: the fallback does not fit either -> F16.
        for (GgmlType k : List.of(Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_XS)) assertEquals(F16, TypeMix.fitRow(k, 1000), k.toString());
        // A 32-element type that does not fit has no fallback: llama.cpp stops.
        for (GgmlType k : List.of(Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, IQ4_NL, MXFP4)) {
            assertThrows(IllegalArgumentException.class, () -> TypeMix.fitRow(k, 1000), k.toString());
        }
        assertEquals(F16, TypeMix.fitRow(F16, 1000));
    }

    /** A dense model with rows of 2880 (attn_output's are 4096): 8 layers, GQA 8. */
    private static final Model WIDE = new Model(8, 0, 64, 8);

    private static List<Tensor> wide(boolean tied) {
        List<Tensor> ts = new ArrayList<>();
        ts.add(t("token_embd.weight", F16, 2880, 32000));
        for (int l = 0; l < 8; l++) {
            String b = "blk." + l + ".";
            ts.add(t(b + "attn_norm.weight", F32, 2880));
            ts.add(t(b + "attn_q.weight", F16, 2880, 4096));
            ts.add(t(b + "attn_k.weight", F16, 2880, 512));
            ts.add(t(b + "attn_v.weight", F16, 2880, 512));
            ts.add(t(b + "attn_output.weight", F16, 4096, 2880));
            ts.add(t(b + "ffn_norm.weight", F32, 2880));
            ts.add(t(b + "ffn_gate.weight", F16, 2880, 2880));
            ts.add(t(b + "ffn_up.weight", F16, 2880, 2880));
            ts.add(t(b + "ffn_down.weight", F16, 2880, 2880));
        }
        ts.add(t("output_norm.weight", F32, 2880));
        if (!tied) ts.add(t("output.weight", F16, 2880, 32000));
        return ts;
    }

    @Test
    void rowsOf2880FallBackPerTensor() {
        List<Tensor> ts = wide(false);
        // Q4_K_M: Q4_K -> Q5_0; the more-bits Q6_K -> Q8_0; output: "nx % qk_k != 0 -> Q8_0";
        // attn_output (rows of 4096) keeps Q4_K; untied token_embd Q4_K -> Q5_0.
        new Expect(ts, Q5_0).set("output.weight", Q8_0).each("attn_output", Q4_K)
                .split("attn_v", MORE_BITS_8, Q8_0, Q5_0).split("ffn_down", MORE_BITS_8, Q8_0, Q5_0)
                .check(FileType.Q4_K_M, WIDE, ts);
        // Q5_K_M: Q5_K -> Q5_1, Q6_K -> Q8_0.
        new Expect(ts, Q5_1).set("output.weight", Q8_0).each("attn_output", Q5_K)
                .split("attn_v", MORE_BITS_8, Q8_0, Q5_1).split("ffn_down", MORE_BITS_8, Q8_0, Q5_1)
                .check(FileType.Q5_K_M, WIDE, ts);
        // Q6_K: Q6_K -> Q8_0 but attn_output.
        new Expect(ts, Q8_0).each("attn_output", Q6_K).check(FileType.Q6_K, WIDE, ts);
        // Q3_K_M: Q3_K -> Q4_0; attn_v i < 2 Q5_K -> Q5_1, else Q4_K -> Q5_0; ffn_down Q4_K -> Q5_0
        // (8/16 = 0); attn_output Q4_K fits.
        new Expect(ts, Q4_0).set("output.weight", Q8_0).each("attn_output", Q4_K)
                .split("attn_v", Set.of(0, 1), Q5_1, Q5_0).each("ffn_down", Q5_0)
                .check(FileType.Q3_K_M, WIDE, ts);
        // Q2_K: Q2_K -> Q4_0; attn_v (GQA 8) Q4_K -> Q5_0; ffn_down Q3_K -> Q4_0; attn_output Q3_K.
        new Expect(ts, Q4_0).set("output.weight", Q8_0).each("attn_output", Q3_K)
                .each("attn_v", Q5_0).each("ffn_down", Q4_0)
                .check(FileType.Q2_K, WIDE, ts);
        // IQ4_XS: IQ4_XS -> IQ4_NL; attn_v (GQA 8) Q5_K -> Q5_1; ffn_down layer 0 Q5_K -> Q5_1.
        new Expect(ts, IQ4_NL).set("output.weight", Q8_0).each("attn_output", IQ4_XS)
                .each("attn_v", Q5_1).split("ffn_down", Set.of(0), Q5_1, IQ4_NL)
                .check(FileType.IQ4_XS, WIDE, ts);
        // MXFP4_MOE and the 32-element mixes fit 2880 as they are; Q4_1's output: 2880 fits Q4_1's
        // blocks, so the output rule gives Q6_K, which falls back to Q8_0.
        new Expect(ts, Q8_0).check(FileType.MXFP4_MOE, WIDE, ts);
        new Expect(ts, Q4_1).set("output.weight", Q8_0).check(FileType.Q4_1, WIDE, ts);
        // Tied, Q4_0: token_embd fits Q4_0's blocks (2880 % 32 == 0) so the output rule gives Q6_K,
        // which then falls back to Q8_0.
        List<Tensor> tied = wide(true);
        assertEquals(Q8_0, TypeMix.types(FileType.Q4_0, WIDE, tied).get("token_embd.weight"));
    }

    @Test
    void rowsOf1000FallBackToF16OrFail() {
        // ffn_down rows of 1000 (FFN width 1000): every K-type choice ends in F16.
        List<Tensor> ts = dense(8, 1024, 256, 1000, 32000, false);
        new Expect(ts, Q4_K).set("output.weight", Q6_K).each("ffn_down", F16)
                .split("attn_v", MORE_BITS_8, Q6_K, Q4_K)
                .check(FileType.Q4_K_M, new Model(8, 0, 16, 4), ts);
        new Expect(ts, IQ4_XS).set("output.weight", Q6_K).each("ffn_down", F16).each("attn_v", Q5_K)
                .check(FileType.IQ4_XS, new Model(8, 0, 16, 4), ts);
        // A 32-element mix has no fallback for them: llama.cpp stops.
        assertThrows(IllegalArgumentException.class, () -> TypeMix.types(FileType.Q4_0, new Model(8, 0, 16, 4), ts));
        assertThrows(IllegalArgumentException.class, () -> TypeMix.types(FileType.MXFP4_MOE, new Model(8, 0, 16, 4), ts));
        // output.weight with rows of 1000: the output rule picks Q8_0, which does not fit: stops.
        List<Tensor> narrow = dense(2, 1000, 1000, 2048, 32000, false);
        assertThrows(IllegalArgumentException.class, () -> TypeMix.types(FileType.Q4_K_M, new Model(2, 0, 8, 8), narrow));
    }

    // ================================ the rest ================================

    @Test
    void orderIsLlamaCpps() {
        // Outside blocks first (by name), then blk.N by number (blk.10 after blk.9), ties by name.
        List<Tensor> ts = new ArrayList<>();
        for (String n : List.of("blk.10.attn_q.weight", "token_embd.weight", "blk.9.ffn_down.weight", "blk.9.attn_q.weight",
                "output.weight", "blk.0.attn_norm.weight", "output_norm.weight", "blk.0.attn_k.weight")) {
            ts.add(t(n, F16, 4096, 4096));
        }
        assertEquals(List.of("output.weight", "output_norm.weight", "token_embd.weight", "blk.0.attn_k.weight", "blk.0.attn_norm.weight",
                "blk.9.attn_q.weight", "blk.9.ffn_down.weight", "blk.10.attn_q.weight"),
                List.copyOf(TypeMix.types(FileType.Q8_0, new Model(11, 0, 32, 32), ts).keySet()));
        assertThrows(IllegalArgumentException.class, () -> TypeMix.types(FileType.Q8_0, LLAMA_7B,
                List.of(t("a.weight", F16, 32, 32), t("a.weight", F16, 32, 32))));
    }

    @Test
    void whatStaysAsItIs() {
        assertFalse(TypeMix.quantizable(t("blk.0.attn_norm.weight", F32, 4096)));
        assertFalse(TypeMix.quantizable(t("blk.0.attn_q.weight", F16, 4096, 1)));  // 1-D as ggml counts
        assertFalse(TypeMix.quantizable(t("blk.0.attn_q.bias", F32, 4096, 4)));     // not a weight
        assertFalse(TypeMix.quantizable(t("blk.0.ffn_gate_inp.weight", F32, 4096, 8)));
        assertFalse(TypeMix.quantizable(t("position_embd.weight", F16, 768, 512)));
        assertTrue(TypeMix.quantizable(t("blk.0.ffn_down_exps.weight", F16, 14336, 4096, 8)));
        assertTrue(TypeMix.quantizable(t("blk.0.attn_q.weight", F16, 4096, 4096, 1)));
        // A quantized source tensor that is not quantized keeps its type; one that is gets the mix.
        Map<String, GgmlType> got = TypeMix.types(FileType.Q4_K_M, LLAMA_7B,
                List.of(t("blk.0.ffn_gate_inp.weight", Q8_0, 4096, 8), t("blk.0.attn_q.weight", Q8_0, 4096, 4096)));
        assertEquals(Q8_0, got.get("blk.0.ffn_gate_inp.weight"));
        assertEquals(Q4_K, got.get("blk.0.attn_q.weight"));
    }

    @Test
    void fileTypesCarryLlamaCppsIds() {
        int[] ids = {0, 1, 2, 3, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 25, 30, 32, 38};
        FileType[] all = FileType.values();
        assertEquals(ids.length, all.length);
        for (int i = 0; i < ids.length; i++) {
            assertEquals(ids[i], all[i].id(), all[i].toString());
            assertEquals(all[i], FileType.ofId(ids[i]));
        }
        assertNull(FileType.ofId(19));
        assertEquals(Q4_K, FileType.Q4_K_M.defaultType());
        assertEquals(Q3_K, FileType.Q3_K_L.defaultType());
        assertEquals(MXFP4, FileType.MXFP4_MOE.defaultType());
        assertFalse(FileType.BF16.quantized());
        assertTrue(FileType.Q8_0.quantized());
        // llama-quantize's names and aliases.
        assertEquals(FileType.Q4_K_M, FileType.named("q4_k_m"));
        assertEquals(FileType.Q4_K_M, FileType.named("Q4_K"));
        assertEquals(FileType.Q3_K_M, FileType.named("Q3_K"));
        assertEquals(FileType.Q5_K_M, FileType.named("Q5_K"));
        assertEquals(FileType.MOSTLY_F16, FileType.named("F16"));
        assertEquals(FileType.ALL_F32, FileType.named("F32"));
        assertEquals(FileType.BF16, FileType.named("bf16"));
        assertEquals(FileType.MXFP4_MOE, FileType.named("MXFP4_MOE"));
        assertEquals(FileType.Q6_K, FileType.named("18"));
        assertEquals("F16", FileType.MOSTLY_F16.llamaName());
        assertThrows(IllegalArgumentException.class, () -> FileType.named("Q2_K_S"));  // needs an imatrix
        assertThrows(IllegalArgumentException.class, () -> FileType.named("19"));
    }
}
