package dev.vane.bench.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.CpuVariant;
import dev.vane.MachineCeilings;
import dev.vane.model.json.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The model benchmark's arithmetic and output shape, on made-up samples (no timing). */
class ModelResultTest {
    // Ceilings: 10 GB/s read, 100 GFLOP/s FMA, 200 Gop/s int8.
    static final MachineCeilings CEILINGS = new MachineCeilings(10, 100, 200, 2, CpuVariant.BASELINE);

    static ModelResult result() {
        // Vane: prefill 0.5 s (128 tokens -> 256 tok/s) in runs 1 and 3, decode 10 ms/token, TTFT 100 ms.
        ModelResult.Engine vane = new ModelResult.Engine("vane", 1.5, new double[] {0.5, 0.4, 0.5, 0.6, 0.5},
                new double[] {0.010, 0.010, 0.009, 0.011, 0.010}, new double[] {0.1, 0.1, 0.1, 0.1, 0.1},
                new double[] {2.0, 2.0, 2.0, 2.0, 2.0});
        // llama.cpp: twice Vane's prefill time, the same decode, half its TTFT, run by run.
        ModelResult.Engine llama = new ModelResult.Engine("llama.cpp", 0.5, new double[] {1.0, 0.8, 1.0, 1.2, 1.0},
                new double[] {0.010, 0.010, 0.009, 0.011, 0.010}, new double[] {0.05, 0.05, 0.05, 0.05, 0.05},
                new double[] {3.0, 3.0, 3.0, 3.0, 3.0});
        // de.kherud: a quarter of Vane's speed everywhere.
        ModelResult.Engine kherud = new ModelResult.Engine("de.kherud", 2.0, new double[] {2.0, 1.6, 2.0, 2.4, 2.0},
                new double[] {0.040, 0.040, 0.036, 0.044, 0.040}, new double[] {0.4, 0.4, 0.4, 0.4, 0.4},
                new double[] {8.0, 8.0, 8.0, 8.0, 8.0});
        return new ModelResult("llama-0.5b", "q4_0", 2, 400_000_000L, 200_000_000L, 2.0e12, 128, 64, 32, 512, List.of(vane, llama, kherud), List.of(17, 9),
                CEILINGS);
    }

    @Test
    void ratiosArePerRunPeerTimeOverVaneTime() {
        ModelResult r = result();
        ModelResult.Engine llama = r.peers().get(0), kherud = r.peers().get(1);
        assertEquals(2.0, r.prefillRatio(llama).median(), 1e-12);
        assertEquals(2.0, r.prefillRatio(llama).p10(), 1e-12);
        assertEquals(2.0, r.prefillRatio(llama).p90(), 1e-12);
        assertEquals(1.0, r.decodeRatio(llama).median(), 1e-12);
        assertEquals(0.5, r.ttftRatio(llama).median(), 1e-12);
        assertEquals(4.0, r.prefillRatio(kherud).median(), 1e-12);
        assertEquals(4.0, r.decodeRatio(kherud).median(), 1e-12);
        assertEquals(4.0, r.ttftRatio(kherud).median(), 1e-12);
        assertEquals(1.5, r.longPrefillRatio(llama).median(), 1e-12);
        assertEquals(4.0, r.longPrefillRatio(kherud).median(), 1e-12);
    }

    @Test
    void ratesAndFractionsComeFromTheMedians() {
        ModelResult r = result();
        assertEquals(256.0, r.prefillTps(r.vane()), 1e-9);
        assertEquals(100.0, r.decodeTps(r.vane()), 1e-9);
        assertEquals(50.0, r.decodeFloorTps(), 1e-9);           // 10 GB/s / 200 MB per token
        assertEquals(2.0, r.fracRead(r.vane()), 1e-9);           // 100 tok/s against a 50 tok/s floor
        assertEquals(40.0, r.fracFma(r.vane()), 1e-9);           // 2e12 FLOP / 0.5 s = 4 TFLOP/s over 100 GFLOP/s
        assertEquals(20.0, r.fracInt8(r.vane()), 1e-9);
        assertEquals(20.0, r.fracFma(r.peers().get(0)), 1e-9);
    }

    @Test
    void jsonIsOneWellFormedObjectInTheHarnessShape() {
        String line = result().toJson();
        assertTrue(!line.contains("\n"), line);
        Map<?, ?> m = assertInstanceOf(Map.class, Json.parse(line));
        assertEquals("model", m.get("family"));
        assertEquals("llama-0.5b", m.get("model"));
        assertEquals("q4_0", m.get("format"));
        assertEquals(256.0, ((Number) m.get("vane_prefill_tps")).doubleValue(), 1e-3);
        assertEquals(128.0, ((Number) m.get("llama_cpp_prefill_tps")).doubleValue(), 1e-3);
        assertEquals(100.0, ((Number) m.get("vane_ttft_ms")).doubleValue(), 1e-3);
        assertEquals(256.0, ((Number) m.get("vane_long_prefill_tps")).doubleValue(), 1e-3);
        assertEquals(5, ((Number) m.get("runs")).intValue());
        assertEquals(64.0, ((Number) m.get("de_kherud_prefill_tps")).doubleValue(), 1e-3);
        Map<?, ?> peers = assertInstanceOf(Map.class, m.get("peers"));
        assertEquals(2.0, ((Number) peers.get("llama_cpp_prefill")).doubleValue(), 1e-9);
        assertEquals(1.0, ((Number) peers.get("llama_cpp_decode")).doubleValue(), 1e-9);
        assertEquals(0.5, ((Number) peers.get("llama_cpp_ttft")).doubleValue(), 1e-9);
        assertEquals(17, ((Number) peers.get("llama_cpp_same_tokens")).intValue());
        assertEquals(4.0, ((Number) peers.get("de_kherud_decode")).doubleValue(), 1e-9);
        assertEquals(9, ((Number) peers.get("de_kherud_same_tokens")).intValue());
    }

    @Test
    void tableHasARowPerEngineThenARatioRowPerPeer() {
        String[] rows = result().tableRows().split("\n");
        assertEquals(5, rows.length);
        assertTrue(rows[0].contains("vane") && rows[1].contains("llama.cpp") && rows[2].contains("de.kherud"), String.join("\n", rows));
        assertTrue(rows[3].contains("/llama.cpp") && rows[3].contains("2.00x") && rows[3].contains("17/64"), rows[3]);
        assertTrue(rows[4].contains("/de.kherud") && rows[4].contains("4.00x") && rows[4].contains("9/64"), rows[4]);
    }

    @Test
    void needsAPeerAndASameTokenCountEach() {
        ModelResult r = result();
        assertThrows(IllegalArgumentException.class, () -> new ModelResult("m", "f", 2, 1, 1, 1, 128, 64, 32, 512, List.of(r.vane()), List.of(), CEILINGS));
        assertThrows(IllegalArgumentException.class, () -> new ModelResult("m", "f", 2, 1, 1, 1, 128, 64, 32, 512, r.engines(), List.of(1), CEILINGS));
    }

    @Test
    void enginesNeedMatchingRuns() {
        assertThrows(IllegalArgumentException.class, () -> new ModelResult.Engine("x", 0, new double[] {1}, new double[] {1, 2}, new double[] {1},
                new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> new ModelResult.Engine("x", 0, new double[] {1}, new double[] {1}, new double[] {1},
                new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> new ModelResult.Engine("x", 0, new double[0], new double[0], new double[0], new double[0]));
    }
}
