package dev.vane.guard;

import java.io.IOException;
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
import dev.vane.guard.moderation.GuardModels;
import dev.vane.guard.moderation.HazardCategory;
import dev.vane.guard.moderation.ModeratorDetector;
import dev.vane.guard.moderation.ModeratorOpener;
import dev.vane.guard.yaml.YamlNodes;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
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
 *   - name: moderation
 *     detector: llama-guard
 *     model: guard/llama-guard-3-1b-q8_0.gguf   # required; relative to the policy file's folder
 *     action: block                 # the default for categories not listed
 *     categories: {S6: allow, S7: redact}   # optional, per-category actions
 *     exclude: [S13]                # optional, left out of the prompt
 *     appliesTo: [input, output]
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
        m.put(ModeratorDetector.NAME, Set.of("model", "categories", "exclude"));
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
        return load(file, modelSpecialTokens, null);
    }

    /**
     * As {@link #load(Path, Collection)}, with llama-guard rules' moderators from opener (null: the
     * default, which loads each model file once and leaves it to the policy to close, see
     * {@link Policy#close()}); a rule's model path is resolved against the policy file's folder.
     */
    public static Policy load(Path file, Collection<String> modelSpecialTokens, ModeratorOpener opener) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read policy file " + file + ": " + e.getMessage(), e);
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(text, file.toString(), modelSpecialTokens, opener, dir);
    }

    public static Policy parse(String text, String source) {
        return parse(text, source, List.of());
    }

    public static Policy parse(String text, String source, Collection<String> modelSpecialTokens) {
        return parse(text, source, modelSpecialTokens, null);
    }

    /** As {@link #load(Path, Collection, ModeratorOpener)}; model paths are resolved against the working directory. */
    public static Policy parse(String text, String source, Collection<String> modelSpecialTokens, ModeratorOpener opener) {
        return parse(text, source, modelSpecialTokens, opener, Path.of("").toAbsolutePath());
    }

    private static Policy parse(String text, String source, Collection<String> modelSpecialTokens, ModeratorOpener opener, Path dir) {
        YamlNodes y = new YamlNodes(source);
        Node root = y.root(text, "a policy mapping with 'rules'");
        GuardModels owned = opener == null ? new GuardModels() : null;
        Reader r = new Reader(y, modelSpecialTokens, opener != null ? opener : owned, dir);
        try {
            Policy.Builder b = Policy.builder();
            if (owned != null) b.own(owned);
            return r.policy(root, b);
        } catch (RuntimeException | Error e) {
            if (owned != null) owned.close();  // a refused file keeps no model open
            throw e;
        }
    }

    private record Reader(YamlNodes y, Collection<String> modelTokens, ModeratorOpener opener, Path dir) {
        Policy policy(Node root, Policy.Builder b) {
            Map<String, Node> top = y.mapping(root, TOP_KEYS, "the policy");
            if (top.containsKey("blockMessage")) b.blockMessage(y.string(top.get("blockMessage"), "blockMessage"));
            Node rules = top.get("rules");
            if (rules == null) throw y.error(root, "the policy needs a 'rules' list");
            if (!(rules instanceof SequenceNode seq)) throw y.error(rules, "'rules' must be a list of rules");
            for (Node n : seq.getValue()) b.rule(rule(n));
            try {
                return b.build();
            } catch (IllegalArgumentException e) {
                throw y.error(rules, e.getMessage());
            }
        }

        Rule rule(Node n) {
            if (!(n instanceof MappingNode)) throw y.error(n, "each rule must be a mapping with name, detector and action");
            Map<String, Node> raw = y.mapping(n, null, "a rule");
            Node nameNode = raw.get("name");
            if (nameNode == null) throw y.error(n, "a rule needs a 'name'");
            String name = y.string(nameNode, "name");
            String what = "rule '" + name + "'";
            Node detNode = raw.get("detector");
            if (detNode == null) throw y.error(n, what + " needs a 'detector' (one of " + String.join(", ", DETECTORS.keySet()) + ")");
            String detector = y.string(detNode, "detector");
            Set<String> options = DETECTORS.get(detector);
            if (options == null) throw y.error(detNode, what + ": unknown detector '" + detector + "'; expected one of " + String.join(", ", DETECTORS.keySet()));
            for (Map.Entry<String, Node> e : raw.entrySet()) {
                if (!RULE_KEYS.contains(e.getKey()) && !options.contains(e.getKey())) {
                    List<String> allowed = new ArrayList<>(RULE_KEYS);
                    allowed.addAll(options);
                    throw y.error(e.getValue(), what + ": unknown key '" + e.getKey() + "' for detector '" + detector + "'; expected one of " + String.join(", ", allowed));
                }
            }
            Node actNode = raw.get("action");
            if (actNode == null) throw y.error(n, what + " needs an 'action' (allow, redact or block)");
            Action action = action(actNode, what);
            try {
                Map<String, Action> perCategory = raw.containsKey("categories") ? categoryActions(raw.get("categories"), what) : Map.of();
                Rule rule = new Rule(name, detector(detector, raw, what), action,
                        raw.containsKey("replacement") ? y.string(raw.get("replacement"), "replacement") : null,
                        raw.containsKey("appliesTo") ? directions(raw.get("appliesTo"), what) : EnumSet.allOf(Direction.class), perCategory);
                return rule;
            } catch (IllegalArgumentException e) {
                if (e.getMessage().startsWith(y.source())) throw e;
                throw y.error(n, e.getMessage());
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
                    if (words == null) throw y.error(raw.get("detector"), what + ": detector 'words' needs a 'words' list");
                    List<String> list = y.strings(words, "words");
                    yield raw.containsKey("category") ? new WordListDetector(list, y.string(raw.get("category"), "category")) : new WordListDetector(list);
                }
                case "special-tokens" -> {
                    List<String> tokens = new ArrayList<>(modelTokens);
                    if (raw.containsKey("tokens")) tokens.addAll(y.strings(raw.get("tokens"), "tokens"));
                    boolean builtIn = !raw.containsKey("builtIn") || y.bool(raw.get("builtIn"), "builtIn");
                    yield new SpecialTokenDetector(tokens, builtIn);
                }
                case ModeratorDetector.NAME -> moderator(raw, what);
                default -> throw new IllegalStateException("detector table and switch disagree on " + name);
            };
        }

        // A llama-guard rule: its model file, the categories its prompt lists (all but 'exclude').
        Detector moderator(Map<String, Node> raw, String what) {
            Node modelNode = raw.get("model");
            if (modelNode == null) throw y.error(raw.get("detector"), what + ": detector 'llama-guard' needs a 'model' (the guard model's GGUF file)");
            Path model = dir.resolve(y.string(modelNode, "model"));
            EnumSet<HazardCategory> asked = EnumSet.allOf(HazardCategory.class);
            if (raw.containsKey("exclude")) {
                Node ex = raw.get("exclude");
                for (String code : ex instanceof ScalarNode ? List.of(y.string(ex, "exclude")) : y.strings(ex, "exclude")) {
                    asked.remove(category(code, ex, what, "exclude"));
                }
                if (asked.isEmpty()) throw y.error(ex, what + ": 'exclude' leaves no category to ask the model about; keep at least one of S1..S14");
            }
            if (raw.containsKey("categories")) {
                Node cats = raw.get("categories");
                for (Map.Entry<String, Node> e : y.mapping(cats, null, "'categories'").entrySet()) {
                    HazardCategory c = category(e.getKey(), e.getValue(), what, "categories");
                    if (!asked.contains(c)) throw y.error(e.getValue(), what + ": " + c.code() + " is excluded (the model is never asked about it) but has an action in 'categories'");
                }
            }
            try {
                return new ModeratorDetector(opener.open(model, asked));
            } catch (IOException e) {
                throw new UncheckedIOException(y.source() + " line " + (modelNode.getStartMark().getLine() + 1) + ": " + what
                        + ": cannot open guard model " + model + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                if (e.getMessage() != null && e.getMessage().startsWith(y.source())) throw e;
                throw y.error(modelNode, what + ": cannot use guard model " + model + ": " + e.getMessage());
            }
        }

        // 'categories: {S1: block, S6: allow}': each code's action.
        Map<String, Action> categoryActions(Node n, String what) {
            Map<String, Action> out = new LinkedHashMap<>();
            for (Map.Entry<String, Node> e : y.mapping(n, null, "'categories'").entrySet()) {
                HazardCategory c = category(e.getKey(), e.getValue(), what, "categories");
                if (out.put(c.code(), action(e.getValue(), what + " category " + c.code())) != null) {
                    throw y.error(e.getValue(), what + ": category " + c.code() + " appears twice in 'categories'");
                }
            }
            return out;
        }

        HazardCategory category(String code, Node at, String what, String key) {
            return HazardCategory.ofCode(code).orElseThrow(() -> y.error(at, what + ": unknown category '" + code + "' in '" + key
                    + "'; expected a Llama Guard 3 code S1..S14"));
        }

        Action action(Node n, String what) {
            String s = y.string(n, "action");
            try {
                return Action.valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw y.error(n, what + ": unknown action '" + s + "'; expected allow, redact or block");
            }
        }

        Set<Direction> directions(Node n, String what) {
            EnumSet<Direction> out = EnumSet.noneOf(Direction.class);
            for (String s : n instanceof ScalarNode ? List.of(y.string(n, "appliesTo")) : y.strings(n, "appliesTo")) {
                try {
                    out.add(Direction.valueOf(s.toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw y.error(n, what + ": unknown direction '" + s + "' in 'appliesTo'; expected input or output");
                }
            }
            if (out.isEmpty()) throw y.error(n, what + ": 'appliesTo' must name input, output or both");
            return out;
        }
    }
}
