package dev.vane.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vane.model.gguf.GgufFile;
import dev.vane.model.gguf.GgufFormatException;
import dev.vane.model.gguf.GgufTensor;
import java.io.IOException;

/** Arbitrary bytes as a GGUF file: parsed, or refused with a GgufFormatException; never a crash or a hostile-size allocation. */
class GgufReaderFuzzTest {
    private static final ScratchFile FILE = new ScratchFile(".gguf");

    @FuzzTest(maxDuration = "10s")
    void open(byte[] bytes) throws IOException {
        try (GgufFile f = GgufFile.open(FILE.write(bytes))) {
            // Touch what a loader reads next, so a lazily wrong slice would show here too.
            f.metadata().forEach((k, v) -> f.metadataTypes().get(k));
            for (GgufTensor t : f.tensors()) t.data().byteSize();
        } catch (GgufFormatException e) {
            Refusals.requireMessage(e);
        }
    }
}
