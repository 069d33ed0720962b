package dev.vane.model.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The fewest bytes to a whole match, against lengths worked out by hand. */
class CompletionLengthsTest {
    static int after(String gbnf, String prefix) {
        MatchState s = Grammar.fromGbnf(gbnf).initialState().advance(prefix.getBytes(StandardCharsets.UTF_8));
        return s.bytesToComplete();
    }

    @Test
    void alternativesTakeTheShortest() {
        assertEquals(3, after("root ::= \"abcd\" | \"de\" [0-9]+", ""));
        assertEquals(1, after("root ::= \"abcd\" | \"de\" [0-9]+", "de"));
        assertEquals(0, after("root ::= \"abcd\" | \"de\" [0-9]+", "de7"));
        assertEquals(2, after("root ::= \"abcd\" | \"de\" [0-9]+", "ab"));
    }

    @Test
    void recursionCountsTheClosingBytes() {
        String nested = "root ::= \"(\" root \")\" | \"x\"";
        assertEquals(1, after(nested, ""));
        assertEquals(2, after(nested, "("));
        assertEquals(3, after(nested, "(("));  // x))
        assertEquals(1, after(nested, "((x)"));
    }

    @Test
    void multiByteCharactersCountTheirBytes() {
        assertEquals(2, after("root ::= [é] | \"abc\"", ""));  // é is two bytes in UTF-8
        assertEquals(0, after("root ::= \"a\"*", ""));
    }
}
