package dev.vane.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.model.gguf.GgmlType;
import dev.vane.tools.generate.ModelGenerator;
import dev.vane.tools.generate.ModelSpec;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model.warmUp: runs for its budget, leaves nothing behind, changes no result. */
class WarmUpTest {
    @TempDir
    Path dir;

    static final ModelSpec TINY = new ModelSpec(64, 2, 4, 2, 128, 400, 0, 0, 256, 10000f, 1e-5f, GgmlType.F32, ModelSpec.TokenizerKind.SPM, 3);

    @Test
    void runsForItsBudgetAndChangesNoResult() throws Exception {
        Path f = dir.resolve("tiny.gguf");
        ModelGenerator.writeGguf(TINY, f);
        try (Model model = Model.load(f)) {
            int[] prompt = {1, 17, 42, 99};
            float[] before;
            try (Session s = model.newSession()) {
                before = s.prefill(prompt);
            }
            assertTrue(model.warmUp(Duration.ZERO) >= 1, "a zero budget still runs one generation");
            long t0 = System.nanoTime();
            long tokens = model.warmUp(Duration.ofMillis(300));
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(seconds >= 0.3 && seconds < 5, "ran " + seconds + " s for a 0.3 s budget");
            assertTrue(tokens > 100, "only " + tokens + " tokens in 0.3 s on a 2-layer d-64 model");
            try (Session s = model.newSession()) {
                assertArrayEquals(before, s.prefill(prompt), "the warm-up touched no state a session sees");
            }
            assertThrows(IllegalArgumentException.class, () -> model.warmUp(Duration.ofMillis(-1)));
            assertThrows(IllegalArgumentException.class, () -> model.warmUp(null));
        }  // close() would throw if the warm-up had left its session open
        Model closed = Model.load(f);
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.warmUp(Duration.ZERO));
    }
}
