package dev.vane.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vane.model.gguf.GgufFile;
import dev.vane.model.gguf.GgufValueType;
import dev.vane.tools.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SentencePiece-style tokenizer on a small hand-made vocabulary whose merges are worked out
 * below by hand: highest score first, leftmost on ties, byte fallback, decoding back.
 */
class SpmTokenizerTest {
    @TempDir
    Path dir;

    static final List<String> TOKENS = new ArrayList<>();
    static final List<Float> SCORES = new ArrayList<>();
    static final List<Integer> TYPES = new ArrayList<>();

    static {
        add("<unk>", 0, 2);
        add("<s>", 0, 3);
        add("</s>", 0, 3);
        for (int b = 0; b < 256; b++) add(String.format("<0x%02X>", b), 0, 6);
        for (String c : new String[] {"\u2581", "h", "e", "l", "o", "w", "r", "d"}) add(c, -10, 1);
        add("\u2581h", -2, 1);
        add("\u2581he", -3, 1);
        add("ll", -1, 1);
        add("\u2581hell", -4, 1);
        add("\u2581hello", -5, 1);
        add("\u2581w", -2, 1);
        add("or", -1, 1);
        add("ld", -1, 1);
        add("\u2581wor", -3, 1);
        add("\u2581world", -4, 1);
    }

    static void add(String t, float score, int type) {
        TOKENS.add(t);
        SCORES.add(score);
        TYPES.add(type);
    }

    static SpmTokenizer tokenizer(List<String> tokens, List<Float> scores, List<Integer> types) {
        float[] s = new float[scores.size()];
        int[] t = new int[types.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = scores.get(i);
            t[i] = types.get(i);
        }
        return new SpmTokenizer(tokens, s, t, 1, 2, 0, true);
    }

    static int id(String piece) {
        return TOKENS.indexOf(piece);
    }

    @Test
    void mergesByScoreAndFallsBackToBytes() {
        SpmTokenizer tok = tokenizer(TOKENS, SCORES, TYPES);
        // "▁hello▁world": ll, or, ld (-1, left to right), then ▁h and ▁w (-2), ▁he and ▁wor (-3),
        // ▁hell and ▁world (-4), ▁hello (-5).
        assertArrayEquals(new int[] {1, id("\u2581hello"), id("\u2581world")}, tok.encode("hello world", true));
        assertArrayEquals(new int[] {id("\u2581hello")}, tok.encode("hello", false));
        // é is not a piece: its UTF-8 bytes C3 A9.
        assertArrayEquals(new int[] {id("\u2581h"), 3 + 0xC3, 3 + 0xA9}, tok.encode("h\u00e9", false));
        for (String text : new String[] {"hello world", "h\u00e9llo", "a  b", "\ud83d\ude00 world", "", "   "}) {
            assertEquals(text, tok.decode(tok.encode(text, true)), text);
        }
        // With "lo" at a higher score than "ll", "hello" splits differently: lo first, then ▁h, ▁he.
        List<String> t2 = new ArrayList<>(TOKENS);
        List<Float> s2 = new ArrayList<>(SCORES);
        List<Integer> y2 = new ArrayList<>(TYPES);
        t2.add("lo");
        s2.add(-0.5f);
        y2.add(1);
        SpmTokenizer tok2 = tokenizer(t2, s2, y2);
        assertArrayEquals(new int[] {id("\u2581he"), id("l"), t2.size() - 1}, tok2.encode("hello", false));
        assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {TOKENS.size()}));
    }

    @Test
    void readsItsVocabularyFromGguf() throws IOException {
        Path p = dir.resolve("tok.gguf");
        new GgufWriter().putString("tokenizer.ggml.model", "llama")
                .putArray("tokenizer.ggml.tokens", GgufValueType.STRING, TOKENS)
                .putArray("tokenizer.ggml.scores", GgufValueType.FLOAT32, SCORES)
                .putArray("tokenizer.ggml.token_type", GgufValueType.INT32, TYPES)
                .putUint32("tokenizer.ggml.bos_token_id", 1).putUint32("tokenizer.ggml.eos_token_id", 2)
                .putUint32("tokenizer.ggml.unknown_token_id", 0)
                .write(p);
        try (GgufFile f = GgufFile.open(p)) {
            SpmTokenizer tok = SpmTokenizer.fromGguf(f);
            assertEquals(TOKENS.size(), tok.vocabSize());
            assertEquals(1, tok.bos());
            assertArrayEquals(tokenizer(TOKENS, SCORES, TYPES).encode("hello world", true), tok.encode("hello world", true));
        }
    }
}
