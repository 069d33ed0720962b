package dev.vane.tools.gguf;

import dev.vane.model.gguf.GgmlType;
import dev.vane.model.gguf.GgufFile;
import dev.vane.model.gguf.GgufValueType;
import dev.vane.model.tokenizer.Vocabulary;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Writes GGUF version 3 files: metadata entries, then tensor infos, then the tensors' bytes, each
 * at a multiple of the alignment (32). For the model generator and tests; tensor bytes are given
 * in their GGUF type's layout (Vane's Q4_0 and Q8_0 quantizers write it byte for byte).
 */
public final class GgufWriter {
    private record Entry(String key, GgufValueType type, Object value) {}

    /** Writes a tensor's bytes when the file is written, so that large tensors need not sit on the heap together. */
    @FunctionalInterface
    public interface TensorBytes {
        void writeTo(OutputStream out) throws IOException;
    }

    private record Tensor(String name, long[] ne, GgmlType type, long bytes, TensorBytes data) {}

    private final List<Entry> entries = new ArrayList<>();
    private final List<Tensor> tensors = new ArrayList<>();

    public GgufWriter putString(String key, String value) {
        return put(key, GgufValueType.STRING, Objects.requireNonNull(value));
    }

    public GgufWriter putUint32(String key, long value) {
        if (value < 0 || value > 0xffffffffL) throw new IllegalArgumentException(key + ": " + value + " is not a uint32");
        return put(key, GgufValueType.UINT32, value);
    }

    public GgufWriter putInt32(String key, int value) {
        return put(key, GgufValueType.INT32, (long) value);
    }

    public GgufWriter putFloat32(String key, float value) {
        return put(key, GgufValueType.FLOAT32, (double) value);
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, GgufValueType.BOOL, value);
    }

    /** An array of one element type: STRING (Strings), BOOL (Booleans), or any number type (numbers). */
    public GgufWriter putArray(String key, GgufValueType elementType, List<?> values) {
        if (elementType == GgufValueType.ARRAY) throw new IllegalArgumentException("GGUF arrays do not nest");
        return put(key, GgufValueType.ARRAY, new Object[] {elementType, List.copyOf(values)});
    }

    /**
     * Copies file's metadata entries whose key passes keep, each with its stored type, in the
     * file's order (the quantizer keeps a model's metadata as llama.cpp's does).
     */
    public GgufWriter copyMetadata(GgufFile file, java.util.function.Predicate<String> keep) {
        file.metadata().forEach((key, value) -> {
            if (!keep.test(key)) return;
            GgufValueType type = file.metadataTypes().get(key);
            if (value instanceof List<?> list) putArray(key, type, list);
            else put(key, type, value);
        });
        return this;
    }

    /** Puts a vocabulary's tokenizer.ggml.* metadata, the keys llama.cpp reads, in llama.cpp's converter's order. */
    public GgufWriter putVocabulary(Vocabulary v) {
        boolean spm = v.model().equals(Vocabulary.SPM);
        putString("tokenizer.ggml.model", v.model());
        if (v.pre() != null) putString("tokenizer.ggml.pre", v.pre());
        putArray("tokenizer.ggml.tokens", GgufValueType.STRING, v.tokens());
        if (spm) {
            List<Float> s = new ArrayList<>(v.size());
            for (float x : v.scores()) s.add(x);
            putArray("tokenizer.ggml.scores", GgufValueType.FLOAT32, s);
        }
        List<Integer> t = new ArrayList<>(v.size());
        for (int x : v.types()) t.add(x);
        putArray("tokenizer.ggml.token_type", GgufValueType.INT32, t);
        if (!spm) putArray("tokenizer.ggml.merges", GgufValueType.STRING, v.merges());
        if (v.bos() >= 0) putUint32("tokenizer.ggml.bos_token_id", v.bos());
        if (v.eos() >= 0) putUint32("tokenizer.ggml.eos_token_id", v.eos());
        if (v.unk() >= 0) putUint32("tokenizer.ggml.unknown_token_id", v.unk());
        putBool("tokenizer.ggml.add_bos_token", v.addBos());
        putBool("tokenizer.ggml.add_eos_token", false);
        if (v.eot() >= 0) putUint32("tokenizer.ggml.eot_token_id", v.eot());
        if (spm && !v.addSpacePrefix()) putBool("tokenizer.ggml.add_space_prefix", false);  // llama.cpp's default is true
        return this;
    }

    private GgufWriter put(String key, GgufValueType type, Object value) {
        Objects.requireNonNull(key, "key must not be null");
        for (Entry e : entries) if (e.key().equals(key)) throw new IllegalArgumentException("metadata key '" + key + "' is already set");
        entries.add(new Entry(key, type, value));
        return this;
    }

    /** A tensor of shape ne (ne[0] varies fastest) in the given type's byte layout. */
    public GgufWriter addTensor(String name, GgmlType type, long[] ne, byte[] data) {
        long bytes = tensorBytes(name, type, ne);
        if (data.length != bytes) throw new IllegalArgumentException("tensor '" + name + "' needs " + bytes + " bytes of " + type + ", got " + data.length);
        tensors.add(new Tensor(name, ne.clone(), type, bytes, out -> out.write(data)));
        return this;
    }

    /** A tensor whose bytes (exactly as many as its type and shape need) are written by data when the file is. */
    public GgufWriter addTensor(String name, GgmlType type, long[] ne, TensorBytes data) {
        tensors.add(new Tensor(name, ne.clone(), type, tensorBytes(name, type, ne), Objects.requireNonNull(data)));
        return this;
    }

    private static long tensorBytes(String name, GgmlType type, long[] ne) {
        Objects.requireNonNull(name, "name must not be null");
        long count = 1;
        for (long d : ne) count = Math.multiplyExact(count, d);
        if (ne.length < 1 || ne.length > GgufFile.MAX_DIMS || ne[0] % type.blockElements() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "': 1.." + GgufFile.MAX_DIMS + " dims with ne[0] a multiple of " + type.blockElements());
        }
        return count / type.blockElements() * type.blockBytes();
    }

    public void write(Path path) throws IOException {
        try (CountingStream out = new CountingStream(new BufferedOutputStream(Files.newOutputStream(path), 1 << 20))) {
            Buf b = new Buf();
            b.u32(GgufFile.MAGIC).u32(3).u64(tensors.size()).u64(entries.size());
            for (Entry e : entries) {
                b.string(e.key()).u32(e.type().id());
                b.value(e.type(), e.value());
            }
            long offset = 0;
            List<Long> offsets = new ArrayList<>();
            for (Tensor t : tensors) {
                offsets.add(offset);
                b.string(t.name()).u32(t.ne().length);
                for (long d : t.ne()) b.u64(d);
                b.u32(t.type().id()).u64(offset);
                offset = align(offset + t.bytes());
            }
            b.pad(align(b.size()) - b.size());
            out.write(b.bytes());
            long dataStart = out.count;
            for (int i = 0; i < tensors.size(); i++) {
                Tensor t = tensors.get(i);
                out.write(new byte[(int) (dataStart + offsets.get(i) - out.count)]);
                t.data().writeTo(out);
                long wrote = out.count - dataStart - offsets.get(i);
                if (wrote != t.bytes()) throw new IllegalStateException("tensor '" + t.name() + "' wrote " + wrote + " bytes, not " + t.bytes());
            }
        }
    }

    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    private static long align(long v) {
        return (v + GgufFile.DEFAULT_ALIGNMENT - 1) / GgufFile.DEFAULT_ALIGNMENT * GgufFile.DEFAULT_ALIGNMENT;
    }

    /** A growable little-endian byte buffer. */
    private static final class Buf {
        private ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        private Buf room(int n) {
            if (buf.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n)).order(ByteOrder.LITTLE_ENDIAN);
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
            return this;
        }

        Buf u32(long v) {
            room(4).buf.putInt((int) v);
            return this;
        }

        Buf u64(long v) {
            room(8).buf.putLong(v);
            return this;
        }

        Buf string(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            u64(bytes.length);
            room(bytes.length).buf.put(bytes);
            return this;
        }

        Buf pad(long n) {
            room((int) n).buf.put(new byte[(int) n]);
            return this;
        }

        void value(GgufValueType type, Object v) {
            switch (type) {
                case STRING -> string((String) v);
                case UINT8, INT8 -> room(1).buf.put((byte) ((Number) v).longValue());
                case UINT16, INT16 -> room(2).buf.putShort((short) ((Number) v).longValue());
                case UINT32, INT32 -> u32(((Number) v).longValue());
                case UINT64, INT64 -> u64(((Number) v).longValue());
                case FLOAT32 -> u32(Float.floatToRawIntBits(((Number) v).floatValue()));
                case FLOAT64 -> u64(Double.doubleToRawLongBits(((Number) v).doubleValue()));
                case BOOL -> room(1).buf.put((byte) ((Boolean) v ? 1 : 0));
                case ARRAY -> {
                    Object[] a = (Object[]) v;
                    GgufValueType elem = (GgufValueType) a[0];
                    List<?> values = (List<?>) a[1];
                    u32(elem.id()).u64(values.size());
                    for (Object o : values) value(elem, o);
                }
                default -> throw new IllegalArgumentException("the writer does not write " + type);
            }
        }

        long size() {
            return buf.position();
        }

        byte[] bytes() {
            return java.util.Arrays.copyOf(buf.array(), buf.position());
        }
    }
}
