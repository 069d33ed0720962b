package dev.vane.bindings;

import java.lang.foreign.MemorySegment;

/** Reads NUL-terminated strings libvane returns (zero-length pointers from a downcall). */
@SuppressWarnings("restricted")
final class CString {
    private CString() {}

    /** The string at s, read within its documented maximum size. */
    static String read(MemorySegment s, long maxBytes) {
        return s.reinterpret(maxBytes).getString(0);
    }
}
