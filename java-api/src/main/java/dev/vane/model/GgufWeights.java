package dev.vane.model;

import dev.vane.DType;
import dev.vane.FeedForward;
import dev.vane.QuantizedMatrix;
import dev.vane.RmsNorm;
import dev.vane.VaneException;
import dev.vane.model.gguf.GgufFile;
import dev.vane.model.gguf.GgufTensor;
import dev.vane.moe.Gating;
import dev.vane.moe.MoeLayer;
import dev.vane.quant.QuantFormat;
import dev.vane.quant.Quantizer;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Llama-layout GGUF file's tensors as {@link ModelWeights}: names and shapes as llama.cpp writes
 * them (token_embd, output_norm, output, blk.N.attn_q ..., ffn_gate_inp and the 3-D
 * ffn_*_exps for a mixture of experts), each checked against the hyperparameters.
 */
final class GgufWeights {
    private final GgufFile file;
    private final ModelConfig c;
    private final WeightHolder holder;

    private GgufWeights(GgufFile file, ModelConfig c, WeightFormat format, Arena arena) {
        this.file = file;
        this.c = c;
        this.holder = new WeightHolder(format, arena);
    }

    static ModelWeights load(GgufFile file, ModelConfig c, WeightFormat format, Arena arena) {
        return new GgufWeights(file, c, format, arena).load();
    }

    private ModelWeights load() {
        if (file.tensors().stream().anyMatch(t -> t.name().equals("rope_freqs.weight"))) {
            // Llama 3.1+ files scale each RoPE pair's frequency by this tensor; running without it
            // would give wrong attention at every position.
            throw new ModelFormatException("the file has rope_freqs.weight (per-pair RoPE frequency factors, Llama 3.1 and later), which Vane's RoPE "
                    + "does not apply yet");
        }
        QuantizedMatrix embedding = fileMatrix(tensor("token_embd.weight", c.dim(), c.vocab()));
        QuantizedMatrix output = file.tensors().stream().anyMatch(t -> t.name().equals("output.weight"))
                ? matrix("output.weight", c.vocab(), c.dim())
                : held(embedding, "token_embd.weight");  // tied embeddings
        List<ModelWeights.Layer> layers = new ArrayList<>();
        for (int l = 0; l < c.layers(); l++) {
            String b = "blk." + l + ".";
            FeedForward ffn = null;
            MoeLayer moe = null;
            if (c.moe()) {
                moe = moeLayer(b);
            } else {
                ffn = ffn(fileMatrix(tensor(b + "ffn_gate.weight", c.dim(), c.ffnDim())), fileMatrix(tensor(b + "ffn_up.weight", c.dim(), c.ffnDim())),
                        matrix(b + "ffn_down.weight", c.dim(), c.ffnDim()), b + "ffn_gate.weight", b + "ffn_up.weight");
            }
            String[] names = {b + "attn_q.weight", b + "attn_k.weight", b + "attn_v.weight"};
            WeightHolder.Joined qkv = holder.holdTogether(new QuantizedMatrix[] {fileMatrix(tensor(names[0], c.dim(), c.qDim())),
                    fileMatrix(tensor(names[1], c.dim(), c.kvDim())), fileMatrix(tensor(names[2], c.dim(), c.kvDim()))}, names);
            layers.add(new ModelWeights.Layer(norm(b + "attn_norm.weight"), qkv.parts()[0], qkv.parts()[1], qkv.parts()[2], qkv.joined(),
                    matrix(b + "attn_output.weight", c.dim(), c.qDim()), norm(b + "ffn_norm.weight"), ffn, moe));
        }
        return new ModelWeights(embedding, norm("output_norm.weight"), output, List.copyOf(layers));
    }

    private MoeLayer moeLayer(String b) {
        QuantizedMatrix router = fileMatrix(tensor(b + "ffn_gate_inp.weight", c.dim(), c.experts()));
        GgufTensor gate = tensor(b + "ffn_gate_exps.weight", c.dim(), c.ffnDim(), c.experts());
        GgufTensor up = tensor(b + "ffn_up_exps.weight", c.dim(), c.ffnDim(), c.experts());
        GgufTensor down = tensor(b + "ffn_down_exps.weight", c.ffnDim(), c.dim(), c.experts());
        List<FeedForward> experts = new ArrayList<>();
        for (int e = 0; e < c.experts(); e++) {
            experts.add(ffn(expertSlice(gate, e, c.ffnDim(), c.dim()), expertSlice(up, e, c.ffnDim(), c.dim()),
                    held(expertSlice(down, e, c.dim(), c.ffnDim()), down.name() + " expert " + e), gate.name() + " expert " + e,
                    up.name() + " expert " + e));
        }
        return new MoeLayer(router, experts, Gating.softmaxTopK(c.expertsUsed(), true));
    }

    // Expert e of a 3-D [experts][rows][cols] tensor, as stored (the whole tensor's scales checked once).
    private QuantizedMatrix expertSlice(GgufTensor t, int e, int rows, int cols) {
        QuantFormat f = vaneFormat(t);
        if (e == 0) checkScales(t, f, t.rows(), t.cols());
        long bytes = f.byteSize(rows, cols);
        return QuantizedMatrix.wrap(f, t.data().asSlice(e * bytes, bytes), rows, cols);
    }

    // A SwiGLU FFN with gate and up held back to back (libvane then runs them as one GEMM).
    private FeedForward ffn(QuantizedMatrix gate, QuantizedMatrix up, QuantizedMatrix down, String gateName, String upName) {
        QuantizedMatrix[] gu = holder.holdTogether(new QuantizedMatrix[] {gate, up}, new String[] {gateName, upName}).parts();
        return new FeedForward(gu[0], gu[1], down);
    }

    private GgufTensor tensor(String name, long... ne) {
        GgufTensor t = file.tensors().stream().filter(x -> x.name().equals(name)).findFirst()
                .orElseThrow(() -> new ModelFormatException("tensor '" + name + "' is missing (a " + (c.moe() ? "Mixtral-style" : "Llama")
                        + " model needs it)"));
        long[] have = t.ne();
        long[] want = ne;
        if (have.length > want.length && Arrays.stream(have, want.length, have.length).allMatch(d -> d == 1)) have = Arrays.copyOf(have, want.length);
        if (!Arrays.equals(have, want)) {
            throw new ModelFormatException("tensor '" + name + "' has shape " + Arrays.toString(t.ne()) + ", expected " + Arrays.toString(want)
                    + " (GGUF order, ne[0] first) for " + c);
        }
        return t;
    }

    private static QuantFormat vaneFormat(GgufTensor t) {
        QuantFormat f = t.type().vaneFormat();
        if (f == null) {
            throw new ModelFormatException("tensor '" + t.name() + "' is " + t.type() + "; Vane loads F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1,"
                    + " Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS and MXFP4 tensors");
        }
        return f;
    }

    // A file matrix, its scales checked (a NaN or Inf scale is a damaged or hostile file).
    private static QuantizedMatrix fileMatrix(GgufTensor t) {
        QuantFormat f = vaneFormat(t);
        QuantizedMatrix m = t.matrix();
        checkScales(t, f, m.rows(), m.cols());
        return m;
    }

    private static void checkScales(GgufTensor t, QuantFormat f, long rows, long cols) {
        try {
            Quantizer.checkScales(f, t.data(), rows, cols);
        } catch (VaneException e) {
            throw new ModelFormatException("tensor '" + t.name() + "' (" + t.type() + ") has a block that cannot be used: " + e.getMessage(), e);
        }
    }

    // A 2-D weight in the format it is held in.
    private QuantizedMatrix matrix(String name, int rows, int cols) {
        return held(fileMatrix(tensor(name, cols, rows)), name);
    }

    private QuantizedMatrix held(QuantizedMatrix m, String name) {
        return holder.hold(m, name);
    }

    // A norm weight [dim] as F32.
    private RmsNorm norm(String name) {
        GgufTensor t = tensor(name, c.dim());
        DType dtype = switch (t.type()) {
            case F32 -> DType.F32;
            case F16 -> DType.F16;
            case BF16 -> DType.BF16;
            default -> throw new ModelFormatException("norm weight '" + name + "' is " + t.type() + "; expected F32, F16 or BF16");
        };
        return holder.norm(t.data(), dtype, c.dim(), c.rmsEps(), name);
    }
}
