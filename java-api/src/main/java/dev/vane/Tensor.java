package dev.vane;

import dev.vane.internal.Segments;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;

/**
 * A dense row-major tensor of activations in native memory: a shape, a {@link DType} and a
 * {@link MemorySegment}. A tensor made by {@link #allocate(long...)} or {@link #of} owns a shared
 * arena and frees it on {@link #close()}; one made from a caller's arena or by {@link #wrap}
 * leaves the memory's lifetime to its owner, and {@code close()} does nothing.
 */
public final class Tensor implements AutoCloseable {
    private final MemorySegment segment;
    private final long[] shape;
    private final Arena owned;

    private Tensor(MemorySegment segment, long[] shape, Arena owned) {
        this.segment = segment;
        this.shape = shape;
        this.owned = owned;
    }

    /** A zero-filled f32 tensor that owns its memory (free it with close()). */
    public static Tensor allocate(long... shape) {
        long[] s = checkShape(shape);
        Arena arena = Arena.ofShared();
        try {
            return new Tensor(arena.allocate(ValueLayout.JAVA_FLOAT, count(s)), s, arena);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** A zero-filled f32 tensor in the caller's arena. */
    public static Tensor allocate(Arena arena, long... shape) {
        Objects.requireNonNull(arena, "arena must not be null");
        long[] s = checkShape(shape);
        return new Tensor(arena.allocate(ValueLayout.JAVA_FLOAT, count(s)), s, null);
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
        long[] s = checkShape(shape);
        long bytes = Math.multiplyExact(count(s), (long) Float.BYTES);
        Segments.requireReadable(segment, "segment", bytes, "f32 " + Arrays.toString(s));
        Segments.requireFloatAligned(segment, "segment");
        return new Tensor(segment.asSlice(0, bytes), s, null);
    }

    public DType dtype() {
        return DType.F32;
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

    /** The tensor's memory: elementCount() floats, row-major. */
    public MemorySegment segment() {
        return segment;
    }

    /** The element at these indices, one per axis. */
    public float get(long... index) {
        return segment.getAtIndex(ValueLayout.JAVA_FLOAT, offset(index));
    }

    public void set(float value, long... index) {
        segment.setAtIndex(ValueLayout.JAVA_FLOAT, offset(index), value);
    }

    /** A copy of the elements, row-major. */
    public float[] toFloatArray() {
        if (elementCount() > Integer.MAX_VALUE - 8) throw new IllegalStateException("too many elements for a float[]: " + elementCount());
        return segment.toArray(ValueLayout.JAVA_FLOAT);
    }

    /** Frees the memory if this tensor owns it. */
    @Override
    public void close() {
        if (owned != null) owned.close();
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + " " + dtype();
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
