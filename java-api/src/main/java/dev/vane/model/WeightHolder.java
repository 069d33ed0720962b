package dev.vane.model;

import dev.vane.QuantizedMatrix;
import dev.vane.Tensor;
import dev.vane.model.gguf.GgmlType;
import dev.vane.model.quantize.TypeMix;
import dev.vane.quant.QuantFormat;
import dev.vane.quant.Quantizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Puts a model file's tensors into the form a {@link WeightFormat} asks for, whatever the file
 * format: matrices as stored (zero-copy) or requantized into the model's arena, Q4_0, Q4_K, Q6_K,
 * IQ4_XS and IQ4_NL repacked into their x8 layouts (QuantFormat.repackedFormat).
 */
final class WeightHolder {
    private final WeightFormat format;
    private final Arena arena;

    WeightHolder(WeightFormat format, Arena arena) {
        this.format = format;
        this.arena = arena;
    }

    /** The file's matrix as the weight format asks: as is (the formats with an x8 layout repacked), or requantized. */
    QuantizedMatrix hold(QuantizedMatrix m, String name) {
        QuantFormat target = target(m);
        QuantizedMatrix out = target == m.format() ? m : convert(m, target, name);
        if (out.format().repackedFormat() != null && out.rows() % 8 == 0) out = out.repack(arena);
        return out;
    }

    // The format m is requantized to: the asked one, or, when m's width is not a multiple of its
    // group, the same family's largest group that divides it (int4 g128 -> g64 -> g32), and for
    // GGUF's 256-column types the type llama.cpp's quantizer falls back to (Q4_K -> Q5_0, ...).
    // Model.heldFormats() shows what was held.
    private QuantFormat target(QuantizedMatrix m) {
        if (format.asIs()) return m.format();
        QuantFormat t = format.target();
        if (t.planar() || m.cols() % t.blockElements() == 0) return t;
        for (QuantFormat smaller : FALLBACKS.getOrDefault(t, java.util.List.of())) if (m.cols() % smaller.blockElements() == 0) return smaller;
        GgmlType gguf = GgmlType.of(t);
        if (gguf != null && gguf.blockElements() == 256) {
            QuantFormat fit = TypeMix.fitRow(gguf, m.cols()).vaneFormat();
            if (fit != null) return fit;
        }
        return t;  // nothing fits: convert() reports the shape
    }

    private static final java.util.Map<QuantFormat, java.util.List<QuantFormat>> FALLBACKS = java.util.Map.of(
            QuantFormat.INT4_SYM_G128, java.util.List.of(QuantFormat.INT4_SYM_G64, QuantFormat.INT4_SYM_G32),
            QuantFormat.INT4_SYM_G64, java.util.List.of(QuantFormat.INT4_SYM_G32),
            QuantFormat.INT4_ASYM_G128, java.util.List.of(QuantFormat.INT4_ASYM_G64, QuantFormat.INT4_ASYM_G32),
            QuantFormat.INT4_ASYM_G64, java.util.List.of(QuantFormat.INT4_ASYM_G32),
            QuantFormat.INT8_G128, java.util.List.of(QuantFormat.INT8_G64, QuantFormat.INT8_G32),
            QuantFormat.INT8_G64, java.util.List.of(QuantFormat.INT8_G32));

    /** Matrices held back to back, and the one matrix they form (null when they cannot form one). */
    record Joined(QuantizedMatrix[] parts, QuantizedMatrix joined) {}

    /**
     * Matrices of one width held (as {@link #hold} would hold each) back to back in one
     * allocation, so that one GEMM runs them all: attention's Q, K and V, the FFN's gate and up
     * (libvane's FFN notices the adjacency). One pass over the thread pool instead of several
     * matters at decode, where each GEMV is short. Only matrices that are copied anyway (repacked
     * or requantized) are joined: those used where the file maps them stay there (zero-copy), as
     * do planar formats (FP8, scales after all codes) and mixed ones.
     */
    Joined holdTogether(QuantizedMatrix[] ms, String[] names) {
        QuantFormat f = heldFormat(ms[0]);
        boolean joinable = !f.planar();
        boolean copied = true;  // matrices used where the file maps them are not copied just to join them
        for (QuantizedMatrix m : ms) {
            joinable &= heldFormat(m) == f && m.cols() == ms[0].cols() && m.rows() % f.rowGroup() == 0;
            copied &= heldFormat(m) != m.format();
        }
        joinable &= copied;
        QuantizedMatrix[] out = new QuantizedMatrix[ms.length];
        if (!joinable) {
            for (int i = 0; i < ms.length; i++) out[i] = hold(ms[i], names[i]);
            return new Joined(out, null);
        }
        long total = 0, rows = 0;
        for (QuantizedMatrix m : ms) {
            total += f.byteSize(m.rows(), m.cols());
            rows += m.rows();
        }
        MemorySegment all = arena.allocate(total, 64);
        long at = 0;
        for (int i = 0; i < ms.length; i++) {
            try (Arena scratch = Arena.ofConfined()) {
                QuantizedMatrix held = new WeightHolder(format, scratch).hold(ms[i], names[i]);
                MemorySegment dst = all.asSlice(at, held.segment().byteSize());
                dst.copyFrom(held.segment());
                out[i] = QuantizedMatrix.wrap(f, dst, held.rows(), held.cols());
                at += held.segment().byteSize();
            }
        }
        return new Joined(out, QuantizedMatrix.wrap(f, all, rows, ms[0].cols()));
    }

    // The format hold() gives m.
    private QuantFormat heldFormat(QuantizedMatrix m) {
        QuantFormat f = target(m);
        return f.repackedFormat() != null && m.rows() % 8 == 0 ? f.repackedFormat() : f;
    }

    /** The embedding table, whose rows are read one at a time: planar formats (FP8 with trailing scales) become F16. */
    QuantizedMatrix rowReadable(QuantizedMatrix m, String name) {
        return m.format().planar() ? convert(m, QuantFormat.F16, name) : m;
    }

    private QuantizedMatrix convert(QuantizedMatrix m, QuantFormat target, String name) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment f32 = scratch.allocate(m.rows() * m.cols() * 4, 64);
            Quantizer.dequantize(m.format(), m.segment(), m.rows(), m.cols(), f32);
            return QuantizedMatrix.quantize(target, Tensor.wrap(f32, m.rows(), m.cols()), arena);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException("tensor '" + name + "' [" + m.rows() + ", " + m.cols() + "] cannot be held as " + target.formatName()
                    + ": " + e.getMessage(), e);
        }
    }
}
