package dev.vane.model;

import dev.vane.DType;
import dev.vane.FeedForward;
import dev.vane.QuantizedMatrix;
import dev.vane.RmsNorm;
import dev.vane.model.safetensors.SafetensorsFile;
import dev.vane.moe.Gating;
import dev.vane.moe.MoeLayer;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Hugging Face checkpoint's tensors (one or more .safetensors shards) as {@link ModelWeights}:
 * model.embed_tokens, model.layers.N.{input_layernorm, self_attn.{q,k,v,o}_proj,
 * post_attention_layernorm, mlp.{gate,up,down}_proj}, model.norm, lm_head (or the embeddings,
 * tied); Mixtral's block_sparse_moe.gate and experts.E.{w1,w3,w2}. F32/F16/BF16 weights are used
 * in place; F8_E4M3 weights with their weight_scale_inv / weight_scale companions become Vane FP8
 * matrices.
 */
final class SafetensorsWeights {
    private final List<SafetensorsFile> shards;
    private final ModelConfig c;
    private final WeightHolder holder;
    private final Arena arena;
    private final boolean tied;

    private SafetensorsWeights(List<SafetensorsFile> shards, ModelConfig c, WeightFormat format, Arena arena, boolean tied) {
        this.shards = shards;
        this.c = c;
        this.holder = new WeightHolder(format, arena);
        this.arena = arena;
        this.tied = tied;
    }

    static ModelWeights load(List<SafetensorsFile> shards, ModelConfig c, WeightFormat format, Arena arena, boolean tiedEmbeddings) {
        return new SafetensorsWeights(shards, c, format, arena, tiedEmbeddings).load();
    }

    private ModelWeights load() {
        QuantizedMatrix embedding = holder.rowReadable(fileMatrix("model.embed_tokens.weight", c.vocab(), c.dim()), "model.embed_tokens.weight");
        QuantizedMatrix output = !tied && find("lm_head.weight") != null ? matrix("lm_head.weight", c.vocab(), c.dim())
                : holder.hold(fileMatrix("model.embed_tokens.weight", c.vocab(), c.dim()), "model.embed_tokens.weight");
        List<ModelWeights.Layer> layers = new ArrayList<>();
        for (int l = 0; l < c.layers(); l++) {
            String b = "model.layers." + l + ".";
            FeedForward ffn = null;
            MoeLayer moe = null;
            if (c.moe()) {
                List<FeedForward> experts = new ArrayList<>();
                for (int e = 0; e < c.experts(); e++) {
                    String x = b + "block_sparse_moe.experts." + e + ".";
                    experts.add(ffn(x + "w1.weight", x + "w3.weight", x + "w2.weight"));
                }
                moe = new MoeLayer(fileMatrix(b + "block_sparse_moe.gate.weight", c.experts(), c.dim()), experts,
                        Gating.softmaxTopK(c.expertsUsed(), true));
            } else {
                ffn = ffn(b + "mlp.gate_proj.weight", b + "mlp.up_proj.weight", b + "mlp.down_proj.weight");
            }
            String[] names = {b + "self_attn.q_proj.weight", b + "self_attn.k_proj.weight", b + "self_attn.v_proj.weight"};
            WeightHolder.Joined qkv = holder.holdTogether(new QuantizedMatrix[] {fileMatrix(names[0], c.qDim(), c.dim()),
                    fileMatrix(names[1], c.kvDim(), c.dim()), fileMatrix(names[2], c.kvDim(), c.dim())}, names);
            layers.add(new ModelWeights.Layer(norm(b + "input_layernorm.weight"), qkv.parts()[0], qkv.parts()[1], qkv.parts()[2], qkv.joined(),
                    matrix(b + "self_attn.o_proj.weight", c.dim(), c.qDim()), norm(b + "post_attention_layernorm.weight"), ffn, moe));
        }
        return new ModelWeights(embedding, norm("model.norm.weight"), output, List.copyOf(layers));
    }

    private SafetensorsFile find(String name) {
        for (SafetensorsFile f : shards) if (f.tensors().containsKey(name)) return f;
        return null;
    }

    private SafetensorsFile.Tensor tensor(String name, long... shape) {
        SafetensorsFile f = find(name);
        if (f == null) throw new ModelFormatException("tensor '" + name + "' is missing (a " + (c.moe() ? "Mixtral" : "Llama") + " checkpoint needs it)");
        SafetensorsFile.Tensor t = f.tensor(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new ModelFormatException("tensor '" + name + "' has shape " + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(shape));
        }
        return t;
    }

    // The tensor as stored: F32/F16/BF16 in place (copied if unaligned), F8_E4M3 with its scales.
    private QuantizedMatrix fileMatrix(String name, int rows, int cols) {
        SafetensorsFile.Tensor t = tensor(name, rows, cols);
        SafetensorsFile f = find(name);
        try {
            return switch (t.dtype()) {
                case F32, F16, BF16 -> f.matrix(name, arena);
                case F8_E4M3 -> f.fp8Matrix(name, arena);
                default -> throw new ModelFormatException("tensor '" + name + "' is " + t.dtype() + "; Vane loads F32, F16, BF16 and F8_E4M3 weights");
            };
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(e.getMessage(), e);
        }
    }

    // A SwiGLU FFN with gate and up held back to back (libvane then runs them as one GEMM).
    private FeedForward ffn(String gate, String up, String down) {
        QuantizedMatrix[] gu = holder.holdTogether(new QuantizedMatrix[] {fileMatrix(gate, c.ffnDim(), c.dim()), fileMatrix(up, c.ffnDim(), c.dim())},
                new String[] {gate, up}).parts();
        return new FeedForward(gu[0], gu[1], matrix(down, c.dim(), c.ffnDim()));
    }

    private QuantizedMatrix matrix(String name, int rows, int cols) {
        return holder.hold(fileMatrix(name, rows, cols), name);
    }

    private RmsNorm norm(String name) {
        SafetensorsFile.Tensor t = tensor(name, c.dim());
        DType dtype = switch (t.dtype()) {
            case F32 -> DType.F32;
            case F16 -> DType.F16;
            case BF16 -> DType.BF16;
            default -> throw new ModelFormatException("norm weight '" + name + "' is " + t.dtype() + "; expected F32, F16 or BF16");
        };
        return holder.norm(t.data(), dtype, c.dim(), c.rmsEps(), name);
    }
}
