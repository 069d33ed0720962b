package dev.vane.model.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
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
 * A GGUF file (versions 2 and 3), memory-mapped read-only: header, metadata, tensor infos, and
 * each tensor's bytes as a zero-copy slice of the mapping. Every count, length and offset is
 * checked against the file before it is used, so a truncated or hostile file fails with a
 * {@link GgufFormatException} that says what was expected and where, never with a crash or an
 * allocation of the size a corrupt field claims.
 *
 * <p>Metadata values are Java objects: integers as {@code Long}, floats as {@code Double},
 * {@code Boolean}, {@code String}, arrays as {@code List}.
 */
public final class GgufFile implements AutoCloseable {
    /** The file's first four bytes, "GGUF", read as a little-endian uint32. */
    public static final int MAGIC = 0x46554747;
    /** Where tensor data is aligned when general.alignment is absent. */
    public static final long DEFAULT_ALIGNMENT = 32;
    /** The most dimensions a tensor may have. */
    public static final int MAX_DIMS = 4;
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private final Arena arena;
    private final MemorySegment file;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, GgufValueType> metadataTypes;  // arrays: the element type
    private final List<GgufTensor> tensors;
    private final long alignment;
    private long pos;

    private GgufFile(Arena arena, MemorySegment file) {
        this.arena = arena;
        this.file = file;
        if (file.byteSize() < 24) throw new GgufFormatException("a GGUF file starts with a 24-byte header; this file has " + file.byteSize() + " bytes", 0);
        int magic = file.get(U32, 0);
        if (magic != MAGIC) throw new GgufFormatException(String.format("not a GGUF file: magic 0x%08x, expected 0x%08x (\"GGUF\")", magic, MAGIC), 0);
        version = file.get(U32, 4);
        if (version != 2 && version != 3) throw new GgufFormatException("GGUF version " + version + " is not supported (2 and 3 are)", 4);
        long tensorCount = file.get(U64, 8), kvCount = file.get(U64, 16);
        pos = 24;
        // Each metadata entry takes at least 8 + 4 + 1 bytes, each tensor info 8 + 4 + 8 + 4 + 8.
        requireCount(kvCount, 13, "metadata entries");
        requireCount(tensorCount, 32, "tensor infos");
        Map<String, Object> meta = new LinkedHashMap<>();
        Map<String, GgufValueType> types = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            long at = pos;
            String key = readString("metadata key");
            GgufValueType type = valueType();
            if (type == GgufValueType.ARRAY) {
                long p = pos;
                types.put(key, valueType());  // peeked again by value()
                pos = p;
            } else {
                types.put(key, type);
            }
            Object value = value(type, key);
            if (meta.putIfAbsent(key, value) != null) throw new GgufFormatException("metadata key '" + key + "' appears twice", at);
        }
        metadata = Collections.unmodifiableMap(meta);
        metadataTypes = Collections.unmodifiableMap(types);
        Object align = meta.getOrDefault("general.alignment", DEFAULT_ALIGNMENT);
        if (!(align instanceof Long a) || a < 1 || a > (1 << 20) || (a & (a - 1)) != 0) {
            throw new GgufFormatException("general.alignment must be a power of two up to 2^20, got " + align, 0);
        }
        alignment = (Long) align;
        record Info(String name, long[] ne, GgmlType type, long offset, long at) {}
        List<Info> infos = new ArrayList<>();
        for (long i = 0; i < tensorCount; i++) {
            long at = pos;
            String name = readString("tensor name");
            long dims = u32("tensor dimension count") & 0xffffffffL;
            if (dims < 1 || dims > MAX_DIMS) throw new GgufFormatException("tensor '" + name + "' has " + dims + " dimensions; 1.." + MAX_DIMS + " expected", at);
            long[] ne = new long[(int) dims];
            long count = 1;
            for (int d = 0; d < dims; d++) {
                ne[d] = u64("tensor dimension");
                if (ne[d] < 0 || (ne[d] > 0 && count > (1L << 60) / ne[d])) {
                    throw new GgufFormatException("tensor '" + name + "' dimension " + d + " = " + Long.toUnsignedString(ne[d]) + " is out of range", pos - 8);
                }
                count *= ne[d];
            }
            long typeId = u32("tensor type") & 0xffffffffL;
            GgmlType type = GgmlType.ofId(typeId);
            if (type == null) throw new GgufFormatException("tensor '" + name + "' has unknown type id " + typeId, pos - 4);
            if (ne[0] % type.blockElements() != 0) {
                throw new GgufFormatException("tensor '" + name + "' has " + ne[0] + " columns, not a multiple of the " + type + " block of "
                        + type.blockElements(), at);
            }
            long offset = u64("tensor data offset");
            if (offset < 0 || offset % alignment != 0) {
                throw new GgufFormatException("tensor '" + name + "' data offset " + Long.toUnsignedString(offset) + " is not a multiple of the alignment " + alignment, pos - 8);
            }
            infos.add(new Info(name, ne, type, offset, at));
        }
        long dataStart = (pos + alignment - 1) / alignment * alignment;
        List<GgufTensor> list = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Info t : infos) {
            if (!names.add(t.name())) throw new GgufFormatException("tensor '" + t.name() + "' appears twice", t.at());
            long count = 1;
            for (long d : t.ne()) count *= d;
            long bytes = count / t.type().blockElements() * t.type().blockBytes();
            long start = dataStart + t.offset();
            if (start < dataStart || start > file.byteSize() || bytes > file.byteSize() - start) {
                throw new GgufFormatException("tensor '" + t.name() + "' (" + bytes + " bytes at data offset " + t.offset() + ") runs past the end of the file ("
                        + file.byteSize() + " bytes)", t.at());
            }
            list.add(new GgufTensor(t.name(), t.ne(), t.type(), start, file.asSlice(start, bytes)));
        }
        tensors = Collections.unmodifiableList(list);
    }

    /** Maps and parses a GGUF file. Close it to unmap. */
    public static GgufFile open(Path path) throws IOException {
        Objects.requireNonNull(path, "path must not be null");
        Arena arena = dev.vane.NativeMemory.sharedArena();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return new GgufFile(arena, file);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    public int version() {
        return version;
    }

    public long alignment() {
        return alignment;
    }

    /** All metadata, in file order. */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /** All tensors, in file order. */
    /**
     * The stored type of each metadata value (for an array, its elements' type), in file order:
     * what a writer needs to copy the metadata without changing a type llama.cpp checks.
     */
    public Map<String, GgufValueType> metadataTypes() {
        return metadataTypes;
    }

    public List<GgufTensor> tensors() {
        return tensors;
    }

    /** The tensor with this name. */
    public GgufTensor tensor(String name) {
        for (GgufTensor t : tensors) if (t.name().equals(name)) return t;
        throw new IllegalArgumentException("no tensor named '" + name + "' in this file (" + tensors.size() + " tensors)");
    }

    /** A string metadata value. */
    public String string(String key) {
        return typed(key, String.class, "a string");
    }

    /** An integer metadata value (any integer type). */
    public long integer(String key) {
        return typed(key, Long.class, "an integer");
    }

    /** A floating-point metadata value (float32 or float64). */
    public double real(String key) {
        return typed(key, Double.class, "a float");
    }

    /** An array metadata value. */
    public List<?> array(String key) {
        return typed(key, List.class, "an array");
    }

    private <T> T typed(String key, Class<T> type, String what) {
        Object v = metadata.get(key);
        if (v == null) throw new IllegalArgumentException("metadata key '" + key + "' is missing");
        if (!type.isInstance(v)) throw new IllegalArgumentException("metadata key '" + key + "' is " + v.getClass().getSimpleName() + ", expected " + what);
        return type.cast(v);
    }

    /** Unmaps the file; tensors and matrices made from it become unusable. */
    @Override
    public void close() {
        arena.close();
    }

    // ---- parsing, every read checked against the file's end ----

    private void need(long bytes, String what) {
        if (bytes < 0 || bytes > file.byteSize() - pos) {
            throw new GgufFormatException(what + " needs " + Long.toUnsignedString(bytes) + " bytes but the file ends " + (file.byteSize() - pos) + " bytes later", pos);
        }
    }

    private void requireCount(long count, long minBytesEach, String what) {
        if (count < 0 || count > (file.byteSize() - pos) / minBytesEach) {
            throw new GgufFormatException("the header claims " + Long.toUnsignedString(count) + " " + what + ", more than a " + file.byteSize() + "-byte file can hold", pos);
        }
    }

    private int u32(String what) {
        need(4, what);
        int v = file.get(U32, pos);
        pos += 4;
        return v;
    }

    private long u64(String what) {
        need(8, what);
        long v = file.get(U64, pos);
        pos += 8;
        return v;
    }

    private String readString(String what) {
        long len = u64(what + " length");
        need(len, what);
        if (len > Integer.MAX_VALUE - 8) throw new GgufFormatException(what + " of " + len + " bytes is too long", pos);
        byte[] bytes = file.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            pos += len;
            return s;
        } catch (CharacterCodingException e) {
            throw new GgufFormatException(what + " is not valid UTF-8", pos);
        }
    }

    private GgufValueType valueType() {
        long id = u32("value type") & 0xffffffffL;
        GgufValueType t = GgufValueType.ofId(id);
        if (t == null) throw new GgufFormatException("unknown metadata value type " + id, pos - 4);
        return t;
    }

    private Object value(GgufValueType type, String key) {
        switch (type) {
            case UINT8 -> {
                need(1, key);
                return (long) (file.get(ValueLayout.JAVA_BYTE, pos++) & 0xff);
            }
            case INT8 -> {
                need(1, key);
                return (long) file.get(ValueLayout.JAVA_BYTE, pos++);
            }
            case UINT16, INT16 -> {
                need(2, key);
                short v = file.get(ValueLayout.JAVA_SHORT_UNALIGNED, pos);
                pos += 2;
                return type == GgufValueType.UINT16 ? (long) (v & 0xffff) : (long) v;
            }
            case UINT32 -> {
                return u32(key) & 0xffffffffL;
            }
            case INT32 -> {
                return (long) u32(key);
            }
            case UINT64, INT64 -> {
                return u64(key);
            }
            case FLOAT32 -> {
                return (double) Float.intBitsToFloat(u32(key));
            }
            case FLOAT64 -> {
                return Double.longBitsToDouble(u64(key));
            }
            case BOOL -> {
                need(1, key);
                byte b = file.get(ValueLayout.JAVA_BYTE, pos);
                if (b != 0 && b != 1) throw new GgufFormatException("metadata '" + key + "' is a bool of value " + b + " (0 or 1 expected)", pos);
                pos++;
                return b == 1;
            }
            case STRING -> {
                return readString("metadata '" + key + "'");
            }
            default -> {  // ARRAY
                GgufValueType elem = valueType();
                if (elem == GgufValueType.ARRAY) throw new GgufFormatException("metadata '" + key + "' is an array of arrays, which GGUF files do not hold", pos - 4);
                long n = u64("array length");
                requireCount(n, elem.minBytes(), "elements of '" + key + "'");
                List<Object> list = new ArrayList<>((int) Math.min(n, 1 << 20));
                for (long i = 0; i < n; i++) list.add(value(elem, key));
                return Collections.unmodifiableList(list);
            }
        }
    }

    @Override
    public String toString() {
        return "GgufFile[v" + version + ", " + metadata.size() + " metadata, " + tensors.size() + " tensors, " + file.byteSize() + " bytes]";
    }
}
