package dev.vane.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One temporary file per fuzzer, rewritten for each input: the readers map files, so the bytes go through the real open path. */
final class ScratchFile {
    private final Path path;

    ScratchFile(String suffix) {
        try {
            path = Files.createTempFile("vane-fuzz-", suffix);
            path.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the fuzzer's scratch file", e);
        }
    }

    Path write(byte[] bytes) {
        try {
            return Files.write(path, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the fuzzer's scratch file " + path, e);
        }
    }
}
