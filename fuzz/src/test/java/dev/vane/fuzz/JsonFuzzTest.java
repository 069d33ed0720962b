package dev.vane.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vane.model.json.Json;
import dev.vane.model.json.JsonException;
import dev.vane.model.json.JsonWriter;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** Arbitrary text through the model files' JSON reader: a value, or a JsonException naming the offset; a parsed value writes back and re-reads equal. */
class JsonFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void parse(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);  // raw bytes, so the seed files are plain JSON files
        Object value;
        try {
            value = Json.parse(text);
        } catch (JsonException e) {
            Refusals.requireMessage(e);
            return;
        }
        String written = JsonWriter.compact(value);
        Object again = Json.parse(written);
        if (!Objects.equals(value, again)) throw new AssertionError("JSON did not round-trip: " + text + " -> " + written);
    }
}
