package dev.vane.guard.yaml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.yaml.snakeyaml.nodes.Node;

class YamlNodesTest {
    private final YamlNodes y = new YamlNodes("f.yaml");

    private static void assertError(String expected, Executable call) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    @Test
    void readsMappingsTextsListsAndBooleansInOrder() {
        Map<String, Node> m = y.mapping(y.root("b: x\na: [p, q]\nc: true\nd: false\n", "a mapping"), null, "the file");
        assertEquals(List.of("b", "a", "c", "d"), List.copyOf(m.keySet()));
        assertEquals("x", y.string(m.get("b"), "b"));
        assertEquals(List.of("p", "q"), y.strings(m.get("a"), "a"));
        assertEquals(2, y.sequence(m.get("a"), "a").size());
        assertTrue(y.bool(m.get("c"), "c"));
        assertFalse(y.bool(m.get("d"), "d"));
    }

    @Test
    void errorsNameTheSourceTheLineAndTheKey() {
        assertError("f.yaml: empty file; expected a mapping with 'x'", () -> y.root("", "a mapping with 'x'"));
        assertError("f.yaml line 2: not valid YAML or JSON: found unexpected end of stream", () -> y.root("a: 'x\n", "m"));
        Node root = y.root("a: 1\nb: [1]\nc: {d: 1}\nd: yes\n", "m");
        assertError("f.yaml line 1: unknown key 'a' in the file; expected one of b, c, d", () -> y.mapping(root, Set.of("d", "c", "b"), "the file"));
        Map<String, Node> m = y.mapping(root, null, "the file");
        assertError("f.yaml line 2: 'b' must be a text, not a list", () -> y.string(m.get("b"), "b"));
        assertError("f.yaml line 3: 'c' must be a list of texts, not a mapping", () -> y.strings(m.get("c"), "c"));
        assertError("f.yaml line 1: 'a' must be a list, not a scalar", () -> y.sequence(m.get("a"), "a"));
        assertError("f.yaml line 4: 'd' must be true or false, got 'yes'", () -> y.bool(m.get("d"), "d"));
        assertError("f.yaml line 1: the file must be a mapping", () -> y.mapping(m.get("a"), null, "the file"));
        assertError("f.yaml line 2: key 'a' appears twice in the file", () -> y.mapping(y.root("a: 1\na: 2\n", "m"), null, "the file"));
        assertError("f.yaml line 1: 'l item' must be a text, not a list", () -> y.strings(y.root("[[1]]", "m"), "l"));
    }
}
