package dev.vane.redteam;

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
 * Reads SnakeYAML's node tree (never constructing Java objects from tags) with errors that name
 * the source and the line: "suite.yaml line 12: ...".
 */
final class YamlNodes {
    private final String source;

    YamlNodes(String source) {
        this.source = source;
    }

    Node root(String text) {
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
            throw new IllegalArgumentException(source + (line > 0 ? " line " + line : "") + ": not valid YAML or JSON: " + e.getProblem(), e);
        } catch (YAMLException e) {
            throw new IllegalArgumentException(source + ": not valid YAML or JSON: " + e.getMessage(), e);
        }
        if (root == null) throw new IllegalArgumentException(source + ": empty file; expected a mapping with 'suite' and 'probes'");
        return root;
    }

    IllegalArgumentException error(Node at, String message) {
        return new IllegalArgumentException(source + " line " + (at.getStartMark().getLine() + 1) + ": " + message);
    }

    /** A mapping's entries by key, in order; keys outside allowed are refused, as are duplicates. */
    Map<String, Node> mapping(Node n, Set<String> allowed, String what) {
        if (!(n instanceof MappingNode m)) throw error(n, what + " must be a mapping");
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            String key = scalar(t.getKeyNode(), "a key");
            if (!allowed.contains(key)) {
                throw error(t.getKeyNode(), "unknown key '" + key + "' in " + what + "; expected one of " + String.join(", ", sorted(allowed)));
            }
            if (out.put(key, t.getValueNode()) != null) throw error(t.getKeyNode(), "duplicate key '" + key + "' in " + what);
        }
        return out;
    }

    String scalar(Node n, String what) {
        if (!(n instanceof ScalarNode s)) throw error(n, what + " must be a text, got a " + kind(n));
        return s.getValue();
    }

    List<Node> sequence(Node n, String what) {
        if (!(n instanceof SequenceNode s)) throw error(n, what + " must be a list, got a " + kind(n));
        return s.getValue();
    }

    List<String> strings(Node n, String what) {
        List<String> out = new ArrayList<>();
        for (Node item : sequence(n, what)) out.add(scalar(item, "each item of " + what));
        return out;
    }

    private static String kind(Node n) {
        return n instanceof MappingNode ? "mapping" : n instanceof SequenceNode ? "list" : "text";
    }

    private static List<String> sorted(Set<String> s) {
        List<String> l = new ArrayList<>(s);
        java.util.Collections.sort(l);
        return l;
    }
}
