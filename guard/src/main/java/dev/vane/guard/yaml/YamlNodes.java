package dev.vane.guard.yaml;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a YAML (or JSON) file of Vane's own (guard policies, red-team suites) as SnakeYAML's node
 * tree, never constructing Java objects from tags, with errors that name the source and the
 * line: "policy.yaml line 12: ...". Every error is an {@link IllegalArgumentException}.
 */
public final class YamlNodes {
    private final String source;

    /** source names the file in errors. */
    public YamlNodes(String source) {
        this.source = source;
    }

    public String source() {
        return source;
    }

    /** The text's root node; an empty text is refused with "SOURCE: empty file; expected ..." (expected). */
    public Node root(String text, String expected) {
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
            throw new IllegalArgumentException(source + (line > 0 ? " line " + line : "") + ": not valid YAML or JSON: " + e.getProblem(), e);
        } catch (YAMLException e) {
            throw new IllegalArgumentException(source + ": not valid YAML or JSON: " + e.getMessage(), e);
        }
        if (root == null) throw new IllegalArgumentException(source + ": empty file; expected " + expected);
        return root;
    }

    /** "SOURCE line N: message", N the node's first line. */
    public IllegalArgumentException error(Node at, String message) {
        return new IllegalArgumentException(source + " line " + (at.getStartMark().getLine() + 1) + ": " + message);
    }

    /** A mapping's entries by key, in order; duplicate keys refused, and keys outside allowed unless it is null. */
    public Map<String, Node> mapping(Node n, Set<String> allowed, String what) {
        if (!(n instanceof MappingNode m)) throw error(n, what + " must be a mapping");
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            String key = string(t.getKeyNode(), "a key");
            if (allowed != null && !allowed.contains(key)) {
                throw error(t.getKeyNode(), "unknown key '" + key + "' in " + what + "; expected one of " + String.join(", ", allowed.stream().sorted().toList()));
            }
            if (out.put(key, t.getValueNode()) != null) throw error(t.getKeyNode(), "key '" + key + "' appears twice in " + what);
        }
        return out;
    }

    /** The text of a scalar; key names the value in the error. */
    public String string(Node n, String key) {
        if (!(n instanceof ScalarNode s)) throw error(n, "'" + key + "' must be a text, not a " + kind(n));
        return s.getValue();
    }

    /** true or false, nothing else. */
    public boolean bool(Node n, String key) {
        String s = string(n, key);
        if (s.equals("true")) return true;
        if (s.equals("false")) return false;
        throw error(n, "'" + key + "' must be true or false, got '" + s + "'");
    }

    public List<Node> sequence(Node n, String key) {
        if (!(n instanceof SequenceNode seq)) throw error(n, "'" + key + "' must be a list, not a " + kind(n));
        return seq.getValue();
    }

    public List<String> strings(Node n, String key) {
        if (!(n instanceof SequenceNode seq)) throw error(n, "'" + key + "' must be a list of texts, not a " + kind(n));
        List<String> out = new ArrayList<>();
        for (Node item : seq.getValue()) out.add(string(item, key + " item"));
        return out;
    }

    private static String kind(Node n) {
        return n instanceof MappingNode ? "mapping" : n instanceof SequenceNode ? "list" : "scalar";
    }
}
