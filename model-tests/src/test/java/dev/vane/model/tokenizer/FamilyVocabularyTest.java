package dev.vane.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.model.gguf.GgufFile;
import dev.vane.tools.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules the newer families need, on hand-made vocabularies whose results are worked out by
 * hand: the Qwen2 and o200k pre-tokenizers (the latter on llama.cpp's collapsed text), how
 * tokenizer.json's added tokens, holes and BOS settings become GGUF types and flags, llama.cpp's
 * retyping of tokens by their text, and encoding without special-token parsing.
 */
class FamilyVocabularyTest {
    @TempDir
    Path dir;

    static List<String> pieces(BpeTokenizer.PreTokenizer pre, String text) {
        return pre.split(text);
    }

    @Test
    void qwen2SplitsDigitsOneByOne() {
        BpeTokenizer.PreTokenizer q = BpeTokenizer.PreTokenizer.forName("qwen2");
        assertEquals(BpeTokenizer.PreTokenizer.QWEN2, q);
        assertEquals(List.of("1", "2", "3", "4", " x", "'s", " ", " y"), pieces(q, "1234 x's  y"));
        // Llama 3's keeps runs of three.
        assertEquals(List.of("123", "4", " x"), pieces(BpeTokenizer.PreTokenizer.LLAMA3, "1234 x"));
    }

    @Test
    void o200kSplitsAtCaseChangesAsLlamaCppDoes() {
        BpeTokenizer.PreTokenizer g = BpeTokenizer.PreTokenizer.forName("gpt-4o");
        assertEquals(BpeTokenizer.PreTokenizer.GPT4O, g);
        // Upper-case letters then lower-case ones, a piece ending where lower case turns upper.
        assertEquals(List.of("XMLHttp", "Request"), pieces(g, "XMLHttpRequest"));
        assertEquals(List.of("camel", "Case", " DON'T", " don't"), pieces(g, "camelCase DON'T don't"));
        assertEquals(List.of("123", "456", "7", " /", "a", "/b", "//", "c"), pieces(g, "1234567 /a/b//c"));
        assertEquals(List.of("x", "\n\n", "  ", " y"), pieces(g, "x\n\n   y"));
        // Every non-ASCII letter counts as upper and lower case in llama.cpp's collapsed text: a Greek
        // word with case changes stays one piece (Hugging Face would split "ΑΒΓδε" + "Ζ").
        assertEquals(List.of("ΑΒΓδεΖ", " Ελληνικά"), pieces(g, "ΑΒΓδεΖ Ελληνικά"));
        // A combining mark is not a letter there: it opens the next piece as [^\r\n\p{L}\p{N}]? does.
        assertEquals(List.of("e", "\u0301x"), pieces(g, "e\u0301x"));
        // Non-ASCII white space may open a word as a space does; emoji are symbols (a run of "punctuation").
        assertEquals(List.of("a", "\u3000b", " 😀👍"), pieces(g, "a\u3000b 😀👍"));
    }

    @Test
    void collapsedTextMapsEveryCodePointToItsClass() {
        BpeTokenizer.Collapsed c = new BpeTokenizer.Collapsed("aΩ٣\u0301!😀\u00a0\u200d");
        assertEquals("a\u00d2\u00d1\u00d4!\u00d5\u000b\u00d0", c.chars);  // letter, number, mark, symbol, space, format (other)
        assertEquals("😀", c.original(5, 6));
        assertEquals("aΩ٣\u0301!😀\u00a0\u200d", c.original(0, 8));
    }

    @Test
    void unknownPreTokenizerNamesTheKnownOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.PreTokenizer.forName("tekken"));
        assertTrue(e.getMessage().contains("'tekken'") && e.getMessage().contains("qwen2") && e.getMessage().contains("gpt-4o"), e.getMessage());
    }

    // A byte-level tokenizer.json with a Split pattern and added tokens; vocab h i Ġ hi Ġhi ! 1 2 and holes at 8, 9.
    static String bpeJson(String pattern, String addedTokens) {
        return """
                {"added_tokens": [%s],
                 "normalizer": null,
                 "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                   {"type": "Split", "pattern": {"Regex": "%s"}, "behavior": "Isolated", "invert": false},
                   {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]},
                 "post_processor": {"type": "ByteLevel"},
                 "model": {"type": "BPE", "unk_token": null, "byte_fallback": false,
                   "vocab": {"h": 0, "i": 1, "Ġ": 2, "hi": 3, "Ġhi": 4, "!": 5, "1": 6, "2": 7},
                   "merges": ["h i", "Ġ hi"]}}
                """.formatted(addedTokens, pattern.replace("\\", "\\\\"));
    }

    static final String QWEN_ADDED = """
            {"id": 10, "content": "<|endoftext|>", "special": true}, {"id": 11, "content": "<|im_start|>", "special": true},
            {"id": 12, "content": "<|im_end|>", "special": true}, {"id": 13, "content": "<|fim_pad|>", "special": false},
            {"id": 14, "content": "<think>", "special": false}, {"id": 15, "content": "<s>", "special": false}""";

    @Test
    void qwenStyleAddedTokensHolesAndFlags() {
        Vocabulary v = HfTokenizerJson.parse(bpeJson(HfTokenizerJson.QWEN2_PATTERN, QWEN_ADDED), "{\"eos_token\": \"<|im_end|>\", \"add_bos_token\": false}");
        assertEquals("qwen2", v.pre());
        assertEquals(List.of("[PAD8]", "[PAD9]"), v.tokens().subList(8, 10));
        // holes unused; <|fim_pad|> looks special to the converter whatever its flag says; <think> and <s> user-defined.
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 5, 5, 3, 3, 3, 3, 4, 4}, v.types());
        assertEquals(-1, v.bos(), "a user-defined <s> is not a BOS");
        assertEquals(12, v.eos());
        assertEquals(12, v.eot(), "<|im_end|> comes before <|endoftext|> in llama.cpp's end-of-turn names");
        assertFalse(v.addBos());
        Tokenizer t = v.tokenizer();
        for (int id : new int[] {10, 12, 13}) assertTrue(t.isEndOfGeneration(id), "token " + id);  // <|fim_pad|> ends generation in llama.cpp
        assertFalse(t.isEndOfGeneration(11));
        assertArrayEquals(new int[] {11, 3, 14, 6, 7, 12}, t.encode("<|im_start|>hi<think>12<|im_end|>", false));
        // Without special parsing the user-defined <think> is still one token (control tokens stay text:
        // FamilyTokenizerAgreementTest checks that on real vocabularies, which hold the characters).
        int[] plain = t.encode("<think>hi", false, false);
        assertArrayEquals(new int[] {14, 3}, plain);
        assertEquals("<think>hi", t.decode(plain));
    }

    @Test
    void bosIsAddedAsLlamaCppAssumesWhenNothingSaysSo() {
        // No tokenizer_config.json and no template: llama.cpp adds BOS for Llama 3's pre-tokenizer only.
        String added = "{\"id\": 8, \"content\": \"<|begin_of_text|>\", \"special\": true}, {\"id\": 9, \"content\": \"<|startoftext|>\", \"special\": true}";
        Vocabulary llama3 = HfTokenizerJson.parse(bpeJson(HfTokenizerJson.LLAMA3_PATTERN, added), null);
        assertEquals(8, llama3.bos());
        assertTrue(llama3.addBos());
        Vocabulary o200k = HfTokenizerJson.parse(bpeJson(HfTokenizerJson.O200K_PATTERN, added), "{\"bos_token\": \"<|startoftext|>\"}");
        assertEquals("gpt-4o", o200k.pre());
        assertEquals(9, o200k.bos());
        assertFalse(o200k.addBos(), "gpt-oss has a BOS but adds none");
        assertFalse(Vocabulary.llamaCppAddsBos(Vocabulary.BPE, "qwen2"));
        assertTrue(Vocabulary.llamaCppAddsBos(Vocabulary.SPM, null));
    }

    @Test
    void gemmaStyleUserDefinedSpacesAndAddedScores() {
        // Gemma: Replace normalizer only (no space prefix), user-defined "▁▁" and "\n\n", <start_of_turn> special.
        String json = """
                {"added_tokens": [{"id": 0, "content": "<pad>", "special": true}, {"id": 1, "content": "<eos>", "special": true},
                  {"id": 2, "content": "<bos>", "special": true}, {"id": 3, "content": "<unk>", "special": true},
                  {"id": 4, "content": "<mask>", "special": false}, {"id": 5, "content": "<start_of_turn>", "special": true},
                  {"id": 6, "content": "<end_of_turn>", "special": true}, {"id": 7, "content": "▁▁", "special": false},
                  {"id": 8, "content": "\\n\\n", "special": false}, {"id": 9, "content": "<unused0>", "special": false}],
                 "normalizer": {"type": "Replace", "pattern": {"String": " "}, "content": "▁"},
                 "pre_tokenizer": {"type": "Split", "pattern": {"String": " "}, "behavior": "MergedWithPrevious", "invert": false},
                 "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<bos>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}]},
                 "model": {"type": "BPE", "unk_token": "<unk>", "byte_fallback": true,
                   "vocab": {"<pad>": 0, "<eos>": 1, "<bos>": 2, "<unk>": 3, "<mask>": 4, "<start_of_turn>": 5, "<end_of_turn>": 6, "▁▁": 7,
                     "\\n\\n": 8, "<unused0>": 9, "<0x0A>": 10, "▁": 11, "h": 12, "i": 13, "hi": 14, "▁hi": 15},
                   "merges": [["h", "i"], ["▁", "hi"]]}}
                """;
        Vocabulary v = HfTokenizerJson.parse(json, null);
        assertEquals(Vocabulary.SPM, v.model());
        assertFalse(v.addSpacePrefix());
        assertTrue(v.addBos(), "the post-processor's template starts with <bos>");
        assertEquals(2, v.bos());
        assertEquals("  ", v.tokens().get(7), "user-defined '▁▁' is written with spaces");
        assertArrayEquals(new int[] {3, 3, 3, 3, 3, 3, 3, 4, 4, 3, 6, 1, 1, 1, 1, 1}, v.types());
        float[] s = v.scores();
        for (int i = 0; i < 10; i++) assertEquals(HfTokenizerJson.ADDED_TOKEN_SCORE, s[i], "added token " + i);
        Tokenizer t = v.tokenizer();
        // No space prefix; "  " and "\n\n" whole; a lone "\n" by byte fallback.
        assertArrayEquals(new int[] {5, 14, 7, 15, 8, 10, 6}, t.encode("<start_of_turn>hi   hi\n\n\n<end_of_turn>", false));
        assertEquals("hi   hi\n\n\n", t.decode(t.encode("<start_of_turn>hi   hi\n\n\n<end_of_turn>", false)));
        assertTrue(t.isEndOfGeneration(6));
        assertTrue(t.isEndOfGeneration(1));
        assertFalse(t.isEndOfGeneration(5));
    }

    @Test
    void harmonyVocabularyIsRetypedAsLlamaCppRetypesIt() {
        List<String> tokens = new ArrayList<>(List.of("<|startoftext|>", "<|endoftext|>", "<|return|>", "<|constrain|>", "<|channel|>",
                "<|start|>", "<|end|>", "<|message|>", "<|call|>", "a"));
        int[] types = new int[tokens.size()];
        Arrays.fill(types, SpecialTokens.TYPE_CONTROL);
        types[9] = SpecialTokens.TYPE_NORMAL;
        SpecialTokens s = new SpecialTokens(tokens, types, 2, -1);
        for (int id : new int[] {1, 2, 8}) assertTrue(s.endsGeneration(id), tokens.get(id));
        for (int id : new int[] {0, 3, 4, 5, 6, 7, 9}) assertFalse(s.endsGeneration(id), tokens.get(id));
        // The markers and <|end|> become user-defined: written out in decoded text, and taken whole even without special parsing.
        assertArrayEquals(new int[] {3, 3, 3, 4, 4, 4, 4, 4, 3, 1}, types);
        assertEquals(List.of(5, "a", 2), s.split("<|start|>a<|return|>", true));
        assertEquals(List.of(5, "a<|return|>"), s.split("<|start|>a<|return|>", false));
        // Without <|call|> (Phi-3's vocabulary) <|end|> does end generation and stays a control token.
        int[] phi = {3, 3, 1};
        SpecialTokens p = new SpecialTokens(List.of("<|end|>", "<|endoftext|>", "x"), phi, 1, -1);
        assertTrue(p.endsGeneration(0));
        assertEquals(SpecialTokens.TYPE_CONTROL, phi[0]);
    }

    @Test
    void endOfGenerationNamesMakeControlTokens() {
        // A user-defined </s> (Gemma 3 has one) is control and ends generation in llama.cpp of August 2026, unless <|tool_response> does.
        int[] types = {4, 1};
        SpecialTokens s = new SpecialTokens(List.of("</s>", "x"), types, -1, -1);
        assertTrue(s.endsGeneration(0));
        assertEquals(SpecialTokens.TYPE_CONTROL, types[0]);
        int[] gemma4 = {4, 3};
        SpecialTokens g = new SpecialTokens(List.of("</s>", "<|tool_response>"), gemma4, -1, -1);
        assertFalse(g.endsGeneration(0));
        assertTrue(g.endsGeneration(1));
        assertEquals(SpecialTokens.TYPE_NORMAL, gemma4[0]);
    }

    @Test
    void newFamiliesReadBackFromGguf() throws IOException {
        Vocabulary v = HfTokenizerJson.parse(bpeJson(HfTokenizerJson.O200K_PATTERN, QWEN_ADDED), null);
        Path p = dir.resolve("vocab.gguf");
        GgufWriter w = new GgufWriter();
        w.putVocabulary(v);
        w.write(p);
        try (GgufFile f = GgufFile.open(p)) {
            Vocabulary back = Vocabulary.fromGguf(f);
            assertEquals("gpt-4o", back.pre());
            assertEquals(v.tokens(), back.tokens());
            assertArrayEquals(v.types(), back.types());
            assertEquals(v.addBos(), back.addBos());
            assertArrayEquals(v.tokenizer().encode("hi hi!", false), back.tokenizer().encode("hi hi!", false));
        }
    }
}
