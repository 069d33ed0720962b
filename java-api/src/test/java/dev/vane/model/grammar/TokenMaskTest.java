package dev.vane.model.grammar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.model.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The trie-walked, cached token mask against {@link ReferenceMask} (each token alone) along random walks. */
class TokenMaskTest {
    // ci/fetch-vocabularies.sh puts it there; pom.xml passes the folder as vane.vocab.dir.
    static final Path QWEN3 = Path.of(System.getProperty("vane.vocab.dir", "../build/vocab-cache"), "qwen3", "tokenizer.json");
    private static final String SCHEMA = """
            {"type": "object", "properties": {
              "name": {"type": "string", "maxLength": 12},
              "age": {"type": "integer"},
              "tags": {"type": "array", "items": {"enum": ["a", "béta", "γ😀"]}, "maxItems": 3},
              "ok": {"type": "boolean"}}, "required": ["name", "ok"]}
            """;

    // Every byte alone, pieces of text (multi-byte characters whole and split), a control token, EOS.
    static ByteVocabulary testVocabulary(long seed) {
        List<byte[]> t = new ArrayList<>();
        for (int b = 0; b < 256; b++) t.add(new byte[] {(byte) b});
        t.add(new byte[0]);  // a control token: never allowed
        SplittableRandom r = new SplittableRandom(seed);
        String[] pieces = {"{", "}", "\"", ":", ",", " ", "\n", "  ", "\"name\"", "\"age\"", "true", "false", "null", "12", "0", "-",
            "é", "α", "😀", "γ😀", "béta", "\\n", "\\\"", "\\u00e9", "(", ")", "+", "*", "1 +", " (", "[", "]", "\"a\"", "ab", "x"};
        for (String p : pieces) t.add(ByteVocabulary.utf8(p));
        byte[] smile = ByteVocabulary.utf8("😀");
        t.add(new byte[] {smile[0], smile[1]});  // a character split across tokens
        t.add(new byte[] {smile[2], smile[3]});
        for (int i = 0; i < 300; i++) {  // random joins of pieces, sometimes cut mid-character
            byte[] a = ByteVocabulary.utf8(pieces[r.nextInt(pieces.length)] + pieces[r.nextInt(pieces.length)]);
            t.add(r.nextInt(4) == 0 && a.length > 1 ? java.util.Arrays.copyOf(a, a.length - 1) : a);
        }
        t.add(new byte[0]);  // EOS, last
        return new ByteVocabulary(t, t.size() - 1);
    }

    @Test
    void fastMaskEqualsTheReferenceAlongRandomWalks() {
        List<Grammar> grammars = new ArrayList<>(List.of(Grammar.fromGbnf(GbnfTest.ARITHMETIC), Grammar.fromJsonSchema(SCHEMA), Grammar.anyJson(),
                Grammar.fromGbnf("root ::= [^a-z]{0,3} \"😀\"+ | \"é\"* \"x\"\n")));
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; grammars.size() < 14 && i < 500; i++) {
            try {
                grammars.add(Grammar.fromGbnf(RandomGrammars.gbnf(r)));
            } catch (GrammarException e) {
                // a random grammar may be left-recursive or never finish: those are refused, try another
            }
        }
        ByteVocabulary vocab = testVocabulary(5);
        int compared = 0;
        for (Grammar g : grammars) {
            for (int walk = 0; walk < 6; walk++) compared += walk(g, vocab, new SplittableRandom(walk * 31L + g.hashCode()), 40);
        }
        assertTrue(compared > 500, "compared masks: " + compared);
        long taken = 0;
        for (Grammar g : grammars) taken += g.masksFor(vocab).subtreesTaken;
        assertTrue(taken > 0, "the walks decided some subtrees by their characters");
    }

    // Draws random allowed tokens, comparing the masks at each step; returns the steps compared.
    static int walk(Grammar g, Tokenizer vocab, SplittableRandom r, int steps) {
        GrammarMatcher m = g.matcher(vocab);
        int n = 0;
        for (; n < steps; n++) {
            boolean[] fast = ReferenceMask.fast(m, vocab.vocabSize());
            boolean[] ref = ReferenceMask.allowed(m.state(), vocab);
            assertArrayEquals(ref, fast, "step " + n + " of\n" + g.gbnf());
            List<Integer> ok = new ArrayList<>();
            for (int i = 0; i < fast.length; i++) if (fast[i]) ok.add(i);
            if (ok.isEmpty()) break;
            int id = ok.get(r.nextInt(ok.size()));
            if (vocab.isEndOfGeneration(id)) break;
            m.accept(id);
        }
        return n + 1;
    }

    @Test
    void controlTokensNeverAndEndOnlyWhenComplete() {
        ByteVocabulary vocab = testVocabulary(1);
        int control = 256, eos = vocab.eos();
        GrammarMatcher m = Grammar.fromGbnf("root ::= \"ab\" \"c\"?\n").matcher(vocab);
        assertFalse(m.allows(control));
        assertFalse(m.allows(eos));
        assertThrows(IllegalStateException.class, () -> m.accept(eos));
        m.accept('a');
        m.accept('b');
        assertTrue(m.allows(eos));
        assertFalse(m.allows(control));
        assertTrue(m.allows('c'));
        assertThrows(IllegalStateException.class, () -> m.accept('x'));
        m.accept('c');
        assertTrue(m.isComplete());
        assertFalse(m.canContinue());
    }

    @Test
    void aMaskThatAllowsNothingFailsClearly() {
        // Only a byte no token has can continue: 0xFF is in the vocabulary, so take a vocabulary without it.
        List<byte[]> t = new ArrayList<>(List.of(ByteVocabulary.utf8("a"), new byte[0]));
        GrammarMatcher m = Grammar.fromGbnf("root ::= \"b\"\n").matcher(new ByteVocabulary(t, 1));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.maskLogits(new float[2]));
        assertTrue(e.getMessage().contains("allows no token"), e.getMessage());
    }

    @Test
    void cachedStatesAreLookedUp() {
        ByteVocabulary vocab = testVocabulary(2);
        Grammar g = Grammar.fromJsonSchema(SCHEMA);
        walk(g, vocab, new SplittableRandom(1), 30);
        TokenMasks masks = g.masksFor(vocab);
        long misses = masks.misses.get();
        walk(g, vocab, new SplittableRandom(1), 30);  // the same walk again: every mask is cached
        assertEquals(misses, masks.misses.get());
        assertTrue(masks.hits.get() > 0);
    }

    @Test
    void fastMaskEqualsTheReferenceOnQwen3() throws Exception {
        Assumptions.assumeTrue(Files.exists(QWEN3), "no " + QWEN3);
        Tokenizer qwen = Tokenizer.fromTokenizerJson(QWEN3);
        long t0 = System.nanoTime();
        int steps = 0;
        Grammar schema = Grammar.fromJsonSchema(SCHEMA);
        for (Grammar g : List.of(schema, Grammar.fromGbnf(GbnfTest.ARITHMETIC))) {
            for (int walk = 0; walk < 2; walk++) steps += walk(g, qwen, new SplittableRandom(walk), 12);
        }
        steps += walk(Grammar.anyJson(), qwen, new SplittableRandom(5), 8);  // strings with no bound on their length
        TokenMasks masks = schema.masksFor(qwen);
        assertTrue(masks.subtreesTaken > 0, "the string's masks decided subtrees by their characters");
        System.out.printf("Qwen3 (%d tokens): %d masks equal the reference (%.0f ms with the reference); schema walks: %d trie nodes visited, %d subtrees decided by characters%n",
                qwen.vocabSize(), steps, (System.nanoTime() - t0) / 1e6, masks.nodesVisited, masks.subtreesTaken);
    }
}
