package dev.vane.internal;

import java.lang.foreign.MemorySegment;

/** Checks made on every MemorySegment before it is handed to native code. Internal. */
public final class Segments {
    private Segments() {}

    /** A segment native code will read: non-null, alive, usable by this thread, large enough. */
    public static void requireReadable(MemorySegment s, String name, long bytes, String what) {
        requireUsable(s, name);
        if (s.byteSize() < bytes) {
            throw new IllegalArgumentException(name + " is too small: " + what + " needs " + bytes
                    + " bytes, the segment has " + s.byteSize());
        }
    }

    /** As {@link #requireReadable}, and writable. */
    public static void requireWritable(MemorySegment s, String name, long bytes, String what) {
        requireReadable(s, name, bytes, what);
        if (s.isReadOnly()) throw new IllegalArgumentException(name + " is read-only; native code must write it");
    }

    /** For downcalls that cannot take heap memory (they may run long, outside a critical region). */
    public static void requireNative(MemorySegment s, String name) {
        if (!s.isNative()) {
            throw new IllegalArgumentException(name + " must be native memory (from an Arena or a mapped file),"
                    + " not a heap segment; use the array overload or copy it into an Arena");
        }
    }

    /** Native code reads one while writing the other: they must not share any byte. */
    public static void requireDisjoint(MemorySegment src, MemorySegment dst) {
        if (src.asOverlappingSlice(dst).isPresent()) {
            throw new IllegalArgumentException("src and dst overlap; in-place conversion is not supported, use separate buffers");
        }
    }

    /** f32 data must sit on a 4-byte boundary (a misaligned float pointer is undefined behaviour in C). */
    public static void requireFloatAligned(MemorySegment s, String name) {
        requireAligned(s, name, Float.BYTES, "f32");
    }

    /** Throws unless s is aligned to `bytes` (the size of its elements, `what`). */
    public static void requireAligned(MemorySegment s, String name, int bytes, String what) {
        // A heap segment is only as aligned as its array's elements; address() is its offset there.
        long baseAlignment = s.heapBase().map(Segments::elementSize).orElse((long) bytes);
        if (baseAlignment < bytes || s.address() % bytes != 0) {
            throw new IllegalArgumentException(name + " holds " + what + " values but its address is not " + bytes + "-byte aligned");
        }
    }

    private static long elementSize(Object array) {
        return switch (array) {
            case long[] a -> 8;
            case double[] a -> 8;
            case int[] a -> 4;
            case float[] a -> 4;
            case short[] a -> 2;
            case char[] a -> 2;
            default -> 1;
        };
    }

    private static void requireUsable(MemorySegment s, String name) {
        if (s == null) throw new NullPointerException(name + " must not be null");
        if (!s.scope().isAlive()) throw new IllegalStateException(name + ": its arena is already closed");
        if (!s.isAccessibleBy(Thread.currentThread())) {
            throw new IllegalStateException(name + ": the segment is confined to another thread");
        }
    }
}
