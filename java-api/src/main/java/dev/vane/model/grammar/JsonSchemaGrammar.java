package dev.vane.model.grammar;

import dev.vane.model.json.Json;
import dev.vane.model.json.JsonException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JSON Schema to GBNF. The rules it writes are named ruleName and ruleName-*, so they can be
 * composed into a larger grammar (e.g. {@code root ::= "<tool_call>\n" call "\n</tool_call>"} plus
 * {@code toGbnf(schema, "call")}). Every value the grammar accepts validates against the schema;
 * the grammar may accept fewer values than the schema does (see docs/GRAMMAR.md):
 *
 * <ul>
 *   <li>whitespace between tokens is at most one space, or a newline and up to 16 spaces/tabs
 *       (bounded, so a model cannot loop on it); none before or after the top value;
 *   <li>properties come in the order declared; properties not declared are never generated (even
 *       where additionalProperties allows them), except for an object without properties whose
 *       additionalProperties is a schema or true (a map);
 *   <li>integers have at most 16 digits, fractions 16, exponents 2;
 * </ul>
 *
 * Keywords that affect validity and are not supported are refused with a {@link GrammarException}
 * naming them.
 */
public final class JsonSchemaGrammar {
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "$schema", "$id", "$comment", "default",
            "examples", "deprecated", "readOnly", "writeOnly", "$defs", "definitions", "$anchor", "contentMediaType", "contentEncoding");
    private static final Set<String> FORMATS = Set.of("date", "time", "date-time", "uuid", "email");
    private static final int MAX_ENUMERATED_INTEGERS = 1000;
    private static final Map<Object, Set<String>> TYPE_KEYWORDS = Map.of(
            "object", Set.of("properties", "required", "additionalProperties"),
            "array", Set.of("items", "prefixItems", "minItems", "maxItems"),
            "string", Set.of("minLength", "maxLength", "format"),
            "integer", Set.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "format"),
            "number", Set.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "format"));

    private final String name;
    private final Object rootSchema;
    private final Map<String, String> rules = new LinkedHashMap<>();  // name -> body
    private final Map<String, String> byBody = new HashMap<>();
    private final Map<String, String> refRules = new HashMap<>();

    private JsonSchemaGrammar(String name, Object rootSchema) {
        this.name = name;
        this.rootSchema = rootSchema;
    }

    /** The GBNF of the values schemaJson accepts, its top rule named ruleName. */
    public static String toGbnf(String schemaJson, String ruleName) {
        if (!ruleName.matches("[a-zA-Z0-9_-]+")) throw new IllegalArgumentException("a rule name is letters, digits, - and _, got " + ruleName);
        Object schema;
        try {
            schema = Json.parse(schemaJson);
        } catch (JsonException e) {
            throw new GrammarException("the schema is not valid JSON: " + e.getMessage());
        }
        JsonSchemaGrammar g = new JsonSchemaGrammar(ruleName, schema);
        g.rules.put(ruleName, "");  // first in the text
        g.rules.put(ruleName, g.value(schema, "#"));
        return g.text();
    }

    /** The GBNF of any JSON object or array, its top rule named ruleName. */
    static String anyJsonGbnf(String ruleName) {
        JsonSchemaGrammar g = new JsonSchemaGrammar(ruleName, Map.of());
        g.rules.put(ruleName, "");
        g.rules.put(ruleName, g.anyObject() + " | " + g.anyArray());
        return g.text();
    }

    private String text() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : rules.entrySet()) b.append(e.getKey()).append(" ::= ").append(e.getValue()).append('\n');
        return b.toString();
    }

    // A rule for body (one per distinct body), named after hint.
    private String rule(String hint, String body) {
        String known = byBody.get(body);
        if (known != null) return known;
        String n = name + "-" + hint.replaceAll("[^a-zA-Z0-9-]", "-"), unique = n;
        for (int i = 2; rules.containsKey(unique); i++) unique = n + i;
        rules.put(unique, body);
        byBody.put(body, unique);
        return unique;
    }

    private String ws() {
        return rule("ws", "( \" \" | \"\\n\" [ \\t]{0,16} )?");
    }

    // ---- schemas --------------------------------------------------------------------------------

    // The GBNF expression (a sequence) for values of schema s, at JSON pointer path (for errors).
    private String value(Object s, String path) {
        if (s instanceof Boolean b) {
            if (!b) throw new GrammarException(path + ": the schema false accepts no value");
            return anyValue();
        }
        if (!(s instanceof Map<?, ?> raw)) throw new GrammarException(path + ": a schema must be an object or a boolean");
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) raw;
        if (m.containsKey("$ref")) {
            if (m.size() > 1 && !onlyAnnotations(m, "$ref")) throw new GrammarException(path + ": keywords next to $ref are not supported");
            return ref((String) m.get("$ref"), path);
        }
        if (m.containsKey("const")) return JsonText.literal(JsonText.write(m.get("const")));
        if (m.containsKey("enum")) {
            if (!(m.get("enum") instanceof List<?> values) || values.isEmpty()) throw new GrammarException(path + "/enum: expected a non-empty array");
            List<String> alts = new ArrayList<>();
            for (Object v : values) alts.add(JsonText.literal(JsonText.write(v)));
            return "(" + String.join(" | ", alts) + ")";
        }
        if (m.containsKey("anyOf") || m.containsKey("oneOf")) return anyOf(m, path);
        if (m.containsKey("allOf")) return value(mergeAllOf(m, path), path);
        Object type = m.get("type");
        if (type instanceof List<?> types) {
            List<String> alts = new ArrayList<>();
            for (Object t : types) {  // each type with the keywords that apply to it (the others do not constrain it)
                Map<String, Object> one = new LinkedHashMap<>();
                for (Map.Entry<String, Object> e : m.entrySet()) {
                    Set<String> own = TYPE_KEYWORDS.getOrDefault(t, Set.of());
                    boolean another = TYPE_KEYWORDS.values().stream().anyMatch(k -> k.contains(e.getKey()));
                    if (!another || own.contains(e.getKey())) one.put(e.getKey(), e.getValue());
                }
                one.put("type", t);
                alts.add(value(one, path));
            }
            if (alts.isEmpty()) throw new GrammarException(path + "/type: expected at least one type");
            return "(" + String.join(" | ", alts) + ")";
        }
        if (type == null) {
            if (m.containsKey("properties") || m.containsKey("required") || m.containsKey("additionalProperties")) type = "object";
            else if (m.containsKey("items") || m.containsKey("prefixItems")) type = "array";
            else {
                check(m, path, Set.of());
                return anyValue();
            }
        }
        return switch (String.valueOf(type)) {
            case "object" -> object(m, path);
            case "array" -> array(m, path);
            case "string" -> string(m, path);
            case "integer" -> integer(m, path);
            case "number" -> {
                check(m, path, Set.of("type", "format"));
                checkNumberFormat(m, path);
                yield number();
            }
            case "boolean" -> {
                check(m, path, Set.of("type"));
                yield "(\"true\" | \"false\")";
            }
            case "null" -> {
                check(m, path, Set.of("type"));
                yield "\"null\"";
            }
            default -> throw new GrammarException(path + "/type: unknown type " + type);
        };
    }

    // Refuses keywords of m that are neither in allowed nor annotations.
    private static void check(Map<String, Object> m, String path, Set<String> allowed) {
        for (String k : m.keySet()) {
            if (!allowed.contains(k) && !ANNOTATIONS.contains(k)) {
                throw new GrammarException(path + ": the keyword " + k + " is not supported here (the grammar could not guarantee it)");
            }
        }
    }

    private static boolean onlyAnnotations(Map<String, Object> m, String except) {
        for (String k : m.keySet()) if (!k.equals(except) && !ANNOTATIONS.contains(k)) return false;
        return true;
    }

    private String ref(String ref, String path) {
        String known = refRules.get(ref);
        if (known != null) return known;
        Object target;
        String hint;
        if (ref.equals("#")) {
            target = rootSchema;
            hint = "root";
        } else if (ref.startsWith("#/$defs/") || ref.startsWith("#/definitions/")) {
            String section = ref.startsWith("#/$defs/") ? "$defs" : "definitions", key = ref.substring(ref.indexOf('/', 2) + 1);
            Object defs = rootSchema instanceof Map<?, ?> r ? r.get(section) : null;
            target = defs instanceof Map<?, ?> d ? d.get(key.replace("~1", "/").replace("~0", "~")) : null;
            if (target == null) throw new GrammarException(path + ": $ref " + ref + " names no definition");
            hint = key;
        } else {
            throw new GrammarException(path + ": $ref " + ref + " is not supported (only #, #/$defs/name and #/definitions/name)");
        }
        if (ref.equals("#")) {
            refRules.put(ref, name);
            return name;
        }
        String n = name + "-" + hint.replaceAll("[^a-zA-Z0-9-]", "-"), unique = n;
        for (int i = 2; rules.containsKey(unique); i++) unique = n + i;
        refRules.put(ref, unique);
        rules.put(unique, "");  // reserved: a recursive definition refers to itself
        rules.put(unique, value(target, ref));
        return unique;
    }

    private String anyOf(Map<String, Object> m, String path) {
        String key = m.containsKey("anyOf") ? "anyOf" : "oneOf";
        check(m, path, Set.of(key));
        if (!(m.get(key) instanceof List<?> branches) || branches.isEmpty()) throw new GrammarException(path + "/" + key + ": expected a non-empty array");
        if (key.equals("oneOf") && !disjoint(branches)) {
            throw new GrammarException(path + "/oneOf: only branches of different types, or objects told apart by a required const"
                    + " property, are supported (a value could match two branches); use anyOf if that is what is meant");
        }
        List<String> alts = new ArrayList<>();
        for (int i = 0; i < branches.size(); i++) alts.add(value(branches.get(i), path + "/" + key + "/" + i));
        return "(" + String.join(" | ", alts) + ")";
    }

    // Whether no value can match two of the branches: each has its own single type, or all are
    // objects with the same required property whose const differs.
    private boolean disjoint(List<?> branches) {
        Set<Object> types = new HashSet<>();
        boolean byType = true;
        for (Object b : branches) {
            Object t = b instanceof Map<?, ?> m ? resolved(m).get("type") : null;
            if (!(t instanceof String) || !types.add(t)) byType = false;
        }
        if (byType) return true;
        Map<?, ?> first = branches.get(0) instanceof Map<?, ?> f ? resolved(f) : Map.of();
        if (!(first.get("properties") instanceof Map<?, ?> props)) return false;
        for (Object p : props.keySet()) {
            Set<String> consts = new HashSet<>();
            boolean ok = true;
            for (Object b : branches) {
                Map<?, ?> m = b instanceof Map<?, ?> x ? resolved(x) : Map.of();
                Object ps = m.get("properties"), req = m.get("required");
                Object c = ps instanceof Map<?, ?> pm && pm.get(p) instanceof Map<?, ?> pp && pp.containsKey("const") ? JsonText.write(pp.get("const")) : null;
                if (c == null || !(req instanceof List<?> r && r.contains(p)) || !consts.add((String) c)) ok = false;
            }
            if (ok) return true;
        }
        return false;
    }

    private Map<?, ?> resolved(Map<?, ?> m) {
        Object ref = m.get("$ref");
        if (!(ref instanceof String r) || !(rootSchema instanceof Map<?, ?> root)) return m;
        String section = r.startsWith("#/$defs/") ? "$defs" : r.startsWith("#/definitions/") ? "definitions" : null;
        if (section == null || !(root.get(section) instanceof Map<?, ?> defs)) return m;
        return defs.get(r.substring(r.indexOf('/', 2) + 1)) instanceof Map<?, ?> t ? t : m;
    }

    // allOf of object schemas as one object schema: properties in order, required joined.
    private Map<String, Object> mergeAllOf(Map<String, Object> m, String path) {
        check(m, path, Set.of("allOf", "type", "properties", "required", "additionalProperties"));
        if (!(m.get("allOf") instanceof List<?> parts)) throw new GrammarException(path + "/allOf: expected an array");
        Map<String, Object> props = new LinkedHashMap<>();
        List<Object> required = new ArrayList<>();
        List<Object> all = new ArrayList<>(parts);
        Map<String, Object> self = new LinkedHashMap<>(m);
        self.remove("allOf");
        all.add(self);
        for (int i = 0; i < all.size(); i++) {
            Map<?, ?> part = all.get(i) instanceof Map<?, ?> p ? resolved(p) : null;
            String at = path + "/allOf/" + i;
            if (part == null) throw new GrammarException(at + ": expected an object schema");
            for (Object k : part.keySet()) {
                if (!Set.of("type", "properties", "required", "additionalProperties").contains(k) && !ANNOTATIONS.contains(k)) {
                    throw new GrammarException(at + ": allOf is supported for object schemas only (properties, required); " + k + " is not");
                }
            }
            if (part.containsKey("type") && !"object".equals(part.get("type"))) throw new GrammarException(at + ": allOf is supported for objects only");
            if (part.get("properties") instanceof Map<?, ?> ps) {
                for (Map.Entry<?, ?> e : ps.entrySet()) {
                    if (props.put((String) e.getKey(), e.getValue()) != null) {
                        throw new GrammarException(at + ": property " + e.getKey() + " is declared by two allOf parts (not supported)");
                    }
                }
            }
            if (part.get("required") instanceof List<?> r) required.addAll(r);
            if (Boolean.FALSE.equals(part.get("additionalProperties")) && ps(part).size() < 1) {
                throw new GrammarException(at + ": additionalProperties false inside allOf is not supported");
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", "object");
        out.put("properties", props);
        out.put("required", required);
        return out;
    }

    private static Map<?, ?> ps(Map<?, ?> part) {
        return part.get("properties") instanceof Map<?, ?> p ? p : Map.of();
    }

    private String object(Map<String, Object> m, String path) {
        check(m, path, Set.of("type", "properties", "required", "additionalProperties"));
        Map<?, ?> props = m.get("properties") instanceof Map<?, ?> p ? p : Map.of();
        Set<Object> required = new HashSet<>(m.get("required") instanceof List<?> r ? r : List.of());
        for (Object r : required) {
            if (!props.containsKey(r)) throw new GrammarException(path + "/required: " + r + " is required but not among the properties (not supported)");
        }
        String ws = ws();
        Object extra = m.get("additionalProperties");
        if (props.isEmpty()) {
            if (Boolean.FALSE.equals(extra)) return "\"{\" " + ws + " \"}\"";
            String v = extra == null || Boolean.TRUE.equals(extra) ? anyValue() : value(extra, path + "/additionalProperties");
            String kv = rule("kv", string(Map.of(), path) + " " + ws + " \":\" " + ws + " " + v);
            return "\"{\" " + ws + " ( " + kv + " ( \",\" " + ws + " " + kv + " )* )? " + ws + " \"}\"";
        }
        List<String> pairs = new ArrayList<>();
        List<Boolean> mandatory = new ArrayList<>();
        for (Map.Entry<?, ?> e : props.entrySet()) {
            String key = (String) e.getKey();
            String v = value(e.getValue(), path + "/properties/" + key);
            pairs.add(JsonText.literal(JsonText.write(key)) + " " + ws + " \":\" " + ws + " " + v);
            mandatory.add(required.contains(key));
        }
        // rest_i: properties i.. after one was written (each then starts with a comma); first_i: none written yet.
        int n = pairs.size();
        String rest = null, first = null;
        String hint = path.equals("#") ? "obj" : path.substring(path.lastIndexOf('/') + 1);
        for (int i = n - 1; i >= 0; i--) {
            String kv = pairs.get(i), comma = "\",\" " + ws + " " + kv;
            String restBody = mandatory.get(i) ? comma + (rest == null ? "" : " " + rest) : "( " + comma + " )?" + (rest == null ? "" : " " + rest);
            String firstBody = kv + (rest == null ? "" : " " + rest);
            if (!mandatory.get(i)) firstBody += first == null ? " | \"\"" : " | " + first;
            String newRest = rule(hint + "-rest" + i, restBody);
            first = rule(hint + "-first" + i, firstBody);
            rest = newRest;
        }
        return "\"{\" " + ws + " " + first + " " + ws + " \"}\"";
    }

    private String array(Map<String, Object> m, String path) {
        check(m, path, Set.of("type", "items", "prefixItems", "minItems", "maxItems"));
        String ws = ws();
        List<String> fixed = new ArrayList<>();
        if (m.get("prefixItems") instanceof List<?> prefix) {
            for (int i = 0; i < prefix.size(); i++) fixed.add(value(prefix.get(i), path + "/prefixItems/" + i));
        } else if (m.containsKey("prefixItems")) throw new GrammarException(path + "/prefixItems: expected an array");
        Object items = m.get("items");
        if (items instanceof List<?>) throw new GrammarException(path + "/items: an array of schemas (draft 4-7 tuples) is not supported; use prefixItems");
        int min = intKeyword(m, "minItems", path, 0), max = intKeyword(m, "maxItems", path, -1);
        boolean moreAllowed = !Boolean.FALSE.equals(items);
        String item = moreAllowed ? (items == null ? anyValue() : value(items, path + "/items")) : null;
        if (max >= 0 && max < min) throw new GrammarException(path + ": maxItems " + max + " is below minItems " + min);
        // Fixed items first (all of them unless maxItems cuts them), then min.. max more of item.
        int fixedCount = max >= 0 ? Math.min(fixed.size(), max) : fixed.size();
        int extraMin = Math.max(0, min - fixedCount), extraMax = max < 0 ? -1 : max - fixedCount;
        if (!moreAllowed && extraMin > 0) throw new GrammarException(path + ": minItems " + min + " needs more items than prefixItems allows");
        if (!moreAllowed || (items == null && !fixed.isEmpty())) extraMax = Math.min(extraMax < 0 ? extraMin : extraMax, extraMin);  // generate no unasked extras
        List<String> seq = new ArrayList<>(fixed.subList(0, fixedCount));
        if (fixedCount < fixed.size() || min > fixedCount && fixedCount < fixed.size()) {
            throw new GrammarException(path + ": maxItems below the number of prefixItems is not supported");
        }
        StringBuilder body = new StringBuilder("\"[\" " + ws + " ");
        String sep = "\",\" " + ws + " ";
        if (!seq.isEmpty()) {
            body.append(String.join(" " + sep, seq));
            if (extraMax != 0) body.append(" ( ").append(sep).append(item).append(" )").append(repeat(extraMin, extraMax));
        } else if (extraMax != 0) {
            String tail = extraMax < 0 ? "*" : repeat(Math.max(0, extraMin - 1), extraMax - 1);
            String list = item + " ( " + sep + item + " )" + tail;
            body.append(extraMin > 0 ? list : "( " + list + " )?");
        }
        return body.append(" ").append(ws).append(" \"]\"").toString();
    }

    private static String repeat(int min, int max) {
        return max < 0 ? "{" + min + ",}" : "{" + min + "," + max + "}";
    }

    private static int intKeyword(Map<String, Object> m, String key, String path, int absent) {
        Object v = m.get(key);
        if (v == null) return absent;
        if (!(v instanceof Long l) || l < 0 || l > 100_000) throw new GrammarException(path + "/" + key + ": expected an integer 0..100000, got " + v);
        return (int) (long) l;
    }

    private String string(Map<String, Object> m, String path) {
        check(m, path, Set.of("type", "minLength", "maxLength", "format"));
        if (m.containsKey("format")) {
            if (m.containsKey("minLength") || m.containsKey("maxLength")) throw new GrammarException(path + ": format with minLength/maxLength is not supported");
            Object f = m.get("format");
            if (!FORMATS.contains(f)) throw new GrammarException(path + "/format: format " + f + " is not supported (only " + FORMATS + ")");
            return "\"\\\"\" " + StringFormats.rule(this::rule, (String) f) + " \"\\\"\"";
        }
        int min = intKeyword(m, "minLength", path, 0), max = intKeyword(m, "maxLength", path, -1);
        if (max >= 0 && max < min) throw new GrammarException(path + ": maxLength " + max + " is below minLength " + min);
        // One character: unescaped (not ", \ or a control), or an escape; \\u escapes skip surrogates, so each is one code point.
        String ch = rule("char", "[^\"\\\\\\x00-\\x1F] | \"\\\\\" ( [\"\\\\/bfnrt] | \"u\" ( [0-9a-cA-Ce-fE-F] [0-9a-fA-F]{3} | [dD] [0-7] [0-9a-fA-F]{2} ) )");
        String count = max < 0 ? (min == 0 ? "*" : "{" + min + ",}") : "{" + min + "," + max + "}";
        return "\"\\\"\" " + ch + count + " \"\\\"\"";
    }

    private String integer(Map<String, Object> m, String path) {
        check(m, path, Set.of("type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "format"));
        Long lo = bound(m, "minimum", path), hi = bound(m, "maximum", path), xlo = bound(m, "exclusiveMinimum", path), xhi = bound(m, "exclusiveMaximum", path);
        if (xlo != null) lo = lo == null ? xlo + 1 : Math.max(lo, xlo + 1);
        if (xhi != null) hi = hi == null ? xhi - 1 : Math.min(hi, xhi - 1);
        // OpenAPI's int32 / int64 (what Java schema generators write): at most 9 or 16 digits, inside either range.
        Object format = m.get("format");
        if (format != null && !format.equals("int32") && !format.equals("int64")) {
            throw new GrammarException(path + "/format: integer format " + format + " is not supported (only int32 and int64)");
        }
        if (lo == null && hi == null) {
            return "int32".equals(format) ? rule("int32", "\"-\"? ( \"0\" | [1-9] [0-9]{0,8} )") : rule("integer", "\"-\"? ( \"0\" | [1-9] [0-9]{0,15} )");
        }
        if (lo != null && hi != null) {
            if (hi < lo) throw new GrammarException(path + ": no integer is between minimum " + lo + " and maximum " + hi);
            if (hi - lo >= MAX_ENUMERATED_INTEGERS) {
                throw new GrammarException(path + ": integer ranges of more than " + MAX_ENUMERATED_INTEGERS + " values are not supported (" + lo + ".." + hi + ")");
            }
            List<String> alts = new ArrayList<>();
            for (long v = hi; v >= lo; v--) alts.add("\"" + v + "\"");  // longest first reads better; order does not matter to the matcher
            return rule("int-" + lo + "-" + hi, String.join(" | ", alts));
        }
        if (hi == null && (lo == 0 || lo == 1)) return rule("integer-from-" + lo, lo == 0 ? "\"0\" | [1-9] [0-9]{0,15}" : "[1-9] [0-9]{0,15}");
        throw new GrammarException(path + ": an integer bound alone is supported only as minimum 0 or 1 (give both minimum and maximum)");
    }

    private static Long bound(Map<String, Object> m, String key, String path) {
        Object v = m.get(key);
        if (v == null) return null;
        if (v instanceof Long l) return l;
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) return d.longValue();
        throw new GrammarException(path + "/" + key + ": expected an integer, got " + v);
    }

    // float and double (OpenAPI's formats) annotate a number: every number the grammar writes reads as either.
    private static void checkNumberFormat(Map<String, Object> m, String path) {
        Object format = m.get("format");
        if (format != null && !format.equals("float") && !format.equals("double")) {
            throw new GrammarException(path + "/format: number format " + format + " is not supported (only float and double)");
        }
    }

    private String number() {
        return rule("number", "\"-\"? ( \"0\" | [1-9] [0-9]{0,15} ) ( \".\" [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,2} )?");
    }

    // ---- any JSON -------------------------------------------------------------------------------

    private String anyValue() {
        String v = name + "-value";
        if (rules.containsKey(v)) return v;
        rules.put(v, "");
        String body = anyObject() + " | " + anyArray() + " | " + string(Map.of(), "#") + " | " + number() + " | \"true\" | \"false\" | \"null\"";
        rules.put(v, body);
        return v;
    }

    private String anyObject() {
        String ws = ws(), v = name + "-value";
        if (!rules.containsKey(v)) anyValue();
        String kv = string(Map.of(), "#") + " " + ws + " \":\" " + ws + " " + v;
        return rule("object", "\"{\" " + ws + " ( " + kv + " ( \",\" " + ws + " " + kv + " )* )? " + ws + " \"}\"");
    }

    private String anyArray() {
        String ws = ws(), v = name + "-value";
        if (!rules.containsKey(v)) anyValue();
        return rule("array", "\"[\" " + ws + " ( " + v + " ( \",\" " + ws + " " + v + " )* )? " + ws + " \"]\"");
    }
}
