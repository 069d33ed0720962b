package dev.vane.model.grammar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The character-run shortcut of the mask walk ({@link StateRuns}, {@link SubtreeChars}): where it
 * decides subtrees by counting characters, and the cases where it must not (a token longer than the
 * room left, a byte of the run that is alive somewhere else past it, a class that is, a class
 * taken only in part, a character outside the run, malformed UTF-8, a state with no run), each
 * mask against {@link ReferenceMask}.
 */
class CharRunMaskTest {
    private final List<byte[]> tokens = new ArrayList<>();
    private final Map<String, Integer> ids = new HashMap<>();

    private void add(String... texts) {
        for (String t : texts) add(ByteVocabulary.utf8(t), t);
    }

    private void add(byte[] bytes, String name) {
        ids.put(name, tokens.size());
        tokens.add(bytes);
    }

    private ByteVocabulary vocabulary() {
        tokens.add(new byte[0]);  // EOS, last
        return new ByteVocabulary(tokens, tokens.size() - 1);
    }

    // The fast mask at m's state, checked against the reference; returns it.
    private static boolean[] mask(GrammarMatcher m, ByteVocabulary v) {
        boolean[] fast = ReferenceMask.fast(m, v.vocabSize()), ref = ReferenceMask.allowed(m.state(), v);
        assertArrayEquals(ref, fast);
        return fast;
    }

    private void assertAllowed(boolean[] mask, boolean allowed, String... names) {
        for (String n : names) assertEquals(allowed, mask[ids.get(n)], (allowed ? "should allow " : "should refuse ") + n);
    }

    @Test
    void countsTheCharactersLeftInABoundedString() {
        add("\"", "x", "xy", "xyz", "xyzw", "xyzwv", "é", "éé", "ééé", "éééé", "a", "ab", "ab\"", "abc\"", "abcd\"", "aé", "aébc", "😀😀");
        add(new byte[] {'x', (byte) 0xC3}, "x+cut");  // a character cut short counts as one begun
        add(new byte[] {'x', 'y', 'z', (byte) 0xC3}, "xyz+cut");
        ByteVocabulary v = vocabulary();
        Grammar g = Grammar.fromGbnf("root ::= \"\\\"\" [^\"\\\\]{0,3} \"\\\"\"\n");
        GrammarMatcher m = g.matcher(v);
        m.accept(ids.get("\""));
        TokenMasks masks = g.masksFor(v);
        long before = masks.subtreesTaken;
        boolean[] three = mask(m, v);
        assertTrue(masks.subtreesTaken > before, "the run decided a subtree");
        assertAllowed(three, true, "x", "xy", "xyz", "é", "éé", "ééé", "a", "ab\"", "abc\"", "aé", "😀😀", "x+cut");
        assertAllowed(three, false, "xyzw", "xyzwv", "éééé", "abcd\"", "aébc", "xyz+cut");
        m.accept(ids.get("xy"));  // one character left
        boolean[] one = mask(m, v);
        assertAllowed(one, true, "x", "é", "a", "\"");
        assertAllowed(one, false, "xy", "éé", "ab\"", "x+cut", "😀😀");
    }

    @Test
    void aByteAliveElsewherePastTheRunIsLeftOutOfIt() {
        // After two letters 'q' still goes on (to "!"): steady in the run, it must not be taken to die past it
        // (the subtree of "ab" holds only letters, "abq" among them).
        add("<", "ab", "abq", "abc", "qq", "qqq", "qq!");
        ByteVocabulary v = vocabulary();
        Grammar g = Grammar.fromGbnf("root ::= \"<\" [a-z] [a-z] ( \">\" | \"q\" \"!\" )\n");
        GrammarMatcher m = g.matcher(v);
        m.accept(ids.get("<"));
        boolean[] mask = mask(m, v);
        assertAllowed(mask, true, "ab", "abq", "qq", "qqq");
        assertAllowed(mask, false, "abc", "qq!");
    }

    @Test
    void aClassAliveElsewherePastTheRunIsLeftOutOfIt() {
        add("<", "ab", "abé", "abéé", "é", "éé", "ééé", "abc");
        ByteVocabulary v = vocabulary();
        Grammar g = Grammar.fromGbnf("root ::= \"<\" [^<>!] [^<>!] ( \">\" | [^\\x00-\\x7F] \"!\" )\n");
        GrammarMatcher m = g.matcher(v);
        m.accept(ids.get("<"));
        boolean[] mask = mask(m, v);
        assertAllowed(mask, true, "ab", "abé", "é", "éé", "ééé");
        assertAllowed(mask, false, "abéé", "abc");
    }

    @Test
    void aClassTakenOnlyInPartIsWalked() {
        // é is refused, other two-byte characters taken: the class is not steady, so "aé" must be walked.
        add("\"", "a", "ab", "aé", "añ", "ñññ", "éa");
        ByteVocabulary v = vocabulary();
        Grammar g = Grammar.fromGbnf("root ::= \"\\\"\" [^\"é]{0,3} \"\\\"\"\n");
        GrammarMatcher m = g.matcher(v);
        m.accept(ids.get("\""));
        boolean[] mask = mask(m, v);
        assertAllowed(mask, true, "a", "ab", "añ", "ñññ");
        assertAllowed(mask, false, "aé", "éa");
    }

    @Test
    void aCharacterOutsideTheRunIsWalked() {
        add("ab", "abz", "abzz", "abab", "z", "é", "abé");
        ByteVocabulary v = vocabulary();
        Grammar g = Grammar.fromGbnf("root ::= [a-y]*\n");
        GrammarMatcher m = g.matcher(v);
        TokenMasks masks = g.masksFor(v);
        boolean[] mask = mask(m, v);
        assertTrue(masks.subtreesTaken > 0, "the run decided a subtree");
        assertAllowed(mask, true, "ab", "abab");
        assertAllowed(mask, false, "abz", "abzz", "z", "é", "abé");
    }

    @Test
    void malformedUtf8IsWalked() {
        add("\"", "a", "aa", "aé");
        add(new byte[] {'a', (byte) 0xA9}, "a+continuation");
        add(new byte[] {'a', (byte) 0xC3}, "a+cut");
        add(new byte[] {'a', (byte) 0xC3, 'a'}, "a+broken");
        add(new byte[] {(byte) 0xA9}, "continuation");
        add(new byte[] {(byte) 0xE0, (byte) 0x80}, "overlong");
        add(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, "surrogate");
        ByteVocabulary v = vocabulary();
        Grammar g = Grammar.fromGbnf("root ::= \"\\\"\" [^\"]* \"\\\"\"\n");
        GrammarMatcher m = g.matcher(v);
        m.accept(ids.get("\""));
        boolean[] mask = mask(m, v);
        assertAllowed(mask, true, "a", "aa", "aé", "a+cut");
        assertAllowed(mask, false, "a+continuation", "a+broken", "continuation", "overlong", "surrogate");
    }

    @Test
    void aStateWithoutAnAsciiRunIsWalked() {
        add("α", "αβ", "αβγ", "a", "αa");
        ByteVocabulary v = vocabulary();
        Grammar g = Grammar.fromGbnf("root ::= [α-ω]{0,2}\n");
        GrammarMatcher m = g.matcher(v);
        TokenMasks masks = g.masksFor(v);
        boolean[] mask = mask(m, v);
        assertEquals(0, masks.subtreesTaken);
        assertAllowed(mask, true, "α", "αβ");
        assertAllowed(mask, false, "αβγ", "a", "αa");
    }
}
