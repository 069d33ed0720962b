package dev.vane.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vane.CpuVariant;
import dev.vane.Vane;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The baseline and AVX2 kernels produce the same bits for every format and FP8 conversion. */
class CpuVariantsAgreeTest {
    private final CpuVariant original = Vane.cpu().active();

    @AfterEach
    void restore() {
        Vane.useCpuVariant(original);
    }

    private static void assumeAvx2() {
        assumeTrue(Vane.cpu().features().containsAll(Set.of("avx2", "fma", "f16c")), "this CPU has no AVX2 variant to compare");
    }

    @ParameterizedTest
    @EnumSource(QuantFormat.class)
    void quantizeAndDequantize(QuantFormat f) {
        assumeAvx2();
        for (int[] shape : QuantizerTest.shapes(f)) {
            int rows = shape[0], cols = shape[1];
            float[] x = TestData.weights(rows * 31L + cols, rows * cols);
            Vane.useCpuVariant(CpuVariant.BASELINE);
            byte[] qBase = Quantizer.quantize(f, x, rows, cols);
            float[] yBase = Quantizer.dequantize(f, qBase, rows, cols);
            Vane.useCpuVariant(CpuVariant.AVX2);
            assertArrayEquals(qBase, Quantizer.quantize(f, x, rows, cols), f + " quantize " + rows + "x" + cols);
            assertArrayEquals(rawBits(yBase), rawBits(Quantizer.dequantize(f, qBase, rows, cols)), f + " dequantize " + rows + "x" + cols);
        }
    }

    @Test
    void fp8() {
        assumeAvx2();
        float[] xs = Fp8Test.interestingFloats(1_000_000);
        byte[] codes = new byte[256];
        for (int c = 0; c < 256; c++) codes[c] = (byte) c;
        Vane.useCpuVariant(CpuVariant.BASELINE);
        byte[] e4 = Fp8.encodeE4M3(xs), e5 = Fp8.encodeE5M2(xs);
        float[] d4 = Fp8.decodeE4M3(codes), d5 = Fp8.decodeE5M2(codes);
        Vane.useCpuVariant(CpuVariant.AVX2);
        assertArrayEquals(e4, Fp8.encodeE4M3(xs));
        assertArrayEquals(e5, Fp8.encodeE5M2(xs));
        // Raw bits: assertArrayEquals(float[]) would treat every NaN as equal.
        assertArrayEquals(rawBits(d4), rawBits(Fp8.decodeE4M3(codes)));
        assertArrayEquals(rawBits(d5), rawBits(Fp8.decodeE5M2(codes)));
    }

    static int[] rawBits(float[] v) {
        int[] bits = new int[v.length];
        for (int i = 0; i < v.length; i++) bits[i] = Float.floatToRawIntBits(v[i]);
        return bits;
    }
}
