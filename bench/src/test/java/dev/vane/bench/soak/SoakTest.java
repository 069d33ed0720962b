package dev.vane.bench.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * vane bench soak: its refused options, and a two-second run that passes every check but one it
 * cannot meet (a minimum of calls no run reaches), so that the run must report it and exit 1.
 */
class SoakTest {
    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int exit = Soak.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void badOptionsAreRefused() {
        Run r = run("--seconds=0");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--seconds must be in (0, 86400], got 0.0"), r.err());
        r = run("--threads=x");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("not a number"), r.err());
        r = run("--max-tokens=1");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--max-tokens must be 2..4096, got 1"), r.err());
        r = run("--rss-tolerance-mib=-1");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--rss-tolerance-mib must be >= 0"), r.err());
        r = run("--forever");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown option --forever") && r.err().contains(Soak.USAGE), r.err());
    }

    @Test
    void aShortRunChecksEverythingAndReportsWhatFailed() {
        // RSS over 2 s in the test JVM (its heap still growing, glibc's arenas uncapped) shows no trend: the RSS
        // check gets a tolerance it cannot reach here, and ci/soak.sh checks RSS in a JVM of its own.
        Run r = run("--seconds=2", "--warm-up=1", "--threads=2", "--prompts=4", "--max-tokens=8", "--min-calls=1000000000000",
                "--rss-tolerance-mib=65536");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("FAIL the main phase made "), r.out());
        assertTrue(r.out().contains("fewer than --min-calls=1000000000000"), r.out());
        assertEquals(1, r.out().lines().filter(l -> l.startsWith("FAIL")).count(), "only the impossible minimum fails:\n" + r.out());
        assertTrue(r.out().contains("model closed while running: 5 of 5 generations failed with \"the model is closed\""), r.out());
        assertTrue(r.out().matches("(?s).*native: before the load (\\d+) bytes / (\\d+) arenas, .* after every close \\1 / \\2 .*"), r.out());
    }
}
