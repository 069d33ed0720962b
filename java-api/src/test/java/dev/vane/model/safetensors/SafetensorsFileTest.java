package dev.vane.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.QuantizedMatrix;
import dev.vane.Tensor;
import dev.vane.quant.QuantFormat;
import dev.vane.quant.Quantizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** safetensors files built here (header + data), read back; FP8 block weights; hostile headers. */
class SafetensorsFileTest {
    @TempDir
    Path dir;

    static float[] weights(int n, long seed) {
        Random r = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) r.nextGaussian();
        return w;
    }

    static byte[] le(float[] x) {
        ByteBuffer b = ByteBuffer.allocate(4 * x.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : x) b.putFloat(v);
        return b.array();
    }

    /** A file with this header (padded with spaces so the data starts 8-byte aligned, as writers do) and data. */
    Path file(String header, byte[] data) throws IOException {
        byte[] raw = header.getBytes(StandardCharsets.UTF_8);
        byte[] h = Arrays.copyOf(raw, (raw.length + 7) / 8 * 8);
        Arrays.fill(h, raw.length, h.length, (byte) ' ');
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.write(h);
        out.write(data);
        Path p = dir.resolve("t.safetensors");
        Files.write(p, out.toByteArray());
        return p;
    }

    @Test
    void f32AndFp8WeightsReadBack() throws IOException {
        int rows = 130, cols = 256;
        float[] w = weights(rows * cols, 1);
        // Vane's FP8 block-128 quantization, split into codes and scale_inv as checkpoints store them.
        byte[] packed = Quantizer.quantize(QuantFormat.FP8_E4M3_B128, w, rows, cols);
        int scales = (int) QuantFormat.FP8_E4M3_B128.scaleCount(rows, cols);
        byte[] codes = Arrays.copyOf(packed, rows * cols);
        int so = (int) QuantFormat.FP8_E4M3_B128.scalesOffset(rows, cols);
        byte[] scaleBytes = Arrays.copyOfRange(packed, so, so + 4 * scales);
        byte[] f32 = le(weights(3 * 64, 2));
        byte[] data = new byte[f32.length + codes.length + scaleBytes.length];
        System.arraycopy(f32, 0, data, 0, f32.length);
        System.arraycopy(codes, 0, data, f32.length, codes.length);
        System.arraycopy(scaleBytes, 0, data, f32.length + codes.length, scaleBytes.length);
        int a = f32.length, b = a + codes.length, c = b + scaleBytes.length;
        String header = "{\"__metadata__\":{\"format\":\"pt\"},\"small.weight\":{\"dtype\":\"F32\",\"shape\":[3,64],\"data_offsets\":[0," + a + "]},"
                + "\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[" + rows + "," + cols + "],\"data_offsets\":[" + a + "," + b + "]},"
                + "\"w_scale_inv\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[" + b + "," + c + "]}}";
        try (SafetensorsFile f = SafetensorsFile.open(file(header, data)); Arena arena = Arena.ofConfined()) {
            assertEquals("pt", f.metadata().get("format"));
            assertEquals(3, f.tensors().size());
            assertArrayEquals(weights(3 * 64, 2), f.tensor("small.weight").data().toArray(ValueLayout.JAVA_FLOAT));
            QuantizedMatrix small = f.matrix("small.weight");
            assertEquals(3, small.rows());
            QuantizedMatrix fp8 = f.fp8Matrix("w", arena);
            assertEquals(QuantFormat.FP8_E4M3_B128, fp8.format());
            assertArrayEquals(packed, fp8.segment().toArray(ValueLayout.JAVA_BYTE), "the same bytes as Vane's own quantization");
            try (Tensor x = Tensor.of(weights(cols, 3), cols); Tensor y = fp8.multiply(x)) {
                assertEquals(rows, y.elementCount());
            }
            assertTrue(assertThrows(IllegalArgumentException.class, () -> f.matrix("w")).getMessage().contains("fp8Matrix"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> f.fp8Matrix("small.weight", arena)).getMessage().contains("F8_E4M3"));
        }
    }

    @Test
    void unalignedDataIsCopiedOnRequest() throws IOException {
        // An unpadded header of 59 bytes: the data starts at byte 67, not 4-byte aligned.
        String header = "{\"t\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.write(h);
        out.write(le(new float[] {1, 2, 3, 4}));
        Path p = dir.resolve("unaligned.safetensors");
        Files.write(p, out.toByteArray());
        try (SafetensorsFile f = SafetensorsFile.open(p); Arena arena = Arena.ofConfined()) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> f.matrix("t")).getMessage().contains("not 4-byte aligned"));
            QuantizedMatrix m = f.matrix("t", arena);
            try (Tensor x = Tensor.of(new float[] {1, 1}, 2); Tensor y = m.multiply(x)) {
                assertArrayEquals(new float[] {3, 7}, y.toFloatArray());
            }
        }
    }

    @Test
    void hostileHeadersAreRefused() throws IOException {
        byte[] d16 = new byte[16];
        String ok = "{\"t\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
        SafetensorsFile.open(file(ok, d16)).close();
        String[][] cases = {
            {"{\"t\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,20]}}", "outside"},
            {"{\"t\":{\"dtype\":\"F32\",\"shape\":[5],\"data_offsets\":[0,16]}}", "needs 20 bytes"},
            {"{\"t\":{\"dtype\":\"Q9\",\"shape\":[4],\"data_offsets\":[0,16]}}", "unknown dtype"},
            {"{\"t\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}", "out of range"},
            {"{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"u\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", "overlap"},
            {"{\"t\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0]}}", "data_offsets"},
            {"{\"__metadata__\":{\"k\":1}}", "not a string"},
            {"[1,2]", "must be a JSON object"},
            {"{\"t\":", "not valid JSON"},
        };
        for (String[] c : cases) {
            SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsFile.open(file(c[0], d16)).close(), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
        // Header lengths beyond the file; every truncation of a good file.
        byte[] good = Files.readAllBytes(file(ok, d16));
        byte[] huge = good.clone();
        huge[6] = 1;
        Path p = dir.resolve("huge.safetensors");
        Files.write(p, huge);
        assertTrue(assertThrows(SafetensorsFormatException.class, () -> SafetensorsFile.open(p).close()).getMessage().contains("header length"));
        for (int len = 0; len < good.length; len++) {
            Files.write(p, Arrays.copyOf(good, len));
            assertThrows(SafetensorsFormatException.class, () -> SafetensorsFile.open(p).close(), "length " + len);
        }
    }
}
