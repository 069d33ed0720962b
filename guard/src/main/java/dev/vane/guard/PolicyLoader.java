package dev.vane.guard;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
 * Reads a {@link Policy} from YAML or JSON (JSON is YAML too); the format is in docs/GUARD.md:
 * <pre>
 * blockMessage: "Sorry, I can't help with that."
 * rules:
 *   - name: email
 *     detector: email
 *     action: redact
 *     replacement: "[EMAIL]"        # optional, REDACT only
 *     appliesTo: [input, output]    # optional, both by default
 *   - name: profanity
 *     detector: words
 *     words: [darn, heck]
 *     category: PROFANITY           # optional, WORD by default
 *     action: block
 *   - name: control-tokens
 *     detector: special-tokens
 *     tokens: ["&lt;|custom|&gt;"]        # optional, added to the model's and the built-in ones
 *     builtIn: true                 # optional
 *     action: block
 *     appliesTo: [input]
 * </pre>
 * Unknown keys, unknown detectors, bad actions and wrong value types are refused with an
 * IllegalArgumentException naming the source, the line and the key. Only the node tree is read
 * (no Java objects are constructed from tags).
 */
public final class PolicyLoader {
    private PolicyLoader() {}

    private static final Set<String> TOP_KEYS = Set.of("blockMessage", "rules");
    private static final Set<String> RULE_KEYS = Set.of("name", "detector", "action", "replacement", "appliesTo");
    /** Each detector's name and the option keys it takes. */
    private static final Map<String, Set<String>> DETECTORS = detectors();

    private static Map<String, Set<String>> detectors() {
        Map<String, Set<String>> m = new LinkedHashMap<>();
        for (String plain : List.of("email", "phone", "payment-card", "iban", "us-ssn", "uk-nino", "api-key", "pem-private-key", "prompt-injection")) {
            m.put(plain, Set.of());
        }
        m.put("words", Set.of("words", "category"));
        m.put("special-tokens", Set.of("tokens", "builtIn"));
        return m;
    }

    /** The detector names a policy file may use. */
    public static Set<String> detectorNames() {
        return DETECTORS.keySet();
    }

    public static Policy load(Path file) {
        return load(file, List.of());
    }

    /** modelSpecialTokens join every special-tokens rule's set (e.g. the model's BOS and EOS texts). */
    public static Policy load(Path file, Collection<String> modelSpecialTokens) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read policy file " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString(), modelSpecialTokens);
    }

    public static Policy parse(String text, String source) {
        return parse(text, source, List.of());
    }

    public static Policy parse(String text, String source, Collection<String> modelSpecialTokens) {
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
            throw new IllegalArgumentException(source + (line > 0 ? " line " + line : "") + ": not valid YAML or JSON: " + e.getProblem(), e);
        } catch (YAMLException e) {
            throw new IllegalArgumentException(source + ": not valid YAML or JSON: " + e.getMessage(), e);
        }
        if (root == null) throw new IllegalArgumentException(source + ": empty policy; expected a mapping with 'rules'");
        Reader r = new Reader(source, modelSpecialTokens);
        return r.policy(root);
    }

    private record Reader(String source, Collection<String> modelTokens) {
        Policy policy(Node root) {
            Map<String, Node> top = mapping(root, TOP_KEYS, "the policy");
            Policy.Builder b = Policy.builder();
            if (top.containsKey("blockMessage")) b.blockMessage(string(top.get("blockMessage"), "blockMessage"));
            Node rules = top.get("rules");
            if (rules == null) throw error(root, "the policy needs a 'rules' list");
            if (!(rules instanceof SequenceNode seq)) throw error(rules, "'rules' must be a list of rules");
            for (Node n : seq.getValue()) b.rule(rule(n));
            try {
                return b.build();
            } catch (IllegalArgumentException e) {
                throw error(rules, e.getMessage());
            }
        }

        Rule rule(Node n) {
            if (!(n instanceof MappingNode)) throw error(n, "each rule must be a mapping with name, detector and action");
            Map<String, Node> raw = mapping(n, null, "a rule");
            Node nameNode = raw.get("name");
            if (nameNode == null) throw error(n, "a rule needs a 'name'");
            String name = string(nameNode, "name");
            String what = "rule '" + name + "'";
            Node detNode = raw.get("detector");
            if (detNode == null) throw error(n, what + " needs a 'detector' (one of " + String.join(", ", DETECTORS.keySet()) + ")");
            String detector = string(detNode, "detector");
            Set<String> options = DETECTORS.get(detector);
            if (options == null) throw error(detNode, what + ": unknown detector '" + detector + "'; expected one of " + String.join(", ", DETECTORS.keySet()));
            for (Map.Entry<String, Node> e : raw.entrySet()) {
                if (!RULE_KEYS.contains(e.getKey()) && !options.contains(e.getKey())) {
                    List<String> allowed = new ArrayList<>(RULE_KEYS);
                    allowed.addAll(options);
                    throw error(e.getValue(), what + ": unknown key '" + e.getKey() + "' for detector '" + detector + "'; expected one of " + String.join(", ", allowed));
                }
            }
            Node actNode = raw.get("action");
            if (actNode == null) throw error(n, what + " needs an 'action' (allow, redact or block)");
            Action action = action(actNode, what);
            try {
                Rule rule = new Rule(name, detector(detector, raw, what), action,
                        raw.containsKey("replacement") ? string(raw.get("replacement"), "replacement") : null,
                        raw.containsKey("appliesTo") ? directions(raw.get("appliesTo"), what) : EnumSet.allOf(Direction.class));
                return rule;
            } catch (IllegalArgumentException e) {
                if (e.getMessage().startsWith(source)) throw e;
                throw error(n, e.getMessage());
            }
        }

        Detector detector(String name, Map<String, Node> raw, String what) {
            return switch (name) {
                case "email" -> new EmailDetector();
                case "phone" -> new PhoneDetector();
                case "payment-card" -> new PaymentCardDetector();
                case "iban" -> new IbanDetector();
                case "us-ssn" -> new UsSsnDetector();
                case "uk-nino" -> new UkNinoDetector();
                case "api-key" -> new ApiKeyDetector();
                case "pem-private-key" -> new PemPrivateKeyDetector();
                case "prompt-injection" -> new PromptInjectionDetector();
                case "words" -> {
                    Node words = raw.get("words");
                    if (words == null) throw error(raw.get("detector"), what + ": detector 'words' needs a 'words' list");
                    List<String> list = strings(words, "words");
                    yield raw.containsKey("category") ? new WordListDetector(list, string(raw.get("category"), "category")) : new WordListDetector(list);
                }
                case "special-tokens" -> {
                    List<String> tokens = new ArrayList<>(modelTokens);
                    if (raw.containsKey("tokens")) tokens.addAll(strings(raw.get("tokens"), "tokens"));
                    boolean builtIn = !raw.containsKey("builtIn") || bool(raw.get("builtIn"), "builtIn");
                    yield new SpecialTokenDetector(tokens, builtIn);
                }
                default -> throw new IllegalStateException("detector table and switch disagree on " + name);
            };
        }

        Action action(Node n, String what) {
            String s = string(n, "action");
            try {
                return Action.valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw error(n, what + ": unknown action '" + s + "'; expected allow, redact or block");
            }
        }

        Set<Direction> directions(Node n, String what) {
            EnumSet<Direction> out = EnumSet.noneOf(Direction.class);
            for (String s : n instanceof ScalarNode ? List.of(string(n, "appliesTo")) : strings(n, "appliesTo")) {
                try {
                    out.add(Direction.valueOf(s.toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw error(n, what + ": unknown direction '" + s + "' in 'appliesTo'; expected input or output");
                }
            }
            if (out.isEmpty()) throw error(n, what + ": 'appliesTo' must name input, output or both");
            return out;
        }

        // A mapping's entries by key; duplicate keys and (when allowed is given) unknown keys refused.
        Map<String, Node> mapping(Node n, Set<String> allowed, String what) {
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

        String string(Node n, String key) {
            if (!(n instanceof ScalarNode s)) throw error(n, "'" + key + "' must be a text, not a " + kind(n));
            return s.getValue();
        }

        boolean bool(Node n, String key) {
            String s = string(n, key);
            if (s.equals("true")) return true;
            if (s.equals("false")) return false;
            throw error(n, "'" + key + "' must be true or false, got '" + s + "'");
        }

        List<String> strings(Node n, String key) {
            if (!(n instanceof SequenceNode seq)) throw error(n, "'" + key + "' must be a list of texts, not a " + kind(n));
            List<String> out = new ArrayList<>();
            for (Node item : seq.getValue()) out.add(string(item, key + " item"));
            return out;
        }

        static String kind(Node n) {
            return n instanceof MappingNode ? "mapping" : n instanceof SequenceNode ? "list" : "scalar";
        }

        IllegalArgumentException error(Node at, String message) {
            return new IllegalArgumentException(source + " line " + (at.getStartMark().getLine() + 1) + ": " + message);
        }
    }
}
