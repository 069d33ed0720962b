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

    private static void requireUsable(MemorySegment s, String name) {
        if (s == null) throw new NullPointerException(name + " must not be null");
        if (!s.scope().isAlive()) throw new IllegalStateException(name + ": its arena is already closed");
        if (!s.isAccessibleBy(Thread.currentThread())) {
            throw new IllegalStateException(name + ": the segment is confined to another thread");
        }
    }
}
