package dev.vane.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.Vane;
import dev.vane.quant.QuantFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class VaneCliTest {
    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int exit = VaneCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void infoPrintsVersionLocationVariantAndThreads() {
        Run r = run("info");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Vane " + Vane.version()), r.out());
        assertTrue(r.out().contains("library   " + Vane.libraryPath()), r.out());
        assertTrue(r.out().contains("kernels   " + Vane.cpu().active().name().toLowerCase()), r.out());
        assertTrue(r.out().contains("threads   " + Vane.threads()), r.out());
    }

    @Test
    void quantDemoListsEveryFormat() {
        Run r = run("quant-demo", "16", "256");
        assertEquals(0, r.exit(), r.err());
        for (QuantFormat f : QuantFormat.values()) assertTrue(r.out().contains(f.formatName() + " "), f + " missing:\n" + r.out());
        assertTrue(r.out().contains("q4_0                0.5625"), r.out());
    }

    @Test
    void sampleAppsRun() {
        Run r = run("moe-demo", "16");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("tokens per expert: [") && r.out().contains("MoE/dense = "), r.out());
        r = run("attention-demo");
        assertEquals(0, r.exit(), r.err());
        // Each text query's attention lands mostly on the image row it asks for.
        java.util.List<String> rows = r.out().lines().filter(l -> l.matches("\\s+\\d+\\s+\\d+\\s+[0-9.]+\\s+\\d+")).toList();
        assertEquals(6, rows.size(), r.out());
        for (String line : rows) {
            String[] f = line.trim().split("\\s+");
            assertEquals(f[1], f[3], "query " + f[0] + ": " + line);
        }
        r = run("streaming-demo", "1500");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("     1500              1028          257"), "1500 tokens keep 4 sinks + the last 1024:\n" + r.out());
        r = run("streaming-demo", "0");
        assertEquals(2, r.exit());
    }

    @Test
    void badUsageExitsWithTwoAndSaysWhy() {
        Run r = run("frobnicate");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown command 'frobnicate'") && r.err().contains("usage: vane"), r.err());
        r = run("quant-demo", "16", "100");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("cols must be a multiple of 128"), r.err());
        r = run("quant-demo", "-3");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("rows must be a positive integer"), r.err());
    }
}
