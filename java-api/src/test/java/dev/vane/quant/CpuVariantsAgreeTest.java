package dev.vane.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vane.CpuVariant;
import dev.vane.Vane;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every SIMD variant the CPU runs produces the baseline's bits for every format and FP8 conversion. */
class CpuVariantsAgreeTest {
    private final CpuVariant original = Vane.cpu().active();

    @AfterEach
    void restore() {
        Vane.useCpuVariant(original);
    }

    // The variants above the baseline this CPU can run; the test is assumed away without one.
    private static List<CpuVariant> simdVariants() {
        List<CpuVariant> v = Arrays.stream(CpuVariant.values()).filter(c -> c != CpuVariant.BASELINE && Vane.cpu().canRun(c)).toList();
        assumeTrue(!v.isEmpty(), "this CPU has no SIMD variant to compare");
        return v;
    }

    @ParameterizedTest
    @EnumSource(QuantFormat.class)
    void quantizeAndDequantize(QuantFormat f) {
        List<CpuVariant> simd = simdVariants();
        for (int[] shape : QuantizerTest.shapes(f)) {
            int rows = shape[0], cols = shape[1];
            float[] x = TestData.weights(rows * 31L + cols, rows * cols);
            Vane.useCpuVariant(CpuVariant.BASELINE);
            byte[] qBase = Quantizer.quantize(f, x, rows, cols);
            float[] yBase = Quantizer.dequantize(f, qBase, rows, cols);
            for (CpuVariant v : simd) {
                Vane.useCpuVariant(v);
                assertArrayEquals(qBase, Quantizer.quantize(f, x, rows, cols), v + " " + f + " quantize " + rows + "x" + cols);
                assertArrayEquals(rawBits(yBase), rawBits(Quantizer.dequantize(f, qBase, rows, cols)), v + " " + f + " dequantize " + rows + "x" + cols);
            }
        }
    }

    @Test
    void fp8() {
        List<CpuVariant> simd = simdVariants();
        float[] xs = Fp8Test.interestingFloats(1_000_000);
        byte[] codes = new byte[256];
        for (int c = 0; c < 256; c++) codes[c] = (byte) c;
        Vane.useCpuVariant(CpuVariant.BASELINE);
        byte[] e4 = Fp8.encodeE4M3(xs), e5 = Fp8.encodeE5M2(xs);
        float[] d4 = Fp8.decodeE4M3(codes), d5 = Fp8.decodeE5M2(codes);
        for (CpuVariant v : simd) {
            Vane.useCpuVariant(v);
            assertArrayEquals(e4, Fp8.encodeE4M3(xs), v.toString());
            assertArrayEquals(e5, Fp8.encodeE5M2(xs), v.toString());
            // Raw bits: assertArrayEquals(float[]) would treat every NaN as equal.
            assertArrayEquals(rawBits(d4), rawBits(Fp8.decodeE4M3(codes)), v.toString());
            assertArrayEquals(rawBits(d5), rawBits(Fp8.decodeE5M2(codes)), v.toString());
        }
    }

    static int[] rawBits(float[] v) {
        int[] bits = new int[v.length];
        for (int i = 0; i < v.length; i++) bits[i] = Float.floatToRawIntBits(v[i]);
        return bits;
    }
}
