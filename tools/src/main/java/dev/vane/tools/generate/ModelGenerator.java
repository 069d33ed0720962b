package dev.vane.tools.generate;

import dev.vane.model.gguf.GgmlType;
import dev.vane.model.tokenizer.Vocabulary;
import dev.vane.quant.QuantFormat;
import dev.vane.quant.Quantizer;
import dev.vane.tools.gguf.GgufWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes model files with seeded random weights: a GGUF in llama.cpp's "llama" layout (Mixtral
 * style when the spec has experts) with a {@link SyntheticVocab}. The same spec always gives the
 * same bytes. Weights are uniform with a standard deviation of 1/sqrt(fan-in) (the output matrix
 * 4/sqrt(dim), so that logits are peaked enough for greedy decoding to be well defined); norm
 * weights are near 1. Tensors are generated row-chunk by row-chunk while the file is written,
 * so a model of any size needs little heap.
 */
public final class ModelGenerator {
    private static final int CHUNK_ROWS = 256;

    private ModelGenerator() {}

    /** Writes spec as a GGUF v3 file at path. */
    public static void writeGguf(ModelSpec spec, Path path) throws IOException {
        writeGguf(spec, synthetic(spec), path);
    }

    /**
     * Writes spec's random weights with a given vocabulary (of spec.vocab() tokens) instead of the
     * generated one: how tests give llama.cpp a real tokenizer (it loads a vocabulary only with a model).
     */
    public static void writeGguf(ModelSpec spec, Vocabulary vocab, Path path) throws IOException {
        if (vocab.size() != spec.vocab()) throw new IllegalArgumentException("the vocabulary has " + vocab.size() + " tokens, the spec " + spec.vocab());
        String kind = spec.tokenizer() == ModelSpec.TokenizerKind.SPM ? Vocabulary.SPM : Vocabulary.BPE;
        if (!vocab.model().equals(kind)) throw new IllegalArgumentException("the vocabulary is a '" + vocab.model() + "' one, the spec says " + spec.tokenizer());
        GgufWriter w = new GgufWriter();
        String arch = "llama";
        w.putString("general.architecture", arch);
        w.putString("general.name", (spec.experts() > 0 ? "vane-generated-mixtral" : "vane-generated-llama") + "-seed" + spec.seed());
        w.putUint32("general.file_type", fileType(spec.weights()));
        w.putUint32(arch + ".context_length", spec.contextLength());
        w.putUint32(arch + ".embedding_length", spec.dim());
        w.putUint32(arch + ".block_count", spec.layers());
        w.putUint32(arch + ".feed_forward_length", spec.ffnDim());
        w.putUint32(arch + ".attention.head_count", spec.heads());
        w.putUint32(arch + ".attention.head_count_kv", spec.kvHeads());
        w.putUint32(arch + ".rope.dimension_count", spec.headDim());
        w.putFloat32(arch + ".rope.freq_base", spec.ropeBase());
        w.putFloat32(arch + ".attention.layer_norm_rms_epsilon", spec.rmsEps());
        w.putUint32(arch + ".vocab_size", spec.vocab());
        if (spec.experts() > 0) {
            w.putUint32(arch + ".expert_count", spec.experts());
            w.putUint32(arch + ".expert_used_count", spec.expertsUsed());
        }
        w.putVocabulary(vocab);

        int d = spec.dim(), hd = spec.headDim();
        GgmlType t = spec.weights();
        matrix(w, spec, "token_embd.weight", t, spec.vocab(), d, 1.0);
        vector(w, spec, "output_norm.weight", d);
        matrix(w, spec, "output.weight", t, spec.vocab(), d, 4.0 / Math.sqrt(d));
        for (int l = 0; l < spec.layers(); l++) {
            String b = "blk." + l + ".";
            vector(w, spec, b + "attn_norm.weight", d);
            matrix(w, spec, b + "attn_q.weight", t, spec.heads() * hd, d, 1 / Math.sqrt(d));
            matrix(w, spec, b + "attn_k.weight", t, spec.kvHeads() * hd, d, 1 / Math.sqrt(d));
            matrix(w, spec, b + "attn_v.weight", t, spec.kvHeads() * hd, d, 1 / Math.sqrt(d));
            matrix(w, spec, b + "attn_output.weight", t, d, spec.heads() * hd, 1 / Math.sqrt(spec.heads() * hd));
            vector(w, spec, b + "ffn_norm.weight", d);
            if (spec.experts() == 0) {
                matrix(w, spec, b + "ffn_gate.weight", t, spec.ffnDim(), d, 1 / Math.sqrt(d));
                matrix(w, spec, b + "ffn_up.weight", t, spec.ffnDim(), d, 1 / Math.sqrt(d));
                matrix(w, spec, b + "ffn_down.weight", t, d, spec.ffnDim(), 1 / Math.sqrt(spec.ffnDim()));
            } else {
                matrix(w, spec, b + "ffn_gate_inp.weight", GgmlType.F32, spec.experts(), d, 1 / Math.sqrt(d));
                experts(w, spec, b + "ffn_gate_exps.weight", spec.ffnDim(), d);
                experts(w, spec, b + "ffn_up_exps.weight", spec.ffnDim(), d);
                experts(w, spec, b + "ffn_down_exps.weight", d, spec.ffnDim());
            }
        }
        w.write(path);
    }

    // llama.cpp's LLAMA_FTYPE of a file whose matrices are all of one type.
    private static int fileType(GgmlType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            default -> throw new IllegalArgumentException(t.toString());
        };
    }

    private static Vocabulary synthetic(ModelSpec spec) {
        boolean spm = spec.tokenizer() == ModelSpec.TokenizerKind.SPM;
        return spm ? SyntheticVocab.spm(spec.vocab(), spec.seed()).spmVocabulary(true)
                : SyntheticVocab.bpe(spec.vocab(), spec.seed()).bpeVocabulary("llama-bpe", true);
    }

    static SplittableRandom random(ModelSpec spec, String name) {
        return new SplittableRandom(spec.seed() * 0x9E3779B97F4A7C15L ^ name.hashCode());
    }

    // A norm weight: 1 +- 0.1.
    private static void vector(GgufWriter w, ModelSpec spec, String name, int n) {
        w.addTensor(name, GgmlType.F32, new long[] {n}, out -> {
            SplittableRandom r = random(spec, name);
            ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) b.putFloat((float) (1 + 0.2 * (r.nextDouble() - 0.5)));
            out.write(b.array());
        });
    }

    // A [rows, cols] matrix (ne {cols, rows}) of uniform values with standard deviation std.
    private static void matrix(GgufWriter w, ModelSpec spec, String name, GgmlType type, long rows, int cols, double std) {
        w.addTensor(name, type, new long[] {cols, rows}, out -> writeRows(out, random(spec, name), type, rows, cols, std));
    }

    // n_experts [rows, cols] matrices in one 3-D tensor (ne {cols, rows, experts}), as llama.cpp stores them.
    private static void experts(GgufWriter w, ModelSpec spec, String name, int rows, int cols) {
        GgmlType type = spec.weights();
        w.addTensor(name, type, new long[] {cols, rows, spec.experts()},
                out -> writeRows(out, random(spec, name), type, (long) rows * spec.experts(), cols, 1 / Math.sqrt(cols)));
    }

    private static void writeRows(OutputStream out, SplittableRandom r, GgmlType type, long rows, int cols, double std) throws IOException {
        writeRows(out, r, type, rows, cols, 0, std);
    }

    // rows of values uniform around mean with standard deviation std, generated and encoded CHUNK_ROWS at a time.
    static void writeRows(OutputStream out, SplittableRandom r, GgmlType type, long rows, int cols, double mean, double std) throws IOException {
        double half = std * Math.sqrt(3);  // uniform on [-half, half] has this standard deviation
        for (long row = 0; row < rows; row += CHUNK_ROWS) {
            int n = (int) Math.min(CHUNK_ROWS, rows - row);
            float[] values = new float[n * cols];
            for (int i = 0; i < values.length; i++) values[i] = (float) (mean + (r.nextDouble() * 2 - 1) * half);
            out.write(encode(type, values, n, cols));
        }
    }

    // [rows, cols] values as type's bytes: F32 and F16 as they are, block types by Vane's reference quantizer.
    static byte[] encode(GgmlType type, float[] values, int rows, int cols) {
        return switch (type) {
            case F32 -> {
                ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) b.putFloat(v);
                yield b.array();
            }
            case F16 -> {
                ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) b.putShort(Float.floatToFloat16(v));
                yield b.array();
            }
            default -> {
                QuantFormat f = type.vaneFormat();
                if (f == null) throw new IllegalArgumentException("the generator cannot encode " + type);
                yield Quantizer.quantize(f, values, rows, cols);
            }
        };
    }

    /** A whole [rows, cols] matrix of the values matrix() writes for name (the same generator sequence). */
    static float[] values(ModelSpec spec, String name, int rows, int cols, double std) {
        SplittableRandom r = random(spec, name);
        double half = std * Math.sqrt(3);
        float[] v = new float[Math.multiplyExact(rows, cols)];
        for (int i = 0; i < v.length; i++) v[i] = (float) ((r.nextDouble() * 2 - 1) * half);
        return v;
    }

    /** A norm weight's values, as vector() writes them. */
    static float[] normValues(ModelSpec spec, String name, int n) {
        SplittableRandom r = random(spec, name);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (1 + 0.2 * (r.nextDouble() - 0.5));
        return v;
    }
}
