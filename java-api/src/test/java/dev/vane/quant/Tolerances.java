package dev.vane.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * How far a dequantized weight may be from the original, per format, with the reason. "step" is
 * the value of one quantization level in the element's block.
 */
final class Tolerances {
    private Tolerances() {}

    /** fp16 has 11 significant bits: a stored fp16 scale is within 2^-11 of the exact one. */
    private static final double FP16_REL = Math.scalb(1.0, -11);

    /**
     * The bound for element (r, c) of a [rows, cols] matrix x quantized to q, from x[r, c] and its
     * block's bytes.
     */
    static double bound(QuantFormat f, MemorySegment q, int rows, int cols, int r, int c, float[] x) {
        // q4_kx8 holds Q4_K's values: Q4_K's bound on the element's block, read back as Q4_K.
        if (f == QuantFormat.Q4_K_X8) {
            return ggufBound(QuantFormat.Q4_K, ReferenceDecoder.q4_kx8Block(q, cols, r, c), 1, 256, 0, c % 256, x[r * cols + c]);
        }
        if (f == QuantFormat.Q6_K_X8) {
            return ggufBound(QuantFormat.Q6_K, ReferenceDecoder.q6_kx8Block(q, cols, r, c), 1, 256, 0, c % 256, x[r * cols + c]);
        }
        if (f == QuantFormat.IQ4_XS_X8) {  // likewise IQ4_XS's bound on the block read back as IQ4_XS
            return ggufBound(QuantFormat.IQ4_XS, ReferenceDecoder.iq4_xsx8Block(q, cols, r, c), 1, 256, 0, c % 256, x[r * cols + c]);
        }
        // iq4_nlx8 holds IQ4_NL's bytes: IQ4_NL's bound on the element's block, read back as IQ4_NL.
        if (f == QuantFormat.IQ4_NL_X8) {
            return ggufBound(QuantFormat.IQ4_NL, ReferenceDecoder.iq4_nlx8Block(q, cols, r, c), 1, 32, 0, c % 32, x[r * cols + c]);
        }
        if (ReferenceDecoder.isGgufBlockFormat(f)) return ggufBound(f, q, rows, cols, r, c, x[r * cols + c]);
        return bound(f, q, rows, cols, r, c, (double) x[r * cols + c]);
    }

    private static double bound(QuantFormat f, MemorySegment q, int rows, int cols, int r, int c, double x) {
        // q4_0x8 holds Q4_0's values, 8 rows interleaved.
        if (f == QuantFormat.Q4_0_X8) return bound(QuantFormat.Q4_0, ReferenceDecoder.q4_0x8ToQ4_0(q, rows, cols), rows, cols, r, c, x);
        double ax = Math.abs(x);
        double slack = 1e-6 * ax + underflowFloor(f);  // f32 rounding of the division or product
        int g = f.blockElements();
        long block = ((long) r * (cols / g) + c / g) * f.blockBytes();
        return switch (f) {
            case F32 -> 0;
            // Round to nearest: half an ulp, relative 2^-11 (f16, normal range) and 2^-8 (bf16).
            case F16 -> Math.max(ax * Math.scalb(1.0, -11), Math.scalb(1.0, -25));
            case BF16 -> Math.max(ax * Math.scalb(1.0, -8), Math.scalb(1.0, -134));
            // E4M3 keeps 3 mantissa bits (relative 2^-4 half-ulp); below 2^-6 * scale the
            // subnormal step is 2^-9 * scale (half: 2^-10).
            case FP8_E4M3_ROW, FP8_E4M3_B128 -> Math.max(ax * Math.scalb(1.0, -4), planarScale(f, q, rows, cols, r, c) * Math.scalb(1.0, -10)) * 1.0001 + slack;
            // Half a step, plus the fp16 rounding of the scale times the largest level (8); the
            // top level clamps (7 where the block's extreme is at -8), costing up to a whole step.
            case INT4_SYM_G32, INT4_SYM_G64, INT4_SYM_G128, Q4_0, Q4_0_X8 -> {
                double step = Math.abs(ReferenceDecoder.half(q, block));
                double inRange = step / 2 + 8 * step * FP16_REL;
                yield (ax <= 7.5 * step ? inRange : step + 8 * step * FP16_REL) + slack;
            }
            // Half a step, plus fp16 rounding of the scale (x15 levels) and of the minimum.
            case INT4_ASYM_G32, INT4_ASYM_G64, INT4_ASYM_G128 -> {
                double step = ReferenceDecoder.half(q, block);
                double min = ReferenceDecoder.half(q, block + 2);
                yield step / 2 + 16 * step * FP16_REL + Math.abs(min) * FP16_REL + slack;
            }
            // f32 scale: half a step.
            case INT8_G32, INT8_G64, INT8_G128 -> q.get(ValueLayout.JAVA_FLOAT_UNALIGNED, block) / 2 * (1 + 1e-6) + slack;
            // llama.cpp rounds with the exact scale but stores it as fp16: half a step plus 127
            // levels of fp16 scale rounding.
            case Q8_0 -> {
                double step = ReferenceDecoder.half(q, block);
                yield step / 2 + 127 * step * FP16_REL + slack;
            }
            default -> throw new AssertionError(f);
        };
    }

    /**
     * GGUF's other block formats (docs/FORMATS.md, "GGUF's other block formats"). Every element's
     * code is the nearest level of a grid, so the error is the distance from x to the decoded grid
     * (ReferenceDecoder.levels), plus how far the grid the quantizer rounded to lies from it:
     * <ul>
     * <li>K-quants: the last pass re-rounds every element to its sub-block's decoded grid, so the
     *     distance alone (at most half a step inside the grid; the searched scale and minimum may
     *     clip a sub-block's extremes, whose error is then the distance to the grid's end). A
     *     sub-block whose scale is 0 decodes to one value, -dmin*mn; the distance covers it too.
     * <li>mxfp4: the nearest code for the decoded power-of-two scale itself: the distance alone.
     * <li>q4_1, q5_0, q5_1: nearest level for the unrounded d and min, stored as fp16 afterwards:
     *     each level moves by at most |c| * |d - fp16(d)| + |min - fp16(min)|; twice that (the
     *     chosen level and the nearest one).
     * <li>iq4_xs: nearest table entry for d * (ls - 32) with the unrounded d: levels move by at
     *     most 127 * |ls - 32| * |d - fp16(d)|; twice that.
     * <li>iq4_nl: as llama.cpp writes files, the codes are the nearest table entries for the searched
     *     scale d, unrounded, stored as fp16 afterwards: levels move by at most 127 * |d - fp16(d)|;
     *     twice that. A block whose largest |x| is below 1e-15 stores d = 0 and decodes to zeros,
     *     which the distance covers.
     * </ul>
     * The slack (2^-20 of the values involved) covers the f32 roundings of the quotient x / step
     * that picks the code and of the dequantized value. A wrong element order, nibble, bit or
     * scale field puts an element's value off its own nearest level by about a step or more.
     */
    private static double ggufBound(QuantFormat f, MemorySegment q, int rows, int cols, int r, int c, double x) {
        double[] levels = ReferenceDecoder.levels(f, q, rows, cols, r, c);
        long b = ReferenceDecoder.blockOffset(f, cols, r, c);
        double moved = switch (f) {
            case Q4_1 -> 15 * fp16Err(ReferenceDecoder.half(q, b)) + fp16Err(ReferenceDecoder.half(q, b + 2));
            case Q5_0 -> 16 * fp16Err(ReferenceDecoder.half(q, b));
            case Q5_1 -> 31 * fp16Err(ReferenceDecoder.half(q, b)) + fp16Err(ReferenceDecoder.half(q, b + 2));
            case IQ4_XS -> 127 * Math.abs(ReferenceDecoder.iq4xsScale(q, b, (c % 256) / 32) - 32) * fp16Err(ReferenceDecoder.half(q, b));
            case IQ4_NL -> 127 * fp16Err(ReferenceDecoder.half(q, b));
            default -> 0;
        };
        double extent = Math.abs(x);
        for (double v : levels) extent = Math.max(extent, Math.abs(v));
        double slack = 1e-6 * extent;
        return distance(x, levels) + 2 * moved + slack;
    }

    /** Distance from x to the nearest of the values. */
    private static double distance(double x, double[] values) {
        double best = Double.POSITIVE_INFINITY;
        for (double v : values) best = Math.min(best, Math.abs(x - v));
        return best;
    }

    /**
     * How far a value may be from the fp16 value it was rounded to: half an ulp, 2^-11 of the
     * rounded value in the normal range (it is at least the binade's power of two), 2^-25 below.
     */
    static double fp16Err(double rounded) {
        return Math.max(Math.abs(rounded) * FP16_REL, Math.scalb(1.0, -25));
    }

    /**
     * Blocks of tiny values lose their scale: an fp16 scale underflows to zero for blocks whose
     * largest |x| is below about 2^-18 (Q8_0: 127 levels of 2^-25), an f32 scale loses precision
     * below 2^-126. Such blocks dequantize to (near) zero; the error is then at most this.
     */
    private static double underflowFloor(QuantFormat f) {
        return switch (f) {
            case F32, F16, BF16 -> 0;
            case FP8_E4M3_ROW, FP8_E4M3_B128, INT8_G32, INT8_G64, INT8_G128 -> Math.scalb(1.0, -118);
            default -> Math.scalb(1.0, -17);
        };
    }

    private static double planarScale(QuantFormat f, MemorySegment q, int rows, int cols, int r, int c) {
        long tilesPerRow = f.scaleCols() == 0 ? 1 : (cols + f.scaleCols() - 1) / f.scaleCols();
        long tile = (r / f.scaleRows()) * tilesPerRow + (f.scaleCols() == 0 ? 0 : c / f.scaleCols());
        return q.get(ValueLayout.JAVA_FLOAT_UNALIGNED, f.scalesOffset(rows, cols) + 4 * tile);
    }
}
