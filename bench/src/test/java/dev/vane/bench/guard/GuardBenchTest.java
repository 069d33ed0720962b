package dev.vane.bench.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.guard.Policy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** vane bench guard on a short run: its table, its replay (redacting, never stopping), and its refused options. */
class GuardBenchTest {
    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int exit = GuardBench.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aShortRunPrintsBothPoliciesAgainstTheDecodeStep() {
        Run r = run("--generations=2", "--tokens=24", "--passes=3", "--threads=1");
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
        Run r = run("--tokens=0");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--tokens must be in 1..4000, got 0"), r.err());
        r = run("--generations=x");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("not a number"), r.err());
        r = run("--fast");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown option --fast") && r.err().contains(GuardBench.USAGE), r.err());
    }
}
