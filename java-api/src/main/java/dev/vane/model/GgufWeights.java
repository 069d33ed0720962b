package dev.vane.model;

import dev.vane.DType;
import dev.vane.FeedForward;
import dev.vane.QuantizedMatrix;
import dev.vane.RmsNorm;
import dev.vane.Tensor;
import dev.vane.model.gguf.GgmlType;
import dev.vane.model.gguf.GgufFile;
import dev.vane.model.gguf.GgufTensor;
import dev.vane.moe.Gating;
import dev.vane.moe.MoeLayer;
import dev.vane.quant.QuantFormat;
import dev.vane.quant.Quantizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
    private final WeightFormat format;
    private final Arena arena;

    private GgufWeights(GgufFile file, ModelConfig c, WeightFormat format, Arena arena) {
        this.file = file;
        this.c = c;
        this.format = format;
        this.arena = arena;
    }

    static ModelWeights load(GgufFile file, ModelConfig c, WeightFormat format, Arena arena) {
        return new GgufWeights(file, c, format, arena).load();
    }

    private ModelWeights load() {
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
                ffn = new FeedForward(matrix(b + "ffn_gate.weight", c.ffnDim(), c.dim()), matrix(b + "ffn_up.weight", c.ffnDim(), c.dim()),
                        matrix(b + "ffn_down.weight", c.dim(), c.ffnDim()));
            }
            layers.add(new ModelWeights.Layer(norm(b + "attn_norm.weight"), matrix(b + "attn_q.weight", c.qDim(), c.dim()),
                    matrix(b + "attn_k.weight", c.kvDim(), c.dim()), matrix(b + "attn_v.weight", c.kvDim(), c.dim()),
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
            experts.add(new FeedForward(expert(gate, e, c.ffnDim(), c.dim()), expert(up, e, c.ffnDim(), c.dim()),
                    expert(down, e, c.dim(), c.ffnDim())));
        }
        return new MoeLayer(router, experts, Gating.softmaxTopK(c.expertsUsed(), true));
    }

    // Expert e of a 3-D [experts][rows][cols] tensor.
    private QuantizedMatrix expert(GgufTensor t, int e, int rows, int cols) {
        QuantFormat f = vaneFormat(t);
        long bytes = f.byteSize(rows, cols);
        QuantizedMatrix m = QuantizedMatrix.wrap(f, t.data().asSlice(e * bytes, bytes), rows, cols);
        return held(m, t.name() + " expert " + e);
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
            throw new ModelFormatException("tensor '" + t.name() + "' is " + t.type() + "; Vane loads F32, F16, BF16, Q8_0 and Q4_0 tensors");
        }
        return f;
    }

    private static QuantizedMatrix fileMatrix(GgufTensor t) {
        vaneFormat(t);
        return t.matrix();
    }

    // A 2-D weight in the format it is held in.
    private QuantizedMatrix matrix(String name, int rows, int cols) {
        return held(fileMatrix(tensor(name, cols, rows)), name);
    }

    // The file's matrix as the weight format asks: as is (Q4_0 repacked), or requantized.
    private QuantizedMatrix held(QuantizedMatrix m, String name) {
        QuantFormat target = format.asIs() ? m.format() : format.target();
        QuantizedMatrix out = m;
        if (target != m.format()) {
            try (Arena scratch = Arena.ofConfined()) {
                MemorySegment f32 = scratch.allocate(m.rows() * m.cols() * 4, 64);
                Quantizer.dequantize(m.format(), m.segment(), m.rows(), m.cols(), f32);
                try (Tensor t = Tensor.wrap(f32, m.rows(), m.cols())) {
                    out = QuantizedMatrix.quantize(target, t, arena);
                }
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException("tensor '" + name + "' [" + m.rows() + ", " + m.cols() + "] cannot be held as " + target.formatName()
                        + ": " + e.getMessage(), e);
            }
        }
        if (out.format() == QuantFormat.Q4_0 && out.rows() % 8 == 0) out = out.repack(arena);
        return out;
    }

    // A norm weight [dim] as F32 (copied from F16/BF16).
    private RmsNorm norm(String name) {
        GgufTensor t = tensor(name, c.dim());
        Tensor w;
        if (t.type() == GgmlType.F32) {
            w = Tensor.wrap(t.data(), c.dim());
        } else if (t.type() == GgmlType.F16 || t.type() == GgmlType.BF16) {
            w = Tensor.allocate(arena, c.dim());
            try (Tensor src = Tensor.wrap(t.data(), t.type() == GgmlType.F16 ? DType.F16 : DType.BF16, c.dim())) {
                for (int i = 0; i < c.dim(); i++) w.segment().setAtIndex(ValueLayout.JAVA_FLOAT, i, src.get(i));
            }
        } else {
            throw new ModelFormatException("norm weight '" + name + "' is " + t.type() + "; expected F32, F16 or BF16");
        }
        return new RmsNorm(w, c.rmsEps());
    }
}
