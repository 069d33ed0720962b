package dev.vane.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Hostile ids in tokenizer.json are refused before the id table is allocated (TokenizerJsonFuzzTest replays it: crash-hostile-token-id). */
class HfTokenizerJsonLimitsTest {
    private static String withVocab(String vocab) {
        return "{\"model\":{\"type\":\"BPE\",\"vocab\":{" + vocab + "},\"merges\":[]},\"pre_tokenizer\":{\"type\":\"ByteLevel\"}}";
    }

    @Test
    void aFewMissingIdsAreFilled() {
        Vocabulary v = HfTokenizerJson.parse(withVocab("\"a\":0,\"b\":3"), null);
        assertEquals(4, v.size());
        assertEquals("[PAD1]", v.tokens().get(1));
    }

    @Test
    void aHostileIdIsRefusedBeforeAllocating() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfTokenizerJson.parse(withVocab("\"a\":2000000000"), null));
        assertTrue(e.getMessage().contains("highest token id is 2000000000 but only 1 tokens are given"), e.getMessage());
        int limit = HfTokenizerJson.MAX_MISSING_IDS;
        HfTokenizerJson.parse(withVocab("\"a\":" + limit), null);  // exactly the limit of holes
        assertThrows(IllegalArgumentException.class, () -> HfTokenizerJson.parse(withVocab("\"a\":" + (limit + 1)), null));
    }
}
