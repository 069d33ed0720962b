package dev.vane.model.grammar;

import dev.vane.model.chat.ToolCallFormat;
import dev.vane.model.chat.ToolCallShape;
import dev.vane.model.chat.ToolSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A grammar that makes the model call one of the tools, in its family's syntax: the call's prefix,
 * the JSON object (the tool's name and arguments matching its parameters schema, or the arguments
 * alone where the prefix names the tool), then the suffix. What "tool choice: required" means
 * when the model would not call a tool by itself.
 */
public final class ToolCallGrammar {
    private ToolCallGrammar() {}

    /**
     * @throws IllegalArgumentException for no tools, or a format without tool-call syntax
     * @throws GrammarException if a tool's parameters use a schema keyword the grammar cannot enforce
     */
    public static Grammar forcing(ToolCallFormat format, List<ToolSpec> tools) {
        Objects.requireNonNull(format, "format must not be null");
        Objects.requireNonNull(tools, "tools must not be null");
        if (tools.isEmpty()) throw new IllegalArgumentException("forcing a tool call needs at least one tool, got none");
        if (format == ToolCallFormat.NONE) throw new IllegalArgumentException("the chat format has no tool-call syntax, so no call can be forced");
        StringBuilder gbnf = new StringBuilder();
        List<String> alternatives = new ArrayList<>();
        ToolCallShape common = format.shape(tools.get(0).name());
        if (common.nameKey() != null) {
            // One object for every tool: {name: const, arguments: its schema}, told apart by the name.
            List<Object> calls = new ArrayList<>();
            for (ToolSpec t : tools) calls.add(callSchema(common, t));
            Map<String, Object> schema = tools.size() == 1 ? castMap(calls.get(0)) : Map.of("anyOf", calls);
            gbnf.append(JsonSchemaGrammar.toGbnf(JsonText.write(schema), "call")).append('\n');
            alternatives.add(JsonText.literal(common.prefix()) + " call " + JsonText.literal(common.suffix()));
        } else {
            // The tool's name is in the prefix (harmony): one alternative per tool, its arguments alone.
            for (int i = 0; i < tools.size(); i++) {
                ToolCallShape shape = format.shape(tools.get(i).name());
                String rule = "args" + i;
                gbnf.append(JsonSchemaGrammar.toGbnf(JsonText.write(tools.get(i).parameters()), rule)).append('\n');
                alternatives.add(JsonText.literal(shape.prefix()) + " " + rule + " " + JsonText.literal(shape.suffix()));
            }
        }
        gbnf.append("tool-call ::= ").append(String.join(" | ", alternatives)).append('\n');
        return Grammar.fromGbnf(gbnf.toString(), "tool-call");
    }

    /**
     * A call of one of the tools, or else an answer that answer matches (a JSON response format
     * beside tools the model may call): the model chooses, the grammar keeps either form exact.
     *
     * @throws GrammarException if answer defines a rule the call's grammar defines too (call, call-*, args*, tool-call): the GBNF parser refuses a rule defined twice
     */
    public static Grammar callOr(ToolCallFormat format, List<ToolSpec> tools, Grammar answer) {
        Objects.requireNonNull(answer, "answer must not be null");
        Grammar call = forcing(format, tools);
        String both = "call-or-answer ::= tool-call | " + answer.start() + "\n" + call.gbnf() + answer.gbnf() + "\n";
        return Grammar.fromGbnf(both, "call-or-answer");
    }

    private static Map<String, Object> callSchema(ToolCallShape shape, ToolSpec tool) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put(shape.nameKey(), Map.of("const", tool.name()));
        properties.put(shape.argumentsKey(), tool.parameters());
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("type", "object");
        call.put("properties", properties);
        call.put("required", List.of(shape.nameKey(), shape.argumentsKey()));
        call.put("additionalProperties", false);
        return call;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }
}
