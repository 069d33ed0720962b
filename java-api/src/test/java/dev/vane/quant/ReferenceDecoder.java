package dev.vane.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An independent float64 reading of every layout in docs/FORMATS.md, written from the document
 * rather than from libvane's code: if native dequantization disagrees with it, one of them has
 * the layout wrong.
 */
final class ReferenceDecoder {
    private ReferenceDecoder() {}

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /**
     * The Q4_0 bytes of a q4_0x8 matrix, read as vane.h lays it out: per group of 8 rows and
     * 32 columns, 8 fp16 scales, then 4 chunks of 32 bytes, chunk j holding code bytes
     * 4j..4j+3 of rows 0..7 in turn.
     */
    static MemorySegment q4_0x8ToQ4_0(MemorySegment q, int rows, int cols) {
        int nb = cols / 32;
        MemorySegment out = MemorySegment.ofArray(new byte[rows * nb * 18]);
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < nb; b++) {
                long src = ((long) (r / 8) * nb + b) * 144, dst = ((long) r * nb + b) * 18;
                MemorySegment.copy(q, src + 2 * (r % 8), out, dst, 2);
                for (int j = 0; j < 4; j++) MemorySegment.copy(q, src + 16 + 32 * j + 4 * (r % 8), out, dst + 2 + 4 * j, 4);
            }
        }
        return out;
    }

    static double[] decode(QuantFormat f, MemorySegment q, int rows, int cols) {
        if (f == QuantFormat.Q4_0_X8) return decode(QuantFormat.Q4_0, q4_0x8ToQ4_0(q, rows, cols), rows, cols);
        double[] out = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) out[r * cols + c] = element(f, q, rows, cols, r, c);
        }
        return out;
    }

    static double element(QuantFormat f, MemorySegment q, int rows, int cols, int r, int c) {
        long i = (long) r * cols + c;
        switch (f) {
            case F32: return q.get(F32, 4 * i);
            case F16: return Float.float16ToFloat(q.get(U16, 2 * i));
            case BF16: return Float.intBitsToFloat((q.get(U16, 2 * i) & 0xFFFF) << 16);
            case FP8_E4M3_ROW: case FP8_E4M3_B128: {
                double code = Fp8.decodeE4M3(q.get(ValueLayout.JAVA_BYTE, i));
                long tilesPerRow = f.scaleCols() == 0 ? 1 : (cols + f.scaleCols() - 1) / f.scaleCols();
                long tile = (r / f.scaleRows()) * tilesPerRow + (f.scaleCols() == 0 ? 0 : c / f.scaleCols());
                return code * q.get(F32, f.scalesOffset(rows, cols) + 4 * tile);
            }
            default: break;
        }
        int g = f.blockElements();
        long block = ((long) r * (cols / g) + c / g) * f.blockBytes();
        int j = c % g;
        return switch (f) {
            case INT4_SYM_G32, INT4_SYM_G64, INT4_SYM_G128, Q4_0 ->
                    (nibble(q, block + 2, j, g) - 8) * (double) half(q, block);
            case INT4_ASYM_G32, INT4_ASYM_G64, INT4_ASYM_G128 ->
                    nibble(q, block + 4, j, g) * (double) half(q, block) + half(q, block + 2);
            case INT8_G32, INT8_G64, INT8_G128 -> q.get(ValueLayout.JAVA_BYTE, block + 4 + j) * (double) q.get(F32, block);
            case Q8_0 -> q.get(ValueLayout.JAVA_BYTE, block + 2 + j) * (double) half(q, block);
            default -> throw new AssertionError(f);
        };
    }

    /** Byte j of the nibbles holds element j (low) and element j + g/2 (high). */
    static int nibble(MemorySegment q, long qs, int j, int g) {
        int half = g / 2;
        int b = q.get(ValueLayout.JAVA_BYTE, qs + (j % half)) & 0xFF;
        return j < half ? b & 0xF : b >> 4;
    }

    static float half(MemorySegment q, long offset) {
        return Float.float16ToFloat(q.get(U16, offset));
    }
}
