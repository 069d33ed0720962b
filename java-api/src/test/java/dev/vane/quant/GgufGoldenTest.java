package dev.vane.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Q4_0 and Q8_0 against bytes produced by llama.cpp's Python reference (gguf.quants.quantize;
 * see make_gguf_golden.py beside gguf-golden.bin): magnitudes from 2^-12 to 2^12, exact ties,
 * zero and constant blocks, tiny blocks whose fp16 scale underflows, repeated extremes.
 */
class GgufGoldenTest {

    @Test
    void q4_0AndQ8_0MatchLlamaCppByteForByte() throws IOException {
        ByteBuffer b;
        try (InputStream in = GgufGoldenTest.class.getResourceAsStream("gguf-golden.bin")) {
            b = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
        }
        int rows = b.getInt(), cols = b.getInt();
        float[] x = new float[rows * cols];
        b.asFloatBuffer().get(x);
        b.position(8 + 4 * x.length);
        byte[] q4 = new byte[(int) QuantFormat.Q4_0.byteSize(rows, cols)];
        byte[] q8 = new byte[(int) QuantFormat.Q8_0.byteSize(rows, cols)];
        b.get(q4).get(q8);
        assertEquals(0, b.remaining());
        compare("Q4_0", q4, Quantizer.quantize(QuantFormat.Q4_0, x, rows, cols));
        compare("Q8_0", q8, Quantizer.quantize(QuantFormat.Q8_0, x, rows, cols));
    }

    private static void compare(String name, byte[] want, byte[] got) {
        int i = Arrays.mismatch(want, got);
        if (i >= 0) fail(name + " differs from llama.cpp at byte " + i + ": want " + want[i] + ", got " + got[i]);
    }
}
