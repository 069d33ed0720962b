package dev.vane.model.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void valuesOfEveryKind() {
        Object v = Json.parse(" {\"a\": [1, -2, 3.5, 1e3, -0, 12345678901234567890], \"b\": \"x\\\"\\u00e9\\ud83d\\ude00\\n\", \"c\": true, \"d\": null, \"e\": {}} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of(1L, -2L, 3.5, 1000.0, 0L, 1.2345678901234567e19), m.get("a"));
        assertEquals("x\"é😀\n", m.get("b"));
        assertEquals(true, m.get("c"));
        assertNull(m.get("d"));
        assertTrue(m.containsKey("d"));
        assertEquals(Map.of(), m.get("e"));
    }

    @Test
    void malformedTextIsRefusedWithItsPlace() {
        for (String bad : new String[] {"", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "01", "1.", "\"\\x\"", "\"a", "tru", "{\"a\":1} x", "{\"a\":1,\"a\":2}",
                "[\"\u0001\"]", "-", "{1:2}"}) {
            JsonException e = assertThrows(JsonException.class, () -> Json.parse(bad), bad);
            assertTrue(e.offset() >= 0 && e.offset() <= bad.length(), bad + ": " + e.getMessage());
        }
        assertTrue(assertThrows(JsonException.class, () -> Json.parse("[".repeat(600) + "]".repeat(600))).getMessage().contains("nesting"));
    }

    @Test
    void numbersPastADoublesRangeAreRefusedNotReadAsInfinity() {
        // Found by JsonFuzzTest (regression input crash-number-beyond-double-range): Infinity cannot be written back as JSON.
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("[1, 22222222222222222222e2222]"));
        assertTrue(e.getMessage().contains("outside the range of a double"), e.getMessage());
        assertEquals(4, e.offset());
        assertThrows(JsonException.class, () -> Json.parse("-1e309"));
        assertEquals(1e308, Json.parse("1e308"));
        assertEquals(0.0, Json.parse("1e-400"));  // underflow is a representable zero
    }

    @Test
    void onlyAsciiDigitsMakeANumber() {
        // Character.isDigit takes Arabic-Indic and other digits; JSON does not ("1.\u0663" threw a NumberFormatException).
        for (String bad : new String[] {"\u0663", "1\u0663", "1.\u0663", "1e\u0663"}) {
            JsonException e = assertThrows(JsonException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().contains("expected"), e.getMessage());
        }
    }
}
