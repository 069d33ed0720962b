package dev.vane.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** vane redteam on the embedded model, and its refusals of bad arguments. */
class RedteamCommandTest {
    @Test
    void aRunOnTheEmbeddedModelWritesTheReport(@TempDir Path dir) throws Exception {
        VaneCliTest.Run r = VaneCliTest.run("redteam", "--suite", "special-tokens,prompt-injection", "--mutations-per-probe", "0", "--max-tokens", "8",
                "--seed", "4", "--report", dir.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("vane redteam: 13 probes, 13 cases against vane-embedded (in-process (chatml)), seed 4"), r.err());
        assertTrue(r.out().contains("special-tokens"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("all\\s+13\\s+0\\s+13\\s+0\\s+0\\.0%")), r.out());
        for (String f : new String[] {"results.jsonl", "summary.json", "report.html"}) assertTrue(Files.size(dir.resolve(f)) > 0, f);
        assertEquals(13, Files.readAllLines(dir.resolve("results.jsonl")).size());
        assertTrue(Files.readString(dir.resolve("summary.json")).contains("\"moderator\" : \"none (harm probes unscored)\""));
    }

    @Test
    void badArgumentsAreRefusedWithWhatWasExpected(@TempDir Path dir) throws Exception {
        VaneCliTest.Run both = VaneCliTest.run("redteam", "--model", "x.gguf", "--endpoint", "http://127.0.0.1:1", "--report", dir.toString());
        assertEquals(2, both.exit());
        assertTrue(both.err().contains("vane: give --model FILE or --endpoint URL, not both"), both.err());
        VaneCliTest.Run suite = VaneCliTest.run("redteam", "--suite", "nope", "--report", dir.toString());
        assertEquals(2, suite.exit());
        assertTrue(suite.err().contains("vane: 'nope' is neither a built-in suite"), suite.err());
        VaneCliTest.Run mutation = VaneCliTest.run("redteam", "--mutations", "base32", "--report", dir.toString());
        assertEquals(2, mutation.exit());
        assertTrue(mutation.err().contains("vane: unknown mutation 'base32'; expected one of none, base64"), mutation.err());
        VaneCliTest.Run noModerator = VaneCliTest.run("redteam", "--moderator", dir.resolve("guard.gguf").toString(), "--report", dir.toString());
        assertEquals(2, noModerator.exit(), noModerator.err());
        assertTrue(noModerator.err().contains("vane: --moderator: no file " + dir.resolve("guard.gguf") + " (expected a Llama Guard 3 GGUF)"), noModerator.err());
        VaneCliTest.Run noReport = VaneCliTest.run("redteam");
        assertEquals(2, noReport.exit());
        assertTrue(noReport.err().contains("Missing required option: '--report=DIR'"), noReport.err());
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        VaneCliTest.Run down = VaneCliTest.run("redteam", "--endpoint", "http://127.0.0.1:" + port, "--endpoint-model", "m", "--report", dir.toString());
        assertEquals(1, down.exit());
        assertTrue(down.err().contains("vane: cannot connect to http://127.0.0.1:" + port + "/v1/chat/completions"), down.err());
    }
}
