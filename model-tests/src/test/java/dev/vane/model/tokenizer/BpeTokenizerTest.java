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
 * Byte-level BPE on a hand-made vocabulary: all 256 byte characters plus a few merges, whose
 * results are worked out by hand; pre-tokenization (GPT-2 and Llama 3 patterns); round trips over
 * ASCII, accents, CJK, emoji and whitespace runs.
 */
class BpeTokenizerTest {
    @TempDir
    Path dir;

    static final List<String> TOKENS = new ArrayList<>();
    static final List<String> MERGES = List.of("h e", "l l", "he ll", "hell o", "Ġ w", "o r", "Ġw or", "l d", "Ġwor ld", "1 2", "12 3");

    static {
        // The 256 byte characters, in GPT-2's order (printable bytes first is not needed: any order works).
        for (int b = 0; b < 256; b++) {
            TOKENS.add(String.valueOf(byteChar(b)));
        }
        for (String m : MERGES) TOKENS.add(m.replace(" ", ""));
        TOKENS.add("<|begin_of_text|>");
    }

    static char byteChar(int b) {
        int next = 256;
        for (int x = 0; x < 256; x++) {
            boolean printable = (x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF);
            if (x == b) return (char) (printable ? x : next);
            if (!printable) next++;
        }
        throw new AssertionError();
    }

    static int[] types() {
        int[] t = new int[TOKENS.size()];
        java.util.Arrays.fill(t, 1);
        t[t.length - 1] = 3;
        return t;
    }

    static int id(String piece) {
        return TOKENS.indexOf(piece);
    }

    @Test
    void mergesInRankOrder() {
        BpeTokenizer tok = new BpeTokenizer(TOKENS, types(), MERGES, BpeTokenizer.PreTokenizer.LLAMA3, TOKENS.size() - 1, -1);
        // "hello world": pre-tokens "hello", " world"; hello: h e -> he, l l -> ll, he ll -> hell, hell o -> hello.
        assertArrayEquals(new int[] {TOKENS.size() - 1, id("hello"), id("Ġworld")}, tok.encode("hello world", true));
        // Digits in runs of up to 3 (Llama 3): "12345" -> "123", "45"; 1 2 -> 12, 12 3 -> 123; 4 and 5 stay bytes.
        assertArrayEquals(new int[] {id("123"), id("4"), id("5")}, tok.encode("12345", false));
        // GPT-2's pattern keeps the digit run whole: "12345" -> 123, 4, 5 the same way here.
        BpeTokenizer gpt2 = new BpeTokenizer(TOKENS, types(), MERGES, BpeTokenizer.PreTokenizer.GPT2, -1, -1);
        assertArrayEquals(new int[] {id("123"), id("4"), id("5")}, gpt2.encode("12345", false));
        for (String text : new String[] {"hello world", "h\u00e9llo  w\u00f6rld", "\u65e5\u672c\u8a9e", "\ud83d\ude00!", "a\n\n  b\t", "", "it's 2024"}) {
            assertEquals(text, tok.decode(tok.encode(text, true)), text);
            assertEquals(text, gpt2.decode(gpt2.encode(text, false)), text);
        }
        assertThrows(IllegalArgumentException.class, () -> new BpeTokenizer(TOKENS, types(), List.of("nospace"), BpeTokenizer.PreTokenizer.GPT2, -1, -1));
    }

    @Test
    void readsItsVocabularyFromGguf() throws IOException {
        Path p = dir.resolve("bpe.gguf");
        List<Integer> t = new ArrayList<>();
        for (int v : types()) t.add(v);
        new GgufWriter().putString("tokenizer.ggml.model", "gpt2").putString("tokenizer.ggml.pre", "llama-bpe")
                .putArray("tokenizer.ggml.tokens", GgufValueType.STRING, TOKENS)
                .putArray("tokenizer.ggml.merges", GgufValueType.STRING, MERGES)
                .putArray("tokenizer.ggml.token_type", GgufValueType.INT32, t)
                .putUint32("tokenizer.ggml.bos_token_id", TOKENS.size() - 1)
                .write(p);
        try (GgufFile f = GgufFile.open(p)) {
            BpeTokenizer tok = BpeTokenizer.fromGguf(f);
            assertEquals(TOKENS.size(), tok.vocabSize());
            assertArrayEquals(new int[] {TOKENS.size() - 1, id("hello"), id("Ġworld")}, tok.encode("hello world", true));
        }
    }
}
