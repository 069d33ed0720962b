package dev.vane.bench.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.bench.CliRun;
import org.junit.jupiter.api.Test;

/**
 * vane bench soak: its refused options, and a two-second run that passes every check but one it
 * cannot meet (a minimum of calls no run reaches), so that the run must report it and exit 1.
 */
class SoakTest {
    private static CliRun run(String... args) {
        return CliRun.of(Soak::run, args);
    }

    @Test
    void badOptionsAreRefused() {
        run("--seconds=0").assertRefused("--seconds must be in (0, 86400], got 0.0");
        run("--threads=x").assertRefused("not a number");
        run("--max-tokens=1").assertRefused("--max-tokens must be 2..4096, got 1");
        run("--rss-tolerance-mib=-1").assertRefused("--rss-tolerance-mib must be >= 0");
        run("--forever").assertRefused("unknown option --forever", Soak.USAGE);
    }

    @Test
    void aShortRunChecksEverythingAndReportsWhatFailed() {
        // RSS over 2 s in the test JVM (its heap still growing, glibc's arenas uncapped) shows no trend: the RSS
        // check gets a tolerance it cannot reach here, and ci/soak.sh checks RSS in a JVM of its own.
        CliRun r = run("--seconds=2", "--warm-up=1", "--threads=2", "--prompts=4", "--max-tokens=8", "--min-calls=1000000000000",
                "--rss-tolerance-mib=65536");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("FAIL the main phase made "), r.out());
        assertTrue(r.out().contains("fewer than --min-calls=1000000000000"), r.out());
        assertEquals(1, r.out().lines().filter(l -> l.startsWith("FAIL")).count(), "only the impossible minimum fails:\n" + r.out());
        assertTrue(r.out().contains("model closed while running: 5 of 5 generations failed with \"the model is closed\""), r.out());
        assertTrue(r.out().matches("(?s).*native: before the load (\\d+) bytes / (\\d+) arenas, .* after every close \\1 / \\2 .*"), r.out());
    }
}
