package dev.vane.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** vane bench model's command line: which cases and peers a run gets, and the rejected lines. */
class ModelOptionsTest {
    static final String NO_BUILD = "--llama-cpp=/nonexistent/llama-cpp-native";

    @Test
    void aDefaultRunHasEveryCaseAndSaysWhenLlamaCppIsNotBuilt() {
        BenchCli.ModelOptions o = BenchCli.parseModel(new String[] {NO_BUILD});
        assertEquals(List.of("q4_0", "q8_0"), o.denseFormats());
        assertEquals(List.of("q4_0"), o.moeFormats());
        assertEquals(List.of("f16", "q4_0"), o.checkpointFormats());
        assertTrue(o.embedded());
        assertNull(o.peers().llamaCpp());
        assertTrue(o.llamaCppMissing() && o.peers().kherud() && o.peers().jlama());
    }

    @Test
    void embeddedAloneRunsOnlyTheEmbeddedModel() {
        BenchCli.ModelOptions o = BenchCli.parseModel(new String[] {"--embedded", NO_BUILD});
        assertTrue(o.embedded());
        assertEquals(List.of(), o.denseFormats());
        assertEquals(List.of(), o.moeFormats());
        assertEquals(List.of(), o.checkpointFormats());
    }

    @Test
    void peersChooseTheCases() {
        BenchCli.ModelOptions jlama = BenchCli.parseModel(new String[] {"--peers=jlama", NO_BUILD});
        assertEquals(List.of(), jlama.denseFormats(), "the GGUF cases need a GGUF peer");
        assertEquals(List.of("f16", "q4_0"), jlama.checkpointFormats());
        assertFalse(jlama.embedded());
        BenchCli.ModelOptions kherud = BenchCli.parseModel(new String[] {"--peers=de.kherud", "--formats=q4_k_m", "--dense"});
        assertEquals(List.of("q4_k_m"), kherud.denseFormats());
        assertEquals(List.of(), kherud.checkpointFormats());
        assertFalse(kherud.llamaCppMissing(), "not asked for, so not missing");
    }

    @Test
    void badLinesAreRejectedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchCli.parseModel(new String[] {"--peers=ollama"})).getMessage()
                .contains("unknown peer 'ollama'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchCli.parseModel(new String[] {"--peers=llama.cpp", NO_BUILD})).getMessage()
                .contains("bench/llama-cpp-native.sh"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchCli.parseModel(new String[] {"--checkpoint=q8_0"})).getMessage()
                .contains("checkpoint formats are f16 and q4_0"));
        assertThrows(IllegalArgumentException.class, () -> BenchCli.parseModel(new String[] {"--peers="}));
        assertThrows(IllegalArgumentException.class, () -> BenchCli.parseModel(new String[] {"--formats=q9_9"}));
    }
}
