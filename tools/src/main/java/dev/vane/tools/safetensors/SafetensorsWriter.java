package dev.vane.tools.safetensors;

import dev.vane.model.safetensors.SafetensorsFile;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes safetensors files: an 8-byte little-endian header length, the JSON header (tensor name
 * -> dtype, shape, data_offsets; optional string metadata), padded with spaces so that the data
 * starts 8-byte aligned, then the tensors' bytes in order. For the model generator and tests.
 */
public final class SafetensorsWriter {
    /** Writes a tensor's bytes when the file is written. */
    @FunctionalInterface
    public interface TensorBytes {
        void writeTo(OutputStream out) throws IOException;
    }

    private record Entry(String name, SafetensorsFile.Dtype dtype, long[] shape, long bytes, TensorBytes data) {}

    private final List<Entry> tensors = new ArrayList<>();
    private final Map<String, String> metadata;

    public SafetensorsWriter(Map<String, String> metadata) {
        this.metadata = Map.copyOf(metadata);
    }

    public SafetensorsWriter add(String name, SafetensorsFile.Dtype dtype, long[] shape, byte[] data) {
        long bytes = bytes(dtype, shape);
        if (data.length != bytes) throw new IllegalArgumentException("tensor '" + name + "' needs " + bytes + " bytes, got " + data.length);
        return add(name, dtype, shape, out -> out.write(data));
    }

    public SafetensorsWriter add(String name, SafetensorsFile.Dtype dtype, long[] shape, TensorBytes data) {
        Objects.requireNonNull(name, "name must not be null");
        for (Entry e : tensors) if (e.name().equals(name)) throw new IllegalArgumentException("tensor '" + name + "' is already added");
        tensors.add(new Entry(name, dtype, shape.clone(), bytes(dtype, shape), Objects.requireNonNull(data)));
        return this;
    }

    private static long bytes(SafetensorsFile.Dtype dtype, long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        return Math.multiplyExact(n, (long) dtype.bytes());
    }

    public void write(Path path) throws IOException {
        StringBuilder h = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            h.append("\"__metadata__\":{");
            String sep = "";
            for (var e : metadata.entrySet()) {
                h.append(sep).append(quote(e.getKey())).append(':').append(quote(e.getValue()));
                sep = ",";
            }
            h.append("},");
        }
        long offset = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Entry e = tensors.get(i);
            h.append(i == 0 ? "" : ",").append(quote(e.name())).append(":{\"dtype\":\"").append(e.dtype().name()).append("\",\"shape\":")
                    .append(Arrays.toString(e.shape()).replace(" ", "")).append(",\"data_offsets\":[").append(offset).append(',')
                    .append(offset + e.bytes()).append("]}");
            offset += e.bytes();
        }
        if (tensors.isEmpty() && h.charAt(h.length() - 1) == ',') h.setLength(h.length() - 1);
        h.append('}');
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(path), 1 << 20)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(header);
            for (int i = header.length; i < padded; i++) out.write(' ');
            for (Entry e : tensors) {
                long[] count = {0};
                e.data().writeTo(new java.io.FilterOutputStream(out) {
                    @Override
                    public void write(int b) throws IOException {
                        out.write(b);
                        count[0]++;
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                        count[0] += len;
                    }
                });
                if (count[0] != e.bytes()) throw new IllegalStateException("tensor '" + e.name() + "' wrote " + count[0] + " bytes, not " + e.bytes());
            }
        }
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }
}
