package dev.vane.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.model.gguf.GgufFile;
import dev.vane.model.json.JsonException;
import dev.vane.tools.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-made tokenizer.json files of both kinds, small enough that every expected id is worked out
 * by hand; their GGUF metadata read back; and the errors for what Vane does not read.
 */
class HfTokenizerJsonTest {
    @TempDir
    Path dir;

    // Llama 2 style. "hi" has two merges: "h i" (rank 0) and "▁ h" (rank 1); "▁hi" is not a token.
    // BPE takes h+i first, giving [▁, hi]. Ids alone would favour "▁h" (id 7 < 8), giving [▁h, i]:
    // only scores derived from the merge ranks make the SentencePiece algorithm agree with BPE.
    static final String LLAMA2 = """
            {"version": "1.0", "added_tokens": [
              {"id": 0, "content": "<unk>", "special": true}, {"id": 1, "content": "<s>", "special": true},
              {"id": 2, "content": "</s>", "special": true}],
             "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"},
               {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
             "pre_tokenizer": null,
             "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}]},
             "model": {"type": "BPE", "unk_token": "<unk>", "byte_fallback": true,
               "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "<0x0A>": 3, "<0xC3>": 4, "<0xA9>": 5, "▁": 6, "▁h": 7, "hi": 8, "h": 9, "i": 10},
               "merges": ["h i", "▁ h"]}}
            """;

    @Test
    void llama2StyleBecomesSentencePieceWithScoresFromMergeOrder() {
        Vocabulary v = HfTokenizerJson.parse(LLAMA2, null);
        assertEquals(Vocabulary.SPM, v.model());
        assertEquals(11, v.size());
        // The added tokens are control tokens, <unk> too, as the converter types them.
        assertArrayEquals(new int[] {3, 3, 3, 6, 6, 6, 1, 1, 1, 1, 1}, v.types());
        // -(first rank) for merged tokens, -(merge count) for the rest, -1000 for added tokens.
        assertArrayEquals(new float[] {-1000, -1000, -1000, -2, -2, -2, -2, -1, 0, -2, -2}, v.scores());
        assertEquals(1, v.bos());  // from the post-processor's template
        assertEquals(2, v.eos());  // by name
        assertEquals(0, v.unk());
        assertEquals(-1, v.eot());
        assertTrue(v.addSpacePrefix());
        Tokenizer t = v.tokenizer();
        assertArrayEquals(new int[] {6, 8}, t.encode("hi", false));
        assertArrayEquals(new int[] {1, 6, 8, 6, 4, 5, 3}, t.encode("hi é\n", true));  // é and \n by byte fallback
        assertArrayEquals(new int[] {6, 8, 1, 6, 8, 2}, t.encode("hi<s>hi</s>", false));  // "▁" again after a special token
        assertEquals("hi é\n", t.decode(t.encode("hi é\n", true)));
        assertEquals("hihi", t.decode(t.encode("hi<s>hi</s>", false)));
        assertTrue(t.isEndOfGeneration(2));
        assertFalse(t.isEndOfGeneration(8));
    }

    static String llama3(String splitPattern, String merges) {
        return """
                {"added_tokens": [
                  {"id": 6, "content": "<|begin_of_text|>", "special": true}, {"id": 7, "content": "<|end_of_text|>", "special": true},
                  {"id": 8, "content": "<|eot_id|>", "special": true}, {"id": 9, "content": "<tool>", "special": false}],
                 "normalizer": null,
                 "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                   {"type": "Split", "pattern": {"Regex": "%s"}, "behavior": "Isolated", "invert": false},
                   {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]},
                 "post_processor": {"type": "ByteLevel"},
                 "model": {"type": "BPE", "unk_token": null, "byte_fallback": false, "ignore_merges": true,
                   "vocab": {"h": 0, "i": 1, "Ġ": 2, "hi": 3, "Ġhi": 4, "!": 5},
                   "merges": %s}}
                """.formatted(splitPattern.replace("\\", "\\\\"), merges);
    }

    @Test
    void llama3StyleBecomesByteLevelBpeWithSpecialTokens() throws IOException {
        for (String merges : List.of("[[\"h\", \"i\"], [\"Ġ\", \"hi\"]]", "[\"h i\", \"Ġ hi\"]")) {  // both forms tokenizer.json uses
            Vocabulary v = HfTokenizerJson.parse(llama3(HfTokenizerJson.LLAMA3_PATTERN, merges), null);
            assertEquals(Vocabulary.BPE, v.model());
            assertEquals("llama-bpe", v.pre());
            assertEquals(List.of("h i", "Ġ hi"), v.merges());
            assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 3, 3, 3, 4}, v.types());
            assertNull(v.scores());
            assertEquals(6, v.bos());
            assertEquals(7, v.eos());
            assertEquals(8, v.eot());
            assertTrue(v.addBos());
            Tokenizer t = v.tokenizer();
            assertArrayEquals(new int[] {6, 3, 4, 5, 8, 9, 3}, t.encode("<|begin_of_text|>hi hi!<|eot_id|><tool>hi", false));
            assertEquals("hi hi!<tool>hi", t.decode(t.encode("<|begin_of_text|>hi hi!<|eot_id|><tool>hi", true)));
            assertTrue(t.isEndOfGeneration(7));
            assertTrue(t.isEndOfGeneration(8));
            assertFalse(t.isEndOfGeneration(3));
        }
        // tokenizer_config.json beside the file names BOS / EOS and whether BOS is added.
        Path json = dir.resolve("tokenizer.json");
        Files.writeString(json, llama3(HfTokenizerJson.LLAMA3_PATTERN, "[\"h i\"]"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": {\"content\": \"<|begin_of_text|>\"}, \"eos_token\": \"<|eot_id|>\", \"add_bos_token\": false}");
        Vocabulary v = HfTokenizerJson.read(json);
        assertEquals(8, v.eos());
        assertFalse(v.addBos());
        assertArrayEquals(new int[] {6, 3}, Tokenizer.fromTokenizerJson(json).encode("hi", true));
    }

    @Test
    void ggufMetadataReadsBackTheSameVocabulary() throws IOException {
        for (String text : List.of(LLAMA2, llama3(HfTokenizerJson.LLAMA3_PATTERN, "[\"h i\", \"Ġ hi\"]"))) {
            Vocabulary v = HfTokenizerJson.parse(text, null);
            Path p = dir.resolve("vocab.gguf");
            GgufWriter w = new GgufWriter();
            w.putVocabulary(v);
            w.write(p);
            try (GgufFile f = GgufFile.open(p)) {
                Vocabulary back = Vocabulary.fromGguf(f);
                assertEquals(v.model(), back.model());
                assertEquals(v.pre(), back.pre());
                assertEquals(v.tokens(), back.tokens());
                assertArrayEquals(v.types(), back.types());
                assertArrayEquals(v.scores(), back.scores());
                assertEquals(v.merges(), back.merges());
                assertEquals(List.of(v.bos(), v.eos(), v.eot(), v.unk()), List.of(back.bos(), back.eos(), back.eot(), back.unk()));
                assertEquals(v.addBos(), back.addBos());
                assertEquals(v.addSpacePrefix(), back.addSpacePrefix());
            }
        }
    }

    @Test
    void refusesWhatItCannotRead() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HfTokenizerJson.parse(LLAMA2.replace("\"type\": \"BPE\"", "\"type\": \"WordPiece\""), null))
                .getMessage().contains("model.type is WordPiece"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HfTokenizerJson.parse(llama3("\\s+", "[]"), null))
                .getMessage().contains("pre-tokenizer"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HfTokenizerJson.parse(LLAMA2.replace("\"content\": \"▁\"}", "\"content\": \"_\"}")
                .replace("{\"type\": \"Prepend\", \"prepend\": \"▁\"},", ""), null)).getMessage().contains("neither byte-level"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HfTokenizerJson.parse(LLAMA2.replace("[\"h i\", \"▁ h\"]", "[\"h i\", 5]"), null))
                .getMessage().contains("model.merges entry 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HfTokenizerJson.parse(LLAMA2, "{\"eos_token\": \"<nope>\"}"))
                .getMessage().contains("'<nope>' is not in the vocabulary"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HfTokenizerJson.parse("[1, 2]", null)).getMessage().contains("not an object"));
        assertThrows(JsonException.class, () -> HfTokenizerJson.parse("{\"model\": ", null));
    }

    @Test
    void specialTokensAreTakenLongestFirstOverTheWholeText() {
        List<String> tokens = List.of("ab", "bcd", "x", "<s>");
        SpecialTokens special = new SpecialTokens(tokens, new int[] {4, 3, 1, 3}, -1, -1);
        // llama.cpp takes the longest special token everywhere first: "bcd" wins over the leftmost "ab".
        assertEquals(List.of("a", 1), special.split("abcd"));
        assertEquals(List.of(0, " x", 0, 3, 3), special.split("ab xab<s><s>"));
        assertEquals(List.of(), special.split(""));
        assertEquals(List.of("plain x"), special.split("plain x"));  // "x" is a normal token, not matched whole
    }
}
