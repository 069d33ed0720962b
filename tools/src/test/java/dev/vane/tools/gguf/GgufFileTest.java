package dev.vane.tools.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.QuantizedMatrix;
import dev.vane.Tensor;
import dev.vane.model.gguf.GgmlType;
import dev.vane.model.gguf.GgufFile;
import dev.vane.model.gguf.GgufFormatException;
import dev.vane.model.gguf.GgufTensor;
import dev.vane.model.gguf.GgufValueType;
import dev.vane.quant.QuantFormat;
import dev.vane.quant.Quantizer;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GGUF written by GgufWriter and read back by GgufFile; truncated, corrupted and hostile files. */
class GgufFileTest {
    @TempDir
    Path dir;

    static float[] weights(int n, long seed) {
        Random r = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) r.nextGaussian();
        return w;
    }

    Path sample() throws IOException {
        float[] f32 = weights(3 * 64, 1), q4 = weights(8 * 64, 2);
        ByteBuffer raw = ByteBuffer.allocate(f32.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : f32) raw.putFloat(v);
        Path p = dir.resolve("sample.gguf");
        new GgufWriter()
                .putString("general.architecture", "llama")
                .putUint32("llama.context_length", 4096)
                .putInt32("test.negative", -5)
                .putFloat32("llama.rope.freq_base", 10000f)
                .putBool("test.flag", true)
                .putArray("tokenizer.ggml.tokens", GgufValueType.STRING, List.of("<s>", "é", "日本"))
                .putArray("test.ints", GgufValueType.INT32, List.of(1, -2, 3))
                .addTensor("f32.weight", GgmlType.F32, new long[] {64, 3}, raw.array())
                .addTensor("q4.weight", GgmlType.Q4_0, new long[] {64, 8}, Quantizer.quantize(QuantFormat.Q4_0, q4, 8, 64))
                .addTensor("q8.weight", GgmlType.Q8_0, new long[] {64, 2}, Quantizer.quantize(QuantFormat.Q8_0, weights(128, 3), 2, 64))
                .write(p);
        return p;
    }

    @Test
    void copiedMetadataKeepsEveryValueAndItsStoredType() throws IOException {
        Path copy = dir.resolve("copy.gguf");
        try (GgufFile f = GgufFile.open(sample())) {
            new GgufWriter().copyMetadata(f, key -> !key.equals("test.flag")).write(copy);
            try (GgufFile g = GgufFile.open(copy)) {
                java.util.Map<String, Object> want = new java.util.LinkedHashMap<>(f.metadata());
                java.util.Map<String, GgufValueType> wantTypes = new java.util.LinkedHashMap<>(f.metadataTypes());
                want.remove("test.flag");
                wantTypes.remove("test.flag");
                assertEquals(want, g.metadata());
                assertEquals(wantTypes, g.metadataTypes());
                assertEquals(GgufValueType.UINT32, g.metadataTypes().get("llama.context_length"));
                assertEquals(GgufValueType.INT32, g.metadataTypes().get("test.ints"), "an array's element type");
                assertEquals(GgufValueType.STRING, g.metadataTypes().get("tokenizer.ggml.tokens"));
            }
        }
    }

    @Test
    void writtenFilesReadBack() throws IOException {
        try (GgufFile f = GgufFile.open(sample())) {
            assertEquals(3, f.version());
            assertEquals("llama", f.string("general.architecture"));
            assertEquals(4096, f.integer("llama.context_length"));
            assertEquals(-5, f.integer("test.negative"));
            assertEquals(10000.0, f.real("llama.rope.freq_base"));
            assertEquals(true, f.metadata().get("test.flag"));
            assertEquals(List.of("<s>", "é", "日本"), f.array("tokenizer.ggml.tokens"));
            assertEquals(List.of(1L, -2L, 3L), f.array("test.ints"));
            assertEquals(3, f.tensors().size());
            GgufTensor t = f.tensor("f32.weight");
            assertArrayEquals(new long[] {64, 3}, t.ne());
            assertEquals(3, t.rows());
            assertEquals(64, t.cols());
            assertEquals(0, t.fileOffset() % 32);
            float[] back = t.data().toArray(ValueLayout.JAVA_FLOAT);
            assertArrayEquals(weights(3 * 64, 1), back);
            // A Q4_0 tensor is a QuantizedMatrix without copying; its products equal quantizing the source.
            QuantizedMatrix m = f.tensor("q4.weight").matrix();
            assertEquals(QuantFormat.Q4_0, m.format());
            try (Tensor w = Tensor.of(weights(8 * 64, 2), 8, 64); QuantizedMatrix ref = QuantizedMatrix.quantize(QuantFormat.Q4_0, w);
                 Tensor x = Tensor.of(weights(64, 4), 64); Tensor a = m.multiply(x); Tensor b = ref.multiply(x)) {
                assertArrayEquals(b.toFloatArray(), a.toFloatArray());
            }
            assertTrue(f.tensor("q8.weight").data().byteSize() == 2 * 2 * 34);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> f.tensor("missing")), "no tensor named 'missing'");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> f.string("llama.context_length")), "expected a string");
        }
    }

    @Test
    void truncatedFilesFailWithAFormatError() throws IOException {
        byte[] good = Files.readAllBytes(sample());
        for (int len = 0; len < good.length; len += (len < 600 ? 1 : 97)) {
            Path p = dir.resolve("cut.gguf");
            Files.write(p, java.util.Arrays.copyOf(good, len));
            GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(p).close(), "length " + len);
            assertTrue(e.offset() >= 0 && e.offset() <= len, e.getMessage());
        }
    }

    @Test
    void hostileFieldsAreNamed() throws IOException {
        byte[] good = Files.readAllBytes(sample());
        assertMessage(corrupt(good, 0, 0x47475546L, 4), "not a GGUF file");
        assertMessage(corrupt(good, 4, 7, 4), "GGUF version 7 is not supported");
        assertMessage(corrupt(good, 8, Long.MAX_VALUE, 8), "more than a");  // tensor count
        assertMessage(corrupt(good, 16, 1L << 40, 8), "more than a");      // metadata count
        assertMessage(corrupt(good, 24, 1L << 50, 8), "bytes but the file ends");  // first key's length
        // Random byte flips: parse or a GgufFormatException, nothing else.
        Random r = new Random(5);
        for (int i = 0; i < 300; i++) {
            byte[] bad = good.clone();
            for (int k = 0; k < 3; k++) bad[r.nextInt(Math.min(bad.length, 700))] = (byte) r.nextInt(256);
            Path p = dir.resolve("fuzz.gguf");
            Files.write(p, bad);
            try (GgufFile f = GgufFile.open(p)) {
                for (GgufTensor t : f.tensors()) assertTrue(t.fileOffset() + t.data().byteSize() <= bad.length);
            } catch (GgufFormatException expected) {
                assertTrue(expected.offset() >= 0);
            }
        }
    }

    private GgufFormatException corrupt(byte[] good, int at, long value, int width) throws IOException {
        byte[] bad = good.clone();
        for (int i = 0; i < width; i++) bad[at + i] = (byte) (value >>> (8 * i));
        Path p = dir.resolve("bad.gguf");
        Files.write(p, bad);
        return assertThrows(GgufFormatException.class, () -> GgufFile.open(p).close());
    }

    static void assertMessage(Throwable e, String part) {
        assertTrue(e.getMessage() != null && e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks '" + part + "'");
    }
}
