package dev.vane.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vane.model.safetensors.SafetensorsFile;
import dev.vane.model.safetensors.SafetensorsFormatException;
import java.io.IOException;

/** Arbitrary bytes as a safetensors file (8-byte length, JSON header, data): parsed, or refused with a SafetensorsFormatException. */
class SafetensorsHeaderFuzzTest {
    private static final ScratchFile FILE = new ScratchFile(".safetensors");

    @FuzzTest(maxDuration = "10s")
    void open(byte[] bytes) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(FILE.write(bytes))) {
            f.tensors().values().forEach(t -> t.data().byteSize());
        } catch (SafetensorsFormatException e) {
            Refusals.requireMessage(e);
        }
    }
}
