package dev.vane.model.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The trie's summaries of its subtrees ({@link SubtreeChars}) and the UTF-8 decoding phases they rest on ({@link Utf8Classes}). */
class TrieCharsTest {
    // Well-formed and complete by the phases, as the JDK's strict decoder says.
    private static boolean wholeByPhases(byte[] b) {
        int phase = Utf8Classes.BOUNDARY;
        for (byte x : b) phase = Utf8Classes.next(phase, x & 0xFF);
        return phase == Utf8Classes.BOUNDARY;
    }

    private static boolean wholeByDecoder(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    @Test
    void phasesAgreeWithTheJdkDecoder() {
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                byte[] two = {(byte) a, (byte) b};
                assertEquals(wholeByDecoder(two), wholeByPhases(two), String.format("%02x %02x", a, b));
            }
        }
        SplittableRandom r = new SplittableRandom(3);
        int whole = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] s = new byte[1 + r.nextInt(6)];
            for (int k = 0; k < s.length; k++) s[k] = (byte) (r.nextInt(3) == 0 ? r.nextInt(128) : 0x80 + r.nextInt(128));
            boolean d = wholeByDecoder(s);
            assertEquals(d, wholeByPhases(s), java.util.HexFormat.ofDelimiter(" ").formatHex(s));
            if (d) whole++;
        }
        assertTrue(whole > 1000, "well-formed samples: " + whole);
    }

    private static TokenTrie trie(List<byte[]> tokens) {
        List<byte[]> t = new ArrayList<>(tokens);
        t.add(new byte[0]);
        return TokenTrie.of(new ByteVocabulary(t, t.size() - 1));
    }

    // The node whose bytes are path (preorder: a child is found among the nodes of its parent's subtree).
    private static int node(TokenTrie t, byte[] path) {
        int n = 0;
        for (byte b : path) {
            int found = -1;
            for (int m = n + 1; m < t.end[n]; m = t.end[m]) if (t.bytes[m] == (b & 0xFF)) found = m;
            if (found < 0) throw new AssertionError("no node for " + new String(path, StandardCharsets.UTF_8));
            n = found;
        }
        return n;
    }

    private static long[] group(TokenTrie t, String path) {
        int g = t.below.group[node(t, ByteVocabulary.utf8(path))];
        return g < 0 ? null : new long[] {t.below.groups[3 * g], t.below.groups[3 * g + 1], t.below.groups[3 * g + 2]};
    }

    @Test
    void groupsHoldTheCharactersBegunBelow() {
        byte[] e = ByteVocabulary.utf8("é");  // C3 A9: class 0
        List<byte[]> tokens = new ArrayList<>();
        for (String s : new String[] {"x", "xy", "xyz", "xé", "x😀", "a", "ab"}) tokens.add(ByteVocabulary.utf8(s));
        tokens.add(new byte[] {'a', (byte) 0xA9});  // a lone continuation byte under "a"
        tokens.add(new byte[] {'q', e[0]});  // a character cut short under "q"
        tokens.add(new byte[] {'q', e[0], e[1], 'z'});
        TokenTrie t = trie(tokens);
        long[] x = group(t, "x");
        assertEquals(1L << ('y' - 64) | 1L << ('z' - 64), x[1]);
        assertEquals(0, x[0]);
        assertEquals(1L | 1L << 5, x[2], "classes of é (0) and 😀 (5)");
        assertEquals(null, group(t, "a"), "malformed below a");
        assertEquals(null, group(t, "xyz"), "a leaf");
        long[] q = group(t, "q");
        assertEquals(1L, q[2]);
        assertEquals(1L << ('z' - 64), q[1]);
        int inside = t.below.group[node(t, new byte[] {'q', e[0]})];  // inside é: finishing it begins no character
        assertEquals(0, t.below.groups[3 * inside + 2]);
        assertEquals(1L << ('z' - 64), t.below.groups[3 * inside + 1]);
    }

    @Test
    void tokensCountTheCharactersTheyBegin() {
        byte[] smile = ByteVocabulary.utf8("😀");
        List<byte[]> tokens = List.of(ByteVocabulary.utf8("ab"), ByteVocabulary.utf8("aé😀"), new byte[] {'a', smile[0], smile[1]},
                ByteVocabulary.utf8("é"));
        TokenTrie t = trie(tokens);
        int[] expected = {2, 3, 2, 1};  // a character cut short counts
        for (int id = 0; id < tokens.size(); id++) {
            int k = 0;
            while (t.tokens[k] != id) k++;
            assertEquals(expected[id], t.below.tokenChars[k], "token " + id);
        }
    }
}
