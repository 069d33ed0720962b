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

    static double bound(QuantFormat f, MemorySegment q, int rows, int cols, int r, int c, double x) {
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
        };
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
