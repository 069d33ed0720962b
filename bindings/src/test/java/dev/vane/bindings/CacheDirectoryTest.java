package dev.vane.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The extraction directory is trusted only if no other user could swap the library in it. */
class CacheDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void createsAPrivateDirectory() throws IOException {
        Path dir = tmp.resolve("fresh");
        NativeLibrary.requirePrivateDirectory(dir);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        NativeLibrary.requirePrivateDirectory(dir);  // and accepts it the next time
    }

    @Test
    void refusesADirectoryOthersCanWrite() throws IOException {
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        IOException e = assertThrows(IOException.class, () -> NativeLibrary.requirePrivateDirectory(shared));
        assertTrue(e.getMessage().contains("writable by other users"), e.getMessage());
    }

    @Test
    void refusesASymbolicLink() throws IOException {
        Path target = Files.createDirectory(tmp.resolve("elsewhere"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), target);
        IOException e = assertThrows(IOException.class, () -> NativeLibrary.requirePrivateDirectory(link));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    }

    @Test
    void refusesAFile() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThrows(IOException.class, () -> NativeLibrary.requirePrivateDirectory(file));
    }
}
