package dev.vane.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vane.model.json.JsonException;
import dev.vane.model.tokenizer.HfTokenizerJson;
import java.nio.charset.StandardCharsets;

/**
 * Arbitrary text as tokenizer.json, and after a NUL byte as tokenizer_config.json: a vocabulary,
 * or an IllegalArgumentException / JsonException saying what was expected.
 */
class TokenizerJsonFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void parse(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        int nul = text.indexOf('\0');
        String tokenizer = nul < 0 ? text : text.substring(0, nul);
        String config = nul < 0 ? null : text.substring(nul + 1);
        try {
            HfTokenizerJson.parse(tokenizer, config);
        } catch (IllegalArgumentException | JsonException e) {
            Refusals.requireMessage(e);
        }
    }
}
