package dev.vane.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * This module's test class path has no vane-native jar and no -Dvane.library.path, so every
 * handle must fail with the loader's explanation, not an UnsatisfiedLinkError or a
 * class-initialization error.
 */
class MissingLibraryTest {
    @Test
    void everyCallExplainsWhereItLooked() {
        NativeLibraryException e = assertThrows(NativeLibraryException.class,
                () -> { MemorySegment unused = (MemorySegment) VaneNative.VERSION.invokeExact(); });
        String m = e.getMessage();
        assertTrue(m.startsWith("Could not load libvane"), m);
        assertTrue(m.contains("-Dvane.library.path: not set"), m);
        assertTrue(m.contains("/dev/vane/native/linux-x86_64/libvane.so: not found"), m);
        assertTrue(m.contains("dev.vane:vane-native:" + NativeLibrary.EXPECTED_VERSION + ":jar:linux-x86_64"), m);

        // The same explanation again on later calls, from any handle (fresh exception each time).
        NativeLibraryException again = assertThrows(NativeLibraryException.class,
                () -> { int unused = (int) VaneNative.SET_THREADS.invokeExact(2); });
        assertEquals(m, again.getMessage());
        assertFalse(e == again);
        assertThrows(NativeLibraryException.class, NativeLibrary::load);
    }

    @Test
    void onlyLinuxX8664IsShipped() {
        assertTrue(NativeLibrary.platformSupported("Linux", "amd64"));
        assertTrue(NativeLibrary.platformSupported("Linux", "x86_64"));
        assertFalse(NativeLibrary.platformSupported("Linux", "aarch64"));
        assertFalse(NativeLibrary.platformSupported("Mac OS X", "x86_64"));
        assertFalse(NativeLibrary.platformSupported("Windows 11", "amd64"));
    }

    @Test
    void versionComesFromTheBuild() {
        assertTrue(NativeLibrary.EXPECTED_VERSION.matches("\\d+\\.\\d+\\.\\d+"), NativeLibrary.EXPECTED_VERSION);
        assertEquals("linux-x86_64", NativeLibrary.CLASSIFIER);
    }
}
