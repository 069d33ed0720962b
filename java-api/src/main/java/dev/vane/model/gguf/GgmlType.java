package dev.vane.model.gguf;

import dev.vane.quant.QuantFormat;

/**
 * Tensor element types of GGUF files (ggml's type ids), with their block geometry. Vane reads the
 * bytes of every type; {@link #vaneFormat()} names those Vane's kernels take as they are.
 */
public enum GgmlType {
    F32(0, 1, 4), F16(1, 1, 2), Q4_0(2, 32, 18), Q4_1(3, 32, 20), Q5_0(6, 32, 22), Q5_1(7, 32, 24), Q8_0(8, 32, 34), Q8_1(9, 32, 36),
    Q2_K(10, 256, 84), Q3_K(11, 256, 110), Q4_K(12, 256, 144), Q5_K(13, 256, 176), Q6_K(14, 256, 210), Q8_K(15, 256, 292),
    IQ2_XXS(16, 256, 66), IQ2_XS(17, 256, 74), IQ3_XXS(18, 256, 98), IQ1_S(19, 256, 50), IQ4_NL(20, 32, 18), IQ3_S(21, 256, 110),
    IQ2_S(22, 256, 82), IQ4_XS(23, 256, 136), I8(24, 1, 1), I16(25, 1, 2), I32(26, 1, 4), I64(27, 1, 8), F64(28, 1, 8),
    IQ1_M(29, 256, 56), BF16(30, 1, 2), TQ1_0(34, 256, 54), TQ2_0(35, 256, 66), MXFP4(39, 32, 17);

    private final int id;
    private final int blockElements;
    private final int blockBytes;

    GgmlType(int id, int blockElements, int blockBytes) {
        this.id = id;
        this.blockElements = blockElements;
        this.blockBytes = blockBytes;
    }

    public int id() {
        return id;
    }

    /** Elements per block (1 for plain types). */
    public int blockElements() {
        return blockElements;
    }

    /** Bytes per block (the element size for plain types). */
    public int blockBytes() {
        return blockBytes;
    }

    /** The Vane weight format with the same bytes, or null if Vane's kernels do not take this type as is. */
    public QuantFormat vaneFormat() {
        return switch (this) {
            case F32 -> QuantFormat.F32;
            case F16 -> QuantFormat.F16;
            case BF16 -> QuantFormat.BF16;
            case Q4_0 -> QuantFormat.Q4_0;
            case Q8_0 -> QuantFormat.Q8_0;
            case Q4_1 -> QuantFormat.Q4_1;
            case Q5_0 -> QuantFormat.Q5_0;
            case Q5_1 -> QuantFormat.Q5_1;
            case Q2_K -> QuantFormat.Q2_K;
            case Q3_K -> QuantFormat.Q3_K;
            case Q4_K -> QuantFormat.Q4_K;
            case Q5_K -> QuantFormat.Q5_K;
            case Q6_K -> QuantFormat.Q6_K;
            case IQ4_NL -> QuantFormat.IQ4_NL;
            case IQ4_XS -> QuantFormat.IQ4_XS;
            case MXFP4 -> QuantFormat.MXFP4;
            default -> null;
        };
    }

    /** The GGUF type whose bytes are this Vane format's, or null (Vane's own formats). */
    public static GgmlType of(QuantFormat f) {
        for (GgmlType t : values()) if (t.vaneFormat() == f) return t;
        return null;
    }

    /** The type with this id, or null if unknown. */
    public static GgmlType ofId(long id) {
        for (GgmlType t : values()) if (t.id == id) return t;
        return null;
    }
}
