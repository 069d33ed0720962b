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

    /**
     * The Q4_K block (144 bytes) holding element (r, c) of a q4_kx8 matrix, read as vane.h lays it
     * out: per group of 8 rows and 256 columns, fp16 d[8], fp16 dmin[8], then per sub-block s 16
     * bytes (the 8 rows' 6-bit scales, then their 6-bit minimums), then 32 chunks of 32 bytes,
     * chunk j holding code bytes 4j..4j+3 of rows 0..7 in turn. The scales and minimums are packed
     * back into Q4_K's 12 bytes the way its decoder unpacks them (docs/FORMATS.md, q4_k).
     */
    static MemorySegment q4_kx8Block(MemorySegment q, int cols, int r, int c) {
        int nb = cols / 256, i = r % 8;
        long src = ((long) (r / 8) * nb + c / 256) * 1184;
        byte[] out = new byte[144];
        MemorySegment o = MemorySegment.ofArray(out);
        MemorySegment.copy(q, src + 2 * i, o, 0, 2);
        MemorySegment.copy(q, src + 16 + 2 * i, o, 2, 2);
        int[] sc = new int[8], mn = new int[8];
        for (int s = 0; s < 8; s++) {
            sc[s] = u8(q, src + 32 + 16 * s + i);
            mn[s] = u8(q, src + 32 + 16 * s + 8 + i);
        }
        // Sub-blocks 0..3: the low 6 bits of bytes 0..3 (scales) and 4..7 (minimums); 4..7: low 4
        // bits in the nibbles of bytes 8..11, high 2 bits in the top bits of bytes 0..3 / 4..7.
        for (int s = 0; s < 4; s++) {
            out[4 + s] = (byte) (sc[s] | (sc[s + 4] >> 4) << 6);
            out[8 + s] = (byte) (mn[s] | (mn[s + 4] >> 4) << 6);
            out[12 + s] = (byte) ((sc[s + 4] & 15) | (mn[s + 4] & 15) << 4);
        }
        for (int j = 0; j < 32; j++) MemorySegment.copy(q, src + 160 + 32 * j + 4 * i, o, 16 + 4 * j, 4);
        return o;
    }

    /** The Q4_K bytes of a q4_kx8 matrix (each block as {@link #q4_kx8Block} reads it). */
    static MemorySegment q4_kx8ToQ4_K(MemorySegment q, int rows, int cols) {
        int nb = cols / 256;
        MemorySegment out = MemorySegment.ofArray(new byte[rows * nb * 144]);
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < nb; b++) MemorySegment.copy(q4_kx8Block(q, cols, r, 256 * b), 0, out, ((long) r * nb + b) * 144, 144);
        }
        return out;
    }

    /**
     * The Q6_K block (210 bytes) holding element (r, c) of a q6_kx8 matrix, read as vane.h lays it
     * out: per group of 8 rows and 256 columns, fp16 d[8], int8 scales[16][8] (sub-block, row),
     * then 16 triples of 3 chunks of 32 bytes; in triple t = 8h + c, byte e of row i of chunk j is
     * the 6-bit code of column 128h + 32j + 4c + e with bits 2j..2j+1 of the code of column
     * 128h + 96 + 4c + e on top. The codes are put back into Q6_K's ql / qh the way its decoder
     * reads them (docs/FORMATS.md, q6_k).
     */
    static MemorySegment q6_kx8Block(MemorySegment q, int cols, int r, int c) {
        int nb = cols / 256, i = r % 8;
        long src = ((long) (r / 8) * nb + c / 256) * 1680;
        int[] u = new int[256];
        for (int t = 0; t < 16; t++) {
            for (int e = 0; e < 4; e++) {
                int col = 128 * (t / 8) + 4 * (t % 8) + e, top = 0;
                for (int j = 0; j < 3; j++) {
                    int v = u8(q, src + 144 + 32 * (3 * t + j) + 4 * i + e);
                    u[col + 32 * j] = v & 63;
                    top |= (v >> 6) << (2 * j);
                }
                u[col + 96] = top;
            }
        }
        byte[] out = new byte[210];
        // Column 128h + 32k + l: nibble k / 2 of ql[64h + 32(k % 2) + l], bits 2k..2k+1 of qh[32h + l].
        for (int e = 0; e < 256; e++) {
            int h = e / 128, k = (e % 128) / 32, l = e % 32;
            out[64 * h + 32 * (k % 2) + l] |= (byte) ((u[e] & 15) << (4 * (k / 2)));
            out[128 + 32 * h + l] |= (byte) ((u[e] >> 4) << (2 * k));
        }
        for (int s = 0; s < 16; s++) out[192 + s] = q.get(ValueLayout.JAVA_BYTE, src + 16 + 8 * s + i);
        MemorySegment o = MemorySegment.ofArray(out);
        MemorySegment.copy(q, src + 2 * i, o, 208, 2);
        return o;
    }

    /** The Q6_K bytes of a q6_kx8 matrix (each block as {@link #q6_kx8Block} reads it). */
    static MemorySegment q6_kx8ToQ6_K(MemorySegment q, int rows, int cols) {
        int nb = cols / 256;
        MemorySegment out = MemorySegment.ofArray(new byte[rows * nb * 210]);
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < nb; b++) MemorySegment.copy(q6_kx8Block(q, cols, r, 256 * b), 0, out, ((long) r * nb + b) * 210, 210);
        }
        return out;
    }

    /**
     * The IQ4_NL bytes of an iq4_nlx8 matrix: vane.h lays it out as q4_0x8 (IQ4_NL's block is
     * Q4_0's, {fp16 d; 16 code bytes}), so it reads back the same way.
     */
    static MemorySegment iq4_nlx8ToIq4_NL(MemorySegment q, int rows, int cols) {
        return q4_0x8ToQ4_0(q, rows, cols);
    }

    /** The IQ4_NL block (18 bytes) holding element (r, c) of an iq4_nlx8 matrix. */
    static MemorySegment iq4_nlx8Block(MemorySegment q, int cols, int r, int c) {
        int i = r % 8;
        long src = ((long) (r / 8) * (cols / 32) + c / 32) * 144;
        MemorySegment o = MemorySegment.ofArray(new byte[18]);
        MemorySegment.copy(q, src + 2 * i, o, 0, 2);
        for (int j = 0; j < 4; j++) MemorySegment.copy(q, src + 16 + 32 * j + 4 * i, o, 2 + 4 * j, 4);
        return o;
    }

    static double[] decode(QuantFormat f, MemorySegment q, int rows, int cols) {
        if (f == QuantFormat.Q4_0_X8) return decode(QuantFormat.Q4_0, q4_0x8ToQ4_0(q, rows, cols), rows, cols);
        if (f == QuantFormat.Q4_K_X8) return decode(QuantFormat.Q4_K, q4_kx8ToQ4_K(q, rows, cols), rows, cols);
        if (f == QuantFormat.Q6_K_X8) return decode(QuantFormat.Q6_K, q6_kx8ToQ6_K(q, rows, cols), rows, cols);
        if (f == QuantFormat.IQ4_XS_X8) return decode(QuantFormat.IQ4_XS, iq4_xsx8ToIQ4_XS(q, rows, cols), rows, cols);
        if (f == QuantFormat.IQ4_NL_X8) return decode(QuantFormat.IQ4_NL, iq4_nlx8ToIq4_NL(q, rows, cols), rows, cols);
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
        if (isGgufBlockFormat(f)) return levels(f, q, rows, cols, r, c)[code(f, q, rows, cols, r, c)];
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

    // ---- GGUF's other block formats (docs/FORMATS.md, "GGUF's other block formats") ----------
    // Each element is a code c into the values its (sub-)block's scales give: levels(...)[c].

    /** ggml's kvalues_iq4nl. */
    static final int[] IQ4_TABLE = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
    /** E2M1 values of codes 0..15 (bit 3 the sign; code 8, -0, reads as +0). */
    static final double[] E2M1 = {0, 0.5, 1, 1.5, 2, 3, 4, 6, 0, -0.5, -1, -1.5, -2, -3, -4, -6};

    static boolean isGgufBlockFormat(QuantFormat f) {
        return f.id() >= QuantFormat.Q4_1.id() && f.id() <= QuantFormat.MXFP4.id();
    }

    /** Offset of the block holding element (r, c). */
    static long blockOffset(QuantFormat f, int cols, int r, int c) {
        int g = f.blockElements();
        return ((long) r * (cols / g) + c / g) * f.blockBytes();
    }

    /** The code of element (r, c): an index into {@link #levels}. */
    static int code(QuantFormat f, MemorySegment q, int rows, int cols, int r, int c) {
        long b = blockOffset(f, cols, r, c);
        int e = c % f.blockElements();
        int h = e / 128, i = (e % 128) / 32, l = e % 32;  // K-quants: e = 128h + 32i + l
        return switch (f) {
            case Q4_1 -> nibble(q, b + 4, e, 32);
            case Q5_0 -> nibble(q, b + 6, e, 32) | bit(q, b + 2, e) << 4;
            case Q5_1 -> nibble(q, b + 8, e, 32) | bit(q, b + 4, e) << 4;
            case Q2_K -> (u8(q, b + 16 + 32 * h + l) >> 2 * i) & 3;
            // Low 2 bits from qs, the third from hmask[e % 32] bit e / 32; value c - 4.
            case Q3_K -> ((u8(q, b + 32 + 32 * h + l) >> 2 * i) & 3) | ((u8(q, b + l) >> (4 * h + i)) & 1) << 2;
            case Q4_K -> (u8(q, b + 16 + 32 * (e / 64) + e % 32) >> 4 * ((e / 32) % 2)) & 15;
            case Q5_K -> ((u8(q, b + 48 + 32 * (e / 64) + e % 32) >> 4 * ((e / 32) % 2)) & 15)
                    | ((u8(q, b + 16 + e % 32) >> (e / 32)) & 1) << 4;
            // Low 4 bits from ql (nibble by i / 2), high 2 from qh; value c - 32.
            case Q6_K -> ((u8(q, b + 64 * h + 32 * (i % 2) + l) >> 4 * (i / 2)) & 15) | ((u8(q, b + 128 + 32 * h + l) >> 2 * i) & 3) << 4;
            case IQ4_NL -> nibble(q, b + 2, e, 32);
            case IQ4_XS -> nibble(q, b + 8 + 16 * (e / 32), e % 32, 32);
            case MXFP4 -> nibble(q, b + 1, e, 32);
            default -> throw new AssertionError(f);
        };
    }

    /** The values a code of element (r, c)'s sub-block decodes to, index = code, as decoded. */
    static double[] levels(QuantFormat f, MemorySegment q, int rows, int cols, int r, int c) {
        long b = blockOffset(f, cols, r, c);
        int e = c % f.blockElements();
        return switch (f) {
            case Q4_1 -> affine(16, half(q, b), -(double) half(q, b + 2));
            case Q5_0 -> symmetric(32, 16, half(q, b));
            case Q5_1 -> affine(32, half(q, b), -(double) half(q, b + 2));
            case Q2_K -> {
                int sc = u8(q, b + e / 16);
                yield affine(4, (double) half(q, b + 80) * (sc & 15), (double) half(q, b + 82) * (sc >> 4));
            }
            case Q3_K -> symmetric(8, 4, (double) half(q, b + 108) * (q3kScale(q, b + 96, e / 16) - 32));
            case Q4_K, Q5_K -> {
                int[] sm = scaleMinK4(q, b + 4, e / 32);
                yield affine(f == QuantFormat.Q4_K ? 16 : 32, (double) half(q, b) * sm[0], (double) half(q, b + 2) * sm[1]);
            }
            case Q6_K -> symmetric(64, 32, (double) half(q, b + 208) * q.get(ValueLayout.JAVA_BYTE, b + 192 + e / 16));
            case IQ4_NL -> table(half(q, b));
            case IQ4_XS -> table((double) half(q, b) * (iq4xsScale(q, b, e / 32) - 32));
            case MXFP4 -> {
                double[] v = new double[16];
                int x = u8(q, b);
                for (int k = 0; k < 16; k++) v[k] = Math.scalb(E2M1[k], x - 127);
                yield v;
            }
            default -> throw new AssertionError(f);
        };
    }

    /** {c * step - min : c < n}. */
    private static double[] affine(int n, double step, double min) {
        double[] v = new double[n];
        for (int k = 0; k < n; k++) v[k] = k * step - min;
        return v;
    }

    /** {(c - offset) * step : c < n}. */
    private static double[] symmetric(int n, int offset, double step) {
        double[] v = new double[n];
        for (int k = 0; k < n; k++) v[k] = (k - offset) * step;
        return v;
    }

    /** {step * T[c]} for the IQ4 table. */
    private static double[] table(double step) {
        double[] v = new double[16];
        for (int k = 0; k < 16; k++) v[k] = step * IQ4_TABLE[k];
        return v;
    }

    /** q4_k / q5_k sub-block s's 6-bit scale and minimum from the 12 scale bytes. */
    static int[] scaleMinK4(MemorySegment q, long scales, int s) {
        if (s < 4) return new int[] {u8(q, scales + s) & 63, u8(q, scales + s + 4) & 63};
        return new int[] {(u8(q, scales + s + 4) & 15) | (u8(q, scales + s - 4) >> 6) << 4,
                (u8(q, scales + s + 4) >> 4) | (u8(q, scales + s) >> 6) << 4};
    }

    /** q3_k scale s (0..63, before the -32): low 4 bits from byte s % 8, high 2 from byte 8 + s % 4. */
    static int q3kScale(MemorySegment q, long scales, int s) {
        return ((u8(q, scales + s % 8) >> 4 * (s / 8)) & 15) | ((u8(q, scales + 8 + s % 4) >> 2 * (s / 4)) & 3) << 4;
    }

    /** iq4_xs sub-block s's 6-bit scale (before the -32) from scales_l (offset 4) and scales_h (offset 2). */
    static int iq4xsScale(MemorySegment q, long block, int s) {
        int hi = q.get(U16, block + 2) & 0xFFFF;
        return ((u8(q, block + 4 + s / 2) >> 4 * (s % 2)) & 15) | ((hi >> 2 * s) & 3) << 4;
    }

    static int u8(MemorySegment q, long offset) {
        return q.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    /** Bit e of the little-endian u32 at offset. */
    private static int bit(MemorySegment q, long offset, int e) {
        return (u8(q, offset + e / 8) >> (e % 8)) & 1;
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

    /**
     * The IQ4_XS block (136 bytes) holding element (r, c) of an iq4_xsx8 matrix, read as vane.h
     * lays it out: per group of 8 rows and 256 columns, fp16 d[8], then per sub-block s 8 bytes
     * (the 8 rows' scales as int8 ls - 32), then 32 chunks of 32 bytes, chunk j holding code bytes
     * 4j..4j+3 of rows 0..7 in turn. The 6-bit ls are packed back into IQ4_XS's scales_h (2 bits
     * per sub-block) and scales_l (a nibble per sub-block) the way its decoder unpacks them.
     */
    static MemorySegment iq4_xsx8Block(MemorySegment q, int cols, int r, int c) {
        int nb = cols / 256, i = r % 8;
        long src = ((long) (r / 8) * nb + c / 256) * 1104;
        byte[] out = new byte[136];
        MemorySegment o = MemorySegment.ofArray(out);
        MemorySegment.copy(q, src + 2 * i, o, 0, 2);
        int h = 0;
        for (int s = 0; s < 8; s++) {
            int ls = q.get(ValueLayout.JAVA_BYTE, src + 16 + 8 * s + i) + 32;
            h |= (ls >> 4) << (2 * s);
            out[4 + s / 2] |= (byte) ((ls & 15) << (4 * (s % 2)));
        }
        out[2] = (byte) h;
        out[3] = (byte) (h >> 8);
        for (int j = 0; j < 32; j++) MemorySegment.copy(q, src + 80 + 32 * j + 4 * i, o, 8 + 4 * j, 4);
        return o;
    }

    /** The IQ4_XS bytes of an iq4_xsx8 matrix (each block as {@link #iq4_xsx8Block} reads it). */
    static MemorySegment iq4_xsx8ToIQ4_XS(MemorySegment q, int rows, int cols) {
        int nb = cols / 256;
        MemorySegment out = MemorySegment.ofArray(new byte[rows * nb * 136]);
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < nb; b++) MemorySegment.copy(iq4_xsx8Block(q, cols, r, 256 * b), 0, out, ((long) r * nb + b) * 136, 136);
        }
        return out;
    }
}
