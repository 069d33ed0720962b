package dev.vane.model.safetensors;

import dev.vane.QuantizedMatrix;
import dev.vane.model.json.Json;
import dev.vane.model.json.JsonException;
import dev.vane.quant.QuantFormat;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A safetensors file, memory-mapped read-only: an 8-byte little-endian header length, a JSON
 * header naming each tensor's dtype, shape and byte range, then the data. Tensors are zero-copy
 * slices; FP8 E4M3 weights with their {@code weight_scale_inv} (128x128 blocks) or per-row
 * {@code weight_scale} companions become Vane FP8 matrices. Every header field is checked against
 * the file: a malformed or hostile header fails with a {@link SafetensorsFormatException}.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The header may not exceed this many bytes (the format's own limit is 100 MB). */
    static final long MAX_HEADER = 100L << 20;

    /** The element types of safetensors, with their sizes in bytes. */
    public enum Dtype {
        F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1), F8_E4M3(1), F8_E5M2(1);

        private final int bytes;

        Dtype(int bytes) {
            this.bytes = bytes;
        }

        public int bytes() {
            return bytes;
        }
    }

    /** One tensor: name, dtype, shape (row-major, outermost first) and its bytes. */
    public record Tensor(String name, Dtype dtype, long[] shape, MemorySegment data) {
        public Tensor {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        public long elementCount() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }
    }

    private final Arena arena;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Arena arena, MemorySegment file) {
        this.arena = arena;
        if (file.byteSize() < 8) throw new SafetensorsFormatException("a safetensors file starts with an 8-byte header length; this one has " + file.byteSize() + " bytes");
        long n = file.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        if (n < 2 || n > MAX_HEADER || n > file.byteSize() - 8) {
            throw new SafetensorsFormatException("header length " + Long.toUnsignedString(n) + " is not within 2.." + Math.min(MAX_HEADER, file.byteSize() - 8)
                    + " (file of " + file.byteSize() + " bytes)");
        }
        String text = new String(file.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        Object root;
        try {
            root = Json.parse(text);
        } catch (JsonException e) {
            throw new SafetensorsFormatException("the header is not valid JSON: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> header)) throw new SafetensorsFormatException("the header must be a JSON object");
        long dataStart = 8 + n, dataBytes = file.byteSize() - dataStart;
        Map<String, Tensor> map = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        List<long[]> ranges = new ArrayList<>();
        for (Map.Entry<?, ?> e : header.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> m)) throw new SafetensorsFormatException("__metadata__ must be an object of strings");
                for (Map.Entry<?, ?> kv : m.entrySet()) {
                    if (!(kv.getValue() instanceof String v)) throw new SafetensorsFormatException("__metadata__ value of '" + kv.getKey() + "' is not a string");
                    meta.put((String) kv.getKey(), v);
                }
                continue;
            }
            if (!(e.getValue() instanceof Map<?, ?> info)) throw new SafetensorsFormatException("tensor '" + name + "' must be described by an object");
            Dtype dtype;
            try {
                dtype = Dtype.valueOf(String.valueOf(info.get("dtype")));
            } catch (IllegalArgumentException bad) {
                throw new SafetensorsFormatException("tensor '" + name + "' has unknown dtype " + info.get("dtype"));
            }
            long[] shape = longs(info.get("shape"), name, "shape", -1);
            long[] offsets = longs(info.get("data_offsets"), name, "data_offsets", 2);
            long count = 1;
            for (long d : shape) {
                if (d < 0 || (d > 0 && count > (1L << 60) / d)) throw new SafetensorsFormatException("tensor '" + name + "' has shape entry " + d + " out of range");
                count *= d;
            }
            long begin = offsets[0], end = offsets[1];
            if (begin < 0 || end < begin || end > dataBytes) {
                throw new SafetensorsFormatException("tensor '" + name + "' data_offsets [" + begin + ", " + end + "] are outside the " + dataBytes + " data bytes");
            }
            if (end - begin != count * dtype.bytes()) {
                throw new SafetensorsFormatException("tensor '" + name + "' " + dtype + " " + java.util.Arrays.toString(shape) + " needs " + count * dtype.bytes()
                        + " bytes, its data_offsets span " + (end - begin));
            }
            ranges.add(new long[] {begin, end});
            map.put(name, new Tensor(name, dtype, shape, file.asSlice(dataStart + begin, end - begin)));
        }
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        for (int i = 1; i < ranges.size(); i++) {
            if (ranges.get(i)[0] < ranges.get(i - 1)[1]) throw new SafetensorsFormatException("two tensors' data_offsets overlap");
        }
        tensors = Collections.unmodifiableMap(map);
        metadata = Collections.unmodifiableMap(meta);
    }

    private static long[] longs(Object v, String name, String field, int length) {
        if (!(v instanceof List<?> list) || (length >= 0 && list.size() != length) || list.size() > 8) {
            throw new SafetensorsFormatException("tensor '" + name + "' needs " + field + " as a list of " + (length >= 0 ? length + " " : "") + "integers");
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long l)) throw new SafetensorsFormatException("tensor '" + name + "' " + field + " holds a non-integer " + list.get(i));
            out[i] = l;
        }
        return out;
    }

    /** Maps and parses a safetensors file. Close it to unmap. */
    public static SafetensorsFile open(Path path) throws IOException {
        Objects.requireNonNull(path, "path must not be null");
        Arena arena = dev.vane.NativeMemory.sharedArena();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return new SafetensorsFile(arena, ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena));
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    public Map<String, Tensor> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("no tensor named '" + name + "' in this file (" + tensors.size() + " tensors)");
        return t;
    }

    /**
     * An F32, F16 or BF16 [rows, cols] tensor as a matrix for Vane's kernels, zero-copy. Writers pad
     * the header so that data is 8-byte aligned; a tensor that is not aligned to its element size
     * is refused here: copy it with {@link #matrix(String, Arena)}.
     */
    public QuantizedMatrix matrix(String name) {
        return matrix(name, null);
    }

    /** As {@link #matrix(String)}, copying the bytes into the arena when they are not aligned in the file. */
    public QuantizedMatrix matrix(String name, Arena copyInto) {
        Tensor t = tensor(name);
        QuantFormat f = switch (t.dtype()) {
            case F32 -> QuantFormat.F32;
            case F16 -> QuantFormat.F16;
            case BF16 -> QuantFormat.BF16;
            default -> throw new IllegalArgumentException("tensor '" + name + "' is " + t.dtype() + "; use fp8Matrix for F8_E4M3 weights");
        };
        if (t.shape().length != 2) throw new IllegalArgumentException("tensor '" + name + "' is not 2-D: " + java.util.Arrays.toString(t.shape()));
        MemorySegment data = t.data();
        if (data.address() % f.byteAlignment() != 0) {
            if (copyInto == null) {
                throw new IllegalArgumentException("tensor '" + name + "' is not " + f.byteAlignment() + "-byte aligned in the file (an unpadded header);"
                        + " copy it with matrix(name, arena)");
            }
            data = copyInto.allocate(data.byteSize(), 64).copyFrom(data);
        }
        return QuantizedMatrix.wrap(f, data, t.shape()[0], t.shape()[1]);
    }

    /**
     * An F8_E4M3 weight [rows, cols] with its scales as a Vane FP8 matrix in the arena (a copy:
     * Vane's planar layout puts the scales right after the codes). The scale tensor is either
     * {@code <name>_scale_inv} of shape [ceil(rows/128), ceil(cols/128)] (the published block-FP8
     * convention: value = code · scale_inv) or {@code <name>_scale} with one scale per row.
     */
    public QuantizedMatrix fp8Matrix(String name, Arena into) {
        Objects.requireNonNull(into, "into must not be null");
        Tensor w = tensor(name);
        if (w.dtype() != Dtype.F8_E4M3 || w.shape().length != 2) throw new IllegalArgumentException("tensor '" + name + "' is not a 2-D F8_E4M3 weight");
        long rows = w.shape()[0], cols = w.shape()[1];
        Tensor s;
        QuantFormat f;
        if (tensors.containsKey(name + "_scale_inv")) {
            s = tensors.get(name + "_scale_inv");
            f = QuantFormat.FP8_E4M3_B128;
        } else if (tensors.containsKey(name + "_scale")) {
            s = tensors.get(name + "_scale");
            f = QuantFormat.FP8_E4M3_ROW;
        } else {
            throw new IllegalArgumentException("F8_E4M3 tensor '" + name + "' has no " + name + "_scale_inv or " + name + "_scale companion");
        }
        long want = f.scaleCount(rows, cols);
        if (s.dtype() != Dtype.F32 || s.elementCount() != want) {
            throw new IllegalArgumentException("the scales of '" + name + "' must be " + want + " F32 values for " + f.formatName() + ", got " + s.dtype() + " "
                    + java.util.Arrays.toString(s.shape()));
        }
        MemorySegment packed = into.allocate(f.byteSize(rows, cols), 64);
        MemorySegment.copy(w.data(), 0, packed, 0, rows * cols);
        MemorySegment.copy(s.data(), 0, packed, f.scalesOffset(rows, cols), 4 * want);
        return QuantizedMatrix.wrap(f, packed, rows, cols);
    }

    @Override
    public void close() {
        arena.close();
    }
}
