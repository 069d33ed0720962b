package dev.vane.bench.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.bench.CliRun;
import dev.vane.guard.Policy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** vane bench guard on a short run: its table, its replay (redacting, never stopping), and its refused options. */
class GuardBenchTest {
    private static CliRun run(String... args) {
        return CliRun.of(GuardBench::run, args);
    }

    @Test
    void aShortRunPrintsBothPoliciesAgainstTheDecodeStep() {
        CliRun r = run("--generations=2", "--tokens=24", "--passes=3", "--threads=1");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("2 generations, 48 pieces, 3 passes"), r.out());
        assertTrue(r.out().matches("(?s).*embedded decode step \\(median of 64\\): [0-9.]+ ms before, [0-9.]+ ms after.*"), r.out());
        assertTrue(r.out().matches("(?s).*\ndefaults {17}8 .*%\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*\ndefaults\\+100 words {7}9 .*%\n.*"), r.out());
    }

    @Test
    void theWordListHasAHundredDistinctEntries() {
        assertEquals(100, GuardWords.WORDS.size());
        assertEquals(100, GuardWords.WORDS.stream().distinct().count());
    }

    @Test
    void replayCountsFindingsAndTimesEveryPiece() {
        double[] t = new double[4];
        long findings = GuardBench.replay(Policy.defaults(), List.of("write to ", "jane@exa", "mple.com now"), t);
        assertEquals(1, findings);
        for (double x : t) assertTrue(x >= 0);
        Policy blocking = Policy.builder().rule("stop", new dev.vane.guard.WordListDetector(List.of("now")), dev.vane.guard.Action.BLOCK).build();
        assertThrows(IllegalStateException.class, () -> GuardBench.replay(blocking, List.of("stop now", "."), null), "the bench's policies must not stop");
    }

    @Test
    void badOptionsAreRefused() {
        run("--tokens=0").assertRefused("--tokens must be in 1..4000, got 0");
        run("--generations=x").assertRefused("not a number");
        run("--fast").assertRefused("unknown option --fast", GuardBench.USAGE);
    }
}
