package dev.vane.tools.generate;

import dev.vane.model.tokenizer.HfTokenizerJson;
import dev.vane.model.safetensors.SafetensorsFile.Dtype;
import dev.vane.quant.QuantFormat;
import dev.vane.quant.Quantizer;
import dev.vane.tools.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a Hugging Face style checkpoint directory (config.json, tokenizer.json,
 * tokenizer_config.json, model.safetensors) holding the same model as
 * {@link ModelGenerator#writeGguf} does for the same spec: the same weight values, with Q and K
 * in Hugging Face's unpermuted row order (GGUF files permute them so that RoPE rotates adjacent
 * pairs), and the byte-level BPE vocabulary (spec.tokenizer() must be BPE). Weights are F32,
 * F16, BF16, or F8_E4M3 with 128x128 block scales in weight_scale_inv (the published FP8
 * convention; embeddings, norms and the router then stay BF16).
 */
public final class HfCheckpointGenerator {
    private HfCheckpointGenerator() {}

    public static void write(ModelSpec spec, Dtype weights, Path dir) throws IOException {
        if (spec.tokenizer() != ModelSpec.TokenizerKind.BPE) throw new IllegalArgumentException("Hugging Face checkpoints are generated with a BPE vocabulary");
        if (weights != Dtype.F32 && weights != Dtype.F16 && weights != Dtype.BF16 && weights != Dtype.F8_E4M3) {
            throw new IllegalArgumentException("weights must be F32, F16, BF16 or F8_E4M3, got " + weights);
        }
        Files.createDirectories(dir);
        SyntheticVocab vocab = SyntheticVocab.bpe(spec.vocab(), spec.seed());
        Files.writeString(dir.resolve("config.json"), config(spec, weights, vocab));
        Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson(vocab, "llama-bpe"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\":" + quote(vocab.tokens().get(vocab.bos())) + ",\"eos_token\":"
                + quote(vocab.tokens().get(vocab.eos())) + ",\"add_bos_token\":true}\n");

        SafetensorsWriter w = new SafetensorsWriter(Map.of("format", "pt"));
        Dtype side = weights == Dtype.F8_E4M3 ? Dtype.BF16 : weights;  // tensors that are never FP8
        int d = spec.dim(), hd = spec.headDim();
        dense(w, "model.embed_tokens.weight", side, ModelGenerator.values(spec, "token_embd.weight", spec.vocab(), d, 1.0), spec.vocab(), d);
        vector(w, "model.norm.weight", side, ModelGenerator.normValues(spec, "output_norm.weight", d));
        dense(w, "lm_head.weight", side, ModelGenerator.values(spec, "output.weight", spec.vocab(), d, 4.0 / Math.sqrt(d)), spec.vocab(), d);
        for (int l = 0; l < spec.layers(); l++) {
            String g = "blk." + l + ".", h = "model.layers." + l + ".";
            vector(w, h + "input_layernorm.weight", side, ModelGenerator.normValues(spec, g + "attn_norm.weight", d));
            float[] q = ModelGenerator.values(spec, g + "attn_q.weight", spec.heads() * hd, d, 1 / Math.sqrt(d));
            float[] k = ModelGenerator.values(spec, g + "attn_k.weight", spec.kvHeads() * hd, d, 1 / Math.sqrt(d));
            linear(w, h + "self_attn.q_proj.weight", weights, unpermute(q, spec.heads(), hd, d), spec.heads() * hd, d);
            linear(w, h + "self_attn.k_proj.weight", weights, unpermute(k, spec.kvHeads(), hd, d), spec.kvHeads() * hd, d);
            linear(w, h + "self_attn.v_proj.weight", weights, ModelGenerator.values(spec, g + "attn_v.weight", spec.kvHeads() * hd, d, 1 / Math.sqrt(d)),
                    spec.kvHeads() * hd, d);
            linear(w, h + "self_attn.o_proj.weight", weights,
                    ModelGenerator.values(spec, g + "attn_output.weight", d, spec.heads() * hd, 1 / Math.sqrt(spec.heads() * hd)), d, spec.heads() * hd);
            vector(w, h + "post_attention_layernorm.weight", side, ModelGenerator.normValues(spec, g + "ffn_norm.weight", d));
            int f = spec.ffnDim();
            if (spec.experts() == 0) {
                linear(w, h + "mlp.gate_proj.weight", weights, ModelGenerator.values(spec, g + "ffn_gate.weight", f, d, 1 / Math.sqrt(d)), f, d);
                linear(w, h + "mlp.up_proj.weight", weights, ModelGenerator.values(spec, g + "ffn_up.weight", f, d, 1 / Math.sqrt(d)), f, d);
                linear(w, h + "mlp.down_proj.weight", weights, ModelGenerator.values(spec, g + "ffn_down.weight", d, f, 1 / Math.sqrt(f)), d, f);
            } else {
                int e = spec.experts();
                dense(w, h + "block_sparse_moe.gate.weight", side, ModelGenerator.values(spec, g + "ffn_gate_inp.weight", e, d, 1 / Math.sqrt(d)), e, d);
                float[] gate = ModelGenerator.values(spec, g + "ffn_gate_exps.weight", e * f, d, 1 / Math.sqrt(d));
                float[] up = ModelGenerator.values(spec, g + "ffn_up_exps.weight", e * f, d, 1 / Math.sqrt(d));
                float[] down = ModelGenerator.values(spec, g + "ffn_down_exps.weight", e * d, f, 1 / Math.sqrt(f));
                for (int x = 0; x < e; x++) {
                    String p = h + "block_sparse_moe.experts." + x + ".";
                    linear(w, p + "w1.weight", weights, slice(gate, x, f * d), f, d);
                    linear(w, p + "w3.weight", weights, slice(up, x, f * d), f, d);
                    linear(w, p + "w2.weight", weights, slice(down, x, d * f), d, f);
                }
            }
        }
        w.write(dir.resolve("model.safetensors"));
    }

    // GGUF row h*hd + 2i + j holds Hugging Face row h*hd + j*hd/2 + i (llama.cpp's converter permutes this way).
    static float[] unpermute(float[] gguf, int heads, int hd, int cols) {
        float[] hf = new float[gguf.length];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < hd / 2; i++) {
                for (int j = 0; j < 2; j++) {
                    System.arraycopy(gguf, (h * hd + 2 * i + j) * cols, hf, (h * hd + j * hd / 2 + i) * cols, cols);
                }
            }
        }
        return hf;
    }

    private static float[] slice(float[] all, int index, int size) {
        float[] out = new float[size];
        System.arraycopy(all, index * size, out, 0, size);
        return out;
    }

    private static void vector(SafetensorsWriter w, String name, Dtype dtype, float[] v) {
        w.add(name, dtype, new long[] {v.length}, encode(dtype, v));
    }

    private static void dense(SafetensorsWriter w, String name, Dtype dtype, float[] v, int rows, int cols) {
        w.add(name, dtype, new long[] {rows, cols}, encode(dtype, v));
    }

    // A linear layer's weight; FP8 as codes plus a weight_scale_inv tensor of 128x128 block scales.
    private static void linear(SafetensorsWriter w, String name, Dtype dtype, float[] v, int rows, int cols) {
        if (dtype != Dtype.F8_E4M3) {
            dense(w, name, dtype, v, rows, cols);
            return;
        }
        QuantFormat f = QuantFormat.FP8_E4M3_B128;
        byte[] packed = Quantizer.quantize(f, v, rows, cols);
        byte[] codes = java.util.Arrays.copyOf(packed, rows * cols);
        int scales = (int) f.scaleCount(rows, cols);
        byte[] scaleBytes = java.util.Arrays.copyOfRange(packed, (int) f.scalesOffset(rows, cols), (int) f.scalesOffset(rows, cols) + 4 * scales);
        w.add(name, Dtype.F8_E4M3, new long[] {rows, cols}, codes);
        w.add(name + "_scale_inv", Dtype.F32, new long[] {(rows + 127) / 128, (cols + 127) / 128}, scaleBytes);
    }

    private static byte[] encode(Dtype dtype, float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            switch (dtype) {
                case F32 -> b.putFloat(x);
                case F16 -> b.putShort(Float.floatToFloat16(x));
                case BF16 -> b.putShort(bf16(x));
                default -> throw new IllegalArgumentException(dtype.toString());
            }
        }
        return b.array();
    }

    private static short bf16(float x) {  // round to nearest even
        int bits = Float.floatToRawIntBits(x);
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    // Carries bos/eos_token_id and hidden_act as published Llama configs do (Jlama reads them from here).
    private static String config(ModelSpec s, Dtype weights, SyntheticVocab vocab) {
        boolean moe = s.experts() > 0;
        StringBuilder b = new StringBuilder("{\n");
        b.append("  \"architectures\": [\"").append(moe ? "MixtralForCausalLM" : "LlamaForCausalLM").append("\"],\n");
        b.append("  \"model_type\": \"").append(moe ? "mixtral" : "llama").append("\",\n");
        b.append(String.format(Locale.ROOT, "  \"hidden_size\": %d,%n  \"intermediate_size\": %d,%n  \"num_hidden_layers\": %d,%n", s.dim(), s.ffnDim(), s.layers()));
        b.append(String.format(Locale.ROOT, "  \"num_attention_heads\": %d,%n  \"num_key_value_heads\": %d,%n  \"head_dim\": %d,%n", s.heads(), s.kvHeads(), s.headDim()));
        b.append(String.format(Locale.ROOT, "  \"vocab_size\": %d,%n  \"max_position_embeddings\": %d,%n  \"rms_norm_eps\": %s,%n  \"rope_theta\": %s,%n",
                s.vocab(), s.contextLength(), Float.toString(s.rmsEps()), Float.toString(s.ropeBase())));
        b.append(String.format(Locale.ROOT, "  \"bos_token_id\": %d,%n  \"eos_token_id\": %d,%n  \"hidden_act\": \"silu\",%n", vocab.bos(), vocab.eos()));
        if (moe) b.append(String.format(Locale.ROOT, "  \"num_local_experts\": %d,%n  \"num_experts_per_tok\": %d,%n", s.experts(), s.expertsUsed()));
        if (weights == Dtype.F8_E4M3) {
            b.append("  \"quantization_config\": {\"quant_method\": \"fp8\", \"fmt\": \"e4m3\", \"activation_scheme\": \"dynamic\", \"weight_block_size\": [128, 128]},\n");
        }
        b.append("  \"tie_word_embeddings\": false,\n  \"torch_dtype\": \"").append(weights == Dtype.F32 ? "float32" : weights == Dtype.F16 ? "float16" : "bfloat16")
                .append("\"\n}\n");
        return b.toString();
    }

    // The tokenizer.json of a byte-level vocabulary whose pre-tokenizer is llama.cpp's pre.
    static String tokenizerJson(SyntheticVocab v, String pre) {
        StringBuilder b = new StringBuilder("{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[");
        String sep = "";
        for (int id : new int[] {v.bos(), v.eos()}) {
            b.append(sep).append("{\"id\":").append(id).append(",\"content\":").append(quote(v.tokens().get(id)))
                    .append(",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true}");
            sep = ",";
        }
        b.append("],\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Split\",\"pattern\":{\"Regex\":")
                .append(quote(HfTokenizerJson.splitPattern(pre))).append("},\"behavior\":\"Isolated\",\"invert\":false},{\"type\":\"ByteLevel\",\"add_prefix_space\":false,"
                        + "\"trim_offsets\":true,\"use_regex\":false}]},\"post_processor\":null,\"decoder\":{\"type\":\"ByteLevel\",\"add_prefix_space\":true,"
                        + "\"trim_offsets\":true,\"use_regex\":true},\"model\":{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":null,"
                        + "\"continuing_subword_prefix\":null,\"end_of_word_suffix\":null,\"fuse_unk\":false,\"byte_fallback\":false,\"ignore_merges\":true,"
                        + "\"vocab\":{");
        sep = "";
        for (int i = 0; i < v.tokens().size(); i++) {
            if (i == v.bos() || i == v.eos()) continue;  // added tokens live in added_tokens
            b.append(sep).append(quote(v.tokens().get(i))).append(':').append(i);
            sep = ",";
        }
        b.append("},\"merges\":[");
        sep = "";
        for (String m : v.merges()) {
            b.append(sep).append(quote(m));
            sep = ",";
        }
        return b.append("]}}\n").toString();
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20 || (c >= 0x7f && c < 0xa0)) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }
}
