package dev.vane;

import dev.vane.internal.Segments;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;

/**
 * A dense row-major tensor in native memory: a shape, a {@link DType} and a {@link MemorySegment}.
 * A tensor made by {@link #allocate(long...)} or {@link #of} owns a shared arena and frees it on
 * {@link #close()}; one made from a caller's arena or by {@link #wrap} leaves the memory's
 * lifetime to its owner, and {@code close()} does nothing. The kernels take F32 activations;
 * F16, BF16 and I32 tensors hold data on its way in or out (model tensors, token ids).
 */
public final class Tensor implements AutoCloseable {
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT;

    private final MemorySegment segment;
    private final DType dtype;
    private final long[] shape;
    private final Arena owned;

    private Tensor(MemorySegment segment, DType dtype, long[] shape, Arena owned) {
        this.segment = segment;
        this.dtype = dtype;
        this.shape = shape;
        this.owned = owned;
    }

    /** A zero-filled f32 tensor that owns its memory (free it with close()). */
    public static Tensor allocate(long... shape) {
        return allocate(DType.F32, shape);
    }

    /** A zero-filled tensor of the given type that owns its memory (free it with close()). */
    public static Tensor allocate(DType dtype, long... shape) {
        Objects.requireNonNull(dtype, "dtype must not be null");
        long[] s = checkShape(shape);
        Arena arena = NativeMemory.sharedArena();
        try {
            return new Tensor(arena.allocate(byteSize(dtype, s), 64), dtype, s, arena);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** A zero-filled f32 tensor in the caller's arena. */
    public static Tensor allocate(Arena arena, long... shape) {
        return allocate(arena, DType.F32, shape);
    }

    /** A zero-filled tensor of the given type in the caller's arena. */
    public static Tensor allocate(Arena arena, DType dtype, long... shape) {
        Objects.requireNonNull(arena, "arena must not be null");
        Objects.requireNonNull(dtype, "dtype must not be null");
        long[] s = checkShape(shape);
        return new Tensor(arena.allocate(byteSize(dtype, s), 64), dtype, s, null);
    }

    /** An f32 tensor holding a copy of data (length = product of shape), owning its memory. */
    public static Tensor of(float[] data, long... shape) {
        Objects.requireNonNull(data, "data must not be null");
        long[] s = checkShape(shape);
        if (count(s) != data.length) {
            throw new IllegalArgumentException("data has " + data.length + " floats but shape " + Arrays.toString(s)
                    + " holds " + count(s));
        }
        Tensor t = allocate(s);
        MemorySegment.copy(data, 0, t.segment, ValueLayout.JAVA_FLOAT, 0, data.length);
        return t;
    }

    /** A view of existing f32 memory (zero-copy): the segment must hold the whole shape. */
    public static Tensor wrap(MemorySegment segment, long... shape) {
        return wrap(segment, DType.F32, shape);
    }

    /**
     * A view of existing memory of the given type (zero-copy): the segment must hold the whole
     * shape and be aligned to the element size.
     */
    public static Tensor wrap(MemorySegment segment, DType dtype, long... shape) {
        Objects.requireNonNull(dtype, "dtype must not be null");
        long[] s = checkShape(shape);
        long bytes = byteSize(dtype, s);
        Segments.requireReadable(segment, "segment", bytes, dtype + " " + Arrays.toString(s));
        Segments.requireAligned(segment, "segment", dtype.byteSize(), dtype.toString());
        return new Tensor(segment.asSlice(0, bytes), dtype, s, null);
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int axis) {
        return shape[axis];
    }

    public long elementCount() {
        return count(shape);
    }

    /** The tensor's memory: elementCount() elements of dtype(), row-major. */
    public MemorySegment segment() {
        return segment;
    }

    /** The element at these indices, one per axis, as a float (F32, F16, BF16 tensors). */
    public float get(long... index) {
        long i = offset(index);
        return switch (dtype) {
            case F32 -> segment.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            case F16 -> Float.float16ToFloat(segment.getAtIndex(HALF, i));
            case BF16 -> Float.intBitsToFloat((segment.getAtIndex(HALF, i) & 0xffff) << 16);
            case I32 -> throw new IllegalStateException("an I32 tensor holds integers: use getInt, not get");
        };
    }

    /** Sets an element of an F32, F16 or BF16 tensor (rounded to nearest even for F16 and BF16). */
    public void set(float value, long... index) {
        long i = offset(index);
        switch (dtype) {
            case F32 -> segment.setAtIndex(ValueLayout.JAVA_FLOAT, i, value);
            case F16 -> segment.setAtIndex(HALF, i, Float.floatToFloat16(value));
            case BF16 -> segment.setAtIndex(HALF, i, toBf16(value));
            case I32 -> throw new IllegalStateException("an I32 tensor holds integers: use setInt, not set");
        }
    }

    /** The element of an I32 tensor at these indices. */
    public int getInt(long... index) {
        requireI32("getInt");
        return segment.getAtIndex(ValueLayout.JAVA_INT, offset(index));
    }

    /** Sets an element of an I32 tensor. */
    public void setInt(int value, long... index) {
        requireI32("setInt");
        segment.setAtIndex(ValueLayout.JAVA_INT, offset(index), value);
    }

    /** A copy of the elements of an F32, F16 or BF16 tensor as floats, row-major. */
    public float[] toFloatArray() {
        if (elementCount() > Integer.MAX_VALUE - 8) throw new IllegalStateException("too many elements for a float[]: " + elementCount());
        if (dtype == DType.F32) return segment.toArray(ValueLayout.JAVA_FLOAT);
        if (dtype == DType.I32) throw new IllegalStateException("an I32 tensor holds integers: use segment() to read them");
        float[] out = new float[(int) elementCount()];
        for (int i = 0; i < out.length; i++) {
            short h = segment.getAtIndex(HALF, i);
            out[i] = dtype == DType.F16 ? Float.float16ToFloat(h) : Float.intBitsToFloat((h & 0xffff) << 16);
        }
        return out;
    }

    /** Throws unless this tensor is expected: the message names the tensor, both types and the shape. */
    public void requireDType(DType expected, String name) {
        if (dtype != expected) {
            throw new IllegalArgumentException(name + " must be " + expected + ", got " + this
                    + (expected == DType.F32 && dtype.isFloatingPoint() ? " (convert it to F32 first)" : ""));
        }
    }

    /** Frees the memory if this tensor owns it. */
    @Override
    public void close() {
        if (owned != null) owned.close();
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + " " + dtype;
    }

    private void requireI32(String what) {
        if (dtype != DType.I32) throw new IllegalStateException(what + " needs an I32 tensor, this one is " + dtype + ": use get/set");
    }

    // Round to nearest even; NaN stays NaN (quiet).
    private static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((bits >>> 16) | 0x40);
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    private static long byteSize(DType dtype, long[] shape) {
        return Math.multiplyExact(count(shape), (long) dtype.byteSize());
    }

    private long offset(long[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("expected " + shape.length + " indices for shape " + Arrays.toString(shape)
                    + ", got " + index.length);
        }
        long off = 0;
        for (int i = 0; i < shape.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " is outside shape " + Arrays.toString(shape));
            }
            off = off * shape[i] + index[i];
        }
        return off;
    }

    private static long[] checkShape(long[] shape) {
        Objects.requireNonNull(shape, "shape must not be null");
        if (shape.length == 0) throw new IllegalArgumentException("a tensor needs at least one dimension");
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("dimensions must be >= 0, got " + Arrays.toString(shape));
        }
        long n = 1;
        for (long d : shape) {
            if (d != 0 && n > (1L << 60) / d) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large");
            n *= d;
        }
        return shape.clone();
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }
}
