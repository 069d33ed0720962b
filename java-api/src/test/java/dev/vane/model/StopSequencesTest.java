package dev.vane.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Stop sequences over streamed pieces: what is held back, what goes out, where the cut falls. */
class StopSequencesTest {
    @Test
    void holdsBackOnlyWhatCouldStillBecomeAStop() {
        StopSequences s = new StopSequences(List.of("END", "xy"));
        assertEquals("abc", s.add("abc"));
        assertEquals("", s.add("E"));       // could be END
        assertEquals("", s.add("N"));       // EN: still could
        assertEquals("ENo", s.add("o"));    // ENo: cannot any more
        assertEquals("q", s.add("qx"));     // x could begin xy
        assertEquals("", s.add("yrest"));   // xy: stop, nothing after it
        assertTrue(s.stopped());
        assertEquals("", s.add("more"));
        assertEquals("", s.flush());
    }

    @Test
    void cutsAtTheEarliestStopInsideAPiece() {
        StopSequences s = new StopSequences(List.of("cd", "b"));
        assertEquals("a", s.add("abcd"));
        assertTrue(s.stopped());
    }

    @Test
    void flushesWhatWasHeldWhenTheTextEnds() {
        StopSequences s = new StopSequences(List.of("STOP"));
        assertEquals("go ", s.add("go ST"));
        assertFalse(s.stopped());
        assertEquals("ST", s.flush());
        assertEquals("plain", new StopSequences(List.of()).add("plain"));
    }
}
