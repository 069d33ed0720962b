package dev.vane.model.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The GBNF parser and the byte matcher: what matches, what does not, and the errors bad grammars get. */
class GbnfTest {
    static final String ARITHMETIC = """
            # integer arithmetic with spaces
            root  ::= expr
            expr  ::= term ( ws [-+] ws term )*
            term  ::= factor ( ws [*/] ws factor )*
            factor ::= [0-9]{1,3} | "(" ws expr ws ")"
            ws    ::= " "?
            """;

    @Test
    void arithmeticMatchesWhatARegexOfItsFlatFormMatches() {
        Grammar g = Grammar.fromGbnf(ARITHMETIC);
        // Without parentheses the language is regular: check random strings against a regex.
        Pattern flat = Pattern.compile("[0-9]{1,3}( ?[-+*/] ?[0-9]{1,3})*");
        SplittableRandom r = new SplittableRandom(7);
        String alphabet = "0123456789 +-*/";
        int matched = 0;
        for (int i = 0; i < 20000; i++) {
            StringBuilder b = new StringBuilder();
            int n = 1 + r.nextInt(8);
            for (int k = 0; k < n; k++) b.append(alphabet.charAt(r.nextInt(alphabet.length())));
            String s = b.toString();
            boolean want = flat.matcher(s).matches();
            if (want) matched++;
            assertEquals(want, g.matches(s), s);
        }
        assertTrue(matched > 100, "the random strings should include matches, got " + matched);
        assertTrue(g.matches("(1 + 2) * 3"));
        assertTrue(g.matches("((12))"));
        assertFalse(g.matches("(1 + 2"));
        assertFalse(g.matches("1 +"));
        assertFalse(g.matches("1234"));
    }

    @Test
    void literalsEscapesAndUnicodeClasses() {
        Grammar g = Grammar.fromGbnf("root ::= \"a\\n\\t\\\"\\\\\\x41\\u00e9\" [α-ω]+ [^a-z] .\n");
        assertTrue(g.matches("a\n\t\"\\Aéαβγ!\uD83D\uDE00"));
        assertTrue(g.matches("a\n\t\"\\Aéω€x".replace("x", "é")));
        assertFalse(g.matches("a\n\t\"\\Aéαb!"));
        assertFalse(g.matches("a\n\t\"\\Aéα"));
    }

    @Test
    void everyCodePointOfANegatedClassIsOneCharacter() {
        Grammar g = Grammar.fromGbnf("root ::= [^\"\\\\] \n");
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 5000; i++) {
            int cp = r.nextInt(0x110000);
            if (cp >= 0xD800 && cp <= 0xDFFF) continue;
            assertEquals(cp != '"' && cp != '\\', g.matches(new String(Character.toChars(cp))), "U+" + Integer.toHexString(cp));
        }
        assertFalse(g.matches("ab"));
    }

    @Test
    void repetitionCounts() {
        Grammar g = Grammar.fromGbnf("root ::= \"x\"{2,4} \"y\"{3} \"z\"{1,}\n");
        assertTrue(g.matches("xxyyyz"));
        assertTrue(g.matches("xxxxyyyzzz"));
        assertFalse(g.matches("xyyyz"));
        assertFalse(g.matches("xxxxxyyyz"));
        assertFalse(g.matches("xxyyz"));
        assertFalse(g.matches("xxyyy"));
    }

    @Test
    void rulesGoOnAcrossLinesInGroupsAndAfterBars() {
        Grammar g = Grammar.fromGbnf("""
                root ::= (
                    "a"
                  | "b" )
                  | "c"
                other ::=
                  "d"
                """);
        assertTrue(g.matches("a"));
        assertTrue(g.matches("b"));
        assertTrue(g.matches("c"));
        assertFalse(g.matches("d"));
    }

    @Test
    void completionAndContinuation() {
        Grammar g = Grammar.fromGbnf("root ::= \"ab\" \"c\"?\n");
        MatchState s = g.initialState().advance(ByteVocabulary.utf8("ab"));
        assertTrue(s.isComplete());
        assertTrue(s.canContinue());
        MatchState end = s.advance('c');
        assertTrue(end.isComplete());
        assertFalse(end.canContinue());
        assertTrue(end.advance('c').isDead());
    }

    @Test
    void errorsSayWhereAndWhat() {
        assertMessage("GBNF 2:11: undefined rule nope", "root ::= a\na ::= \"x\" nope\n");
        assertMessage("the grammar defines no rules", "  # nothing\n");
        assertMessage("the grammar has no rule root", "a ::= \"x\"\n");
        assertMessage("GBNF 1:13: expected \" to close the literal", "root ::= \"ab\n");
        assertMessage("GBNF 1:6: expected ::= after the rule name root", "root = \"a\"\n");
        assertMessage("GBNF 1:10: expected something to repeat before *", "root ::= *\n");
        assertMessage("GBNF 1:14: expected ] to close the character class", "root ::= [a-z\n");
        assertMessage("GBNF 2:1: expected ) to close the group", "root ::= ( \"a\"\n");
        assertMessage("GBNF 1:11: unknown escape \\q", "root ::= \"\\q\"\n");
        assertMessage("GBNF 2:1: rule root is defined twice", "root ::= \"a\"\nroot ::= \"b\"\n");
        assertMessage("left recursion: expr -> expr", "root ::= expr\nexpr ::= expr \"+\" \"1\" | \"1\"\n");
        assertMessage("left recursion", "root ::= (\"a\"?)*\n");
        assertMessage("rule root can never finish matching", "root ::= \"a\" root\n");
        assertMessage("GBNF 1:17: the repetition's maximum 1 is below its minimum 2", "root ::= \"a\"{2,1}\n");
    }

    private static void assertMessage(String expected, String gbnf) {
        GrammarException e = assertThrows(GrammarException.class, () -> Grammar.fromGbnf(gbnf));
        assertTrue(e.getMessage().contains(expected), "expected a message with \"" + expected + "\", got: " + e.getMessage());
    }
}
