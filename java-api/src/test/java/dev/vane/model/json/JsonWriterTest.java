package dev.vane.model.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** JSON text as Python's json.dumps writes it (what chat templates' tojson must give), and compact. */
class JsonWriterTest {
    @Test
    void writesAsPythonAndCompact() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", List.of(1L, "x\n\"y\"", true));
        m.put("b", new LinkedHashMap<>());
        m.put("c", null);
        m.put("\u00e9", 1.5);
        assertEquals("{\"a\": [1, \"x\\n\\\"y\\\"\", true], \"b\": {}, \"c\": null, \"\u00e9\": 1.5}", JsonWriter.python(m));
        assertEquals("{\"a\":[1,\"x\\n\\\"y\\\"\",true],\"b\":{},\"c\":null,\"\u00e9\":1.5}", JsonWriter.compact(m));
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("a", List.of(1L));
        nested.put("b", List.of());
        // indent: one item a line, "," without a space, empty containers kept on one line.
        assertEquals("{\n  \"a\": [\n    1\n  ],\n  \"b\": []\n}", JsonWriter.pythonIndented(nested, 2));
        assertEquals("\"\\u0001\"", JsonWriter.compact("\u0001"));
        assertEquals(m, Json.parse(JsonWriter.python(m)));
        assertThrows(IllegalArgumentException.class, () -> JsonWriter.compact(new Object()));
        assertThrows(IllegalArgumentException.class, () -> JsonWriter.pythonIndented(1L, -1));
    }
}
