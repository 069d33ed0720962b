package dev.vane.model.grammar;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** JSON Schema to grammar: values it must accept and refuse, composition, and the keywords it refuses. */
class JsonSchemaGrammarTest {
    private static void accepts(String schema, String... values) {
        Grammar g = Grammar.fromJsonSchema(schema);
        for (String v : values) assertTrue(g.matches(v), v + " should match\n" + g.gbnf());
    }

    private static void rejects(String schema, String... values) {
        Grammar g = Grammar.fromJsonSchema(schema);
        for (String v : values) assertFalse(g.matches(v), v + " should not match\n" + g.gbnf());
    }

    @Test
    void objectsInDeclaredOrderWithOptionalProperties() {
        String s = """
                {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "string"}, "c": {"type": "boolean"}},
                 "required": ["b"], "additionalProperties": false}
                """;
        accepts(s, "{\"b\":\"x\"}", "{\"a\":1,\"b\":\"\",\"c\":true}", "{ \"a\": -12, \"b\": \"q\\n\\u00e9\" }", "{\"b\":\"x\",\"c\":false}",
                "{\n  \"a\": 0,\n  \"b\": \"x\"\n}");
        rejects(s, "{}", "{\"a\":1}", "{\"b\":\"x\",\"a\":1}", "{\"b\":\"x\",\"d\":1}", "{\"b\":\"x\",}", "{\"a\":01,\"b\":\"x\"}",
                "{\"b\":\"x\"}  ", "{\"b\":\"\u0001\"}", "{\"b\":\"\\ud800\"}");
    }

    @Test
    void whitespaceIsBounded() {
        String s = "{\"type\": \"array\", \"items\": {\"type\": \"null\"}}";
        accepts(s, "[null, null]", "[\n" + "\t".repeat(16) + "null]");
        rejects(s, "[\n" + "\t".repeat(17) + "null]", "[  null]");
    }

    @Test
    void scalarsEnumsConstsAndTypeArrays() {
        accepts("{\"enum\": [\"red\", 2, null, {\"k\": [true]}]}", "\"red\"", "2", "null", "{\"k\":[true]}");
        rejects("{\"enum\": [\"red\", 2]}", "\"blue\"", "3");
        accepts("{\"const\": \"x\\\"y\"}", "\"x\\\"y\"");
        accepts("{\"type\": [\"string\", \"null\"], \"maxLength\": 2}", "null", "\"ab\"");
        rejects("{\"type\": [\"string\", \"null\"], \"maxLength\": 2}", "\"abc\"", "1");
        accepts("{\"type\": \"number\"}", "0", "-1.5", "3e10", "2.25E-3");
        rejects("{\"type\": \"number\"}", "01", ".5", "1.", "+1");
        accepts("{\"type\": \"integer\", \"minimum\": -3, \"maximum\": 12}", "-3", "0", "12");
        rejects("{\"type\": \"integer\", \"minimum\": -3, \"maximum\": 12}", "-4", "13", "1.0");
        accepts("{\"type\": \"integer\", \"minimum\": 0}", "0", "17");
        rejects("{\"type\": \"integer\", \"exclusiveMinimum\": 0}", "0", "-1");
        accepts("{\"type\": \"string\", \"minLength\": 2, \"maxLength\": 3}", "\"ab\"", "\"αβγ\"", "\"a\\\"\"");
        rejects("{\"type\": \"string\", \"minLength\": 2, \"maxLength\": 3}", "\"a\"", "\"abcd\"");
    }

    @Test
    void arrays() {
        String s = "{\"type\": \"array\", \"items\": {\"type\": \"integer\"}, \"minItems\": 1, \"maxItems\": 3}";
        accepts(s, "[1]", "[1, 2, 3]", "[ 1 ]");
        rejects(s, "[]", "[1,2,3,4]", "[1,]");
        String tuple = "{\"type\": \"array\", \"prefixItems\": [{\"type\": \"string\"}, {\"type\": \"boolean\"}], \"items\": false}";
        accepts(tuple, "[\"a\", true]");
        rejects(tuple, "[\"a\"]", "[\"a\", true, 1]", "[true, \"a\"]");
    }

    @Test
    void refsAnyOfOneOfAllOf() {
        String tree = """
                {"$ref": "#/$defs/node", "$defs": {"node": {"type": "object", "properties": {
                  "v": {"type": "integer"}, "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}, "maxItems": 2}}, "required": ["v"]}}}
                """;
        accepts(tree, "{\"v\":1}", "{\"v\":1,\"kids\":[{\"v\":2,\"kids\":[{\"v\":3}]},{\"v\":4}]}");
        rejects(tree, "{\"v\":1,\"kids\":[{}]}");
        accepts("{\"anyOf\": [{\"type\": \"integer\"}, {\"type\": \"string\", \"maxLength\": 1}]}", "5", "\"a\"");
        accepts("{\"oneOf\": [{\"type\": \"integer\"}, {\"type\": \"boolean\"}]}", "5", "false");
        String tagged = """
                {"oneOf": [
                  {"type": "object", "properties": {"kind": {"const": "a"}, "x": {"type": "integer"}}, "required": ["kind", "x"]},
                  {"type": "object", "properties": {"kind": {"const": "b"}, "y": {"type": "string"}}, "required": ["kind"]}]}
                """;
        accepts(tagged, "{\"kind\":\"a\",\"x\":1}", "{\"kind\":\"b\"}");
        rejects(tagged, "{\"kind\":\"a\"}");
        String all = """
                {"allOf": [{"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
                           {"properties": {"b": {"type": "boolean"}}, "required": ["b"]}]}
                """;
        accepts(all, "{\"a\":1,\"b\":true}");
        rejects(all, "{\"a\":1}", "{\"b\":true}");
        accepts("{\"definitions\": {\"n\": {\"type\": \"null\"}}, \"type\": \"array\", \"items\": {\"$ref\": \"#/definitions/n\"}}", "[null,null]");
    }

    @Test
    void formats() {
        accepts("{\"type\": \"string\", \"format\": \"date\"}", "\"2024-02-28\"", "\"1999-12-31\"");
        rejects("{\"type\": \"string\", \"format\": \"date\"}", "\"2024-02-30\"", "\"2024-13-01\"", "\"2024-04-31\"");
        accepts("{\"type\": \"string\", \"format\": \"date-time\"}", "\"2024-01-05T23:59:59Z\"", "\"2024-01-05T00:00:00.123+05:30\"");
        rejects("{\"type\": \"string\", \"format\": \"time\"}", "\"24:00:00Z\"", "\"12:00:00\"");
        accepts("{\"type\": \"string\", \"format\": \"uuid\"}", "\"123e4567-e89b-12d3-a456-426614174000\"");
        accepts("{\"type\": \"string\", \"format\": \"email\"}", "\"a.b+c@mail.example.org\"");
        rejects("{\"type\": \"string\", \"format\": \"email\"}", "\".a@b.org\"", "\"a@-b.org\"");
    }

    @Test
    void composesIntoALargerGrammar() {
        String call = JsonSchemaGrammar.toGbnf("{\"type\": \"object\", \"properties\": {\"name\": {\"enum\": [\"get\", \"put\"]}}, \"required\": [\"name\"]}", "call");
        Grammar g = Grammar.fromGbnf("root ::= \"<tool_call>\\n\" call \"\\n</tool_call>\"\n" + call);
        assertTrue(g.matches("<tool_call>\n{\"name\": \"get\"}\n</tool_call>"));
        assertFalse(g.matches("<tool_call>\n{\"name\": \"del\"}\n</tool_call>"));
        assertTrue(call.lines().allMatch(l -> l.startsWith("call ") || l.startsWith("call-")), call);
    }

    @Test
    void anyJson() {
        Grammar g = Grammar.anyJson();
        for (String v : new String[] {"{}", "[]", "{\"a\": [1, {\"b\": null}], \"c\": \"d\"}", "[ true , false ]".replace(" ,", ",")}) assertTrue(g.matches(v), v);
        for (String v : new String[] {"1", "\"s\"", "{\"a\"}", "[1,]", "{'a': 1}"}) assertFalse(g.matches(v), v);
    }

    @Test
    void unsupportedKeywordsAreRefusedByName() {
        refused("{\"type\": \"string\", \"pattern\": \"^a+$\"}", "pattern");
        refused("{\"type\": \"number\", \"minimum\": 1.5}", "minimum");
        refused("{\"type\": \"integer\", \"multipleOf\": 3}", "multipleOf");
        refused("{\"type\": \"array\", \"uniqueItems\": true}", "uniqueItems");
        refused("{\"type\": \"object\", \"patternProperties\": {}}", "patternProperties");
        refused("{\"type\": \"object\", \"minProperties\": 1}", "minProperties");
        refused("{\"not\": {\"type\": \"null\"}}", "not");
        refused("{\"type\": \"integer\", \"minimum\": 5}", "minimum 0 or 1");
        refused("{\"type\": \"integer\", \"minimum\": 0, \"maximum\": 100000}", "more than 1000");
        refused("{\"oneOf\": [{\"type\": \"integer\"}, {\"type\": \"integer\", \"maximum\": 3, \"minimum\": 0}]}", "oneOf");
        refused("{\"$ref\": \"https://example.com/s.json\"}", "$ref");
        refused("{\"$ref\": \"#/$defs/missing\"}", "names no definition");
        refused("{\"type\": \"string\", \"format\": \"hostname\"}", "hostname");
        refused("{\"type\": \"object\", \"required\": [\"x\"]}", "x is required");
        refused("{\"type\": \"objekt\"}", "unknown type");
        refused("{\"type\": ", "not valid JSON");
        refused("false", "accepts no value");
    }

    private static void refused(String schema, String words) {
        GrammarException e = assertThrows(GrammarException.class, () -> Grammar.fromJsonSchema(schema));
        assertTrue(e.getMessage().contains(words), "expected \"" + words + "\" in: " + e.getMessage());
    }
}
