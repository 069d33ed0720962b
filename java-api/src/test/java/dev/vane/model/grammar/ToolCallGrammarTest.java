package dev.vane.model.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.model.chat.ParsedReply;
import dev.vane.model.chat.ToolCallFormat;
import dev.vane.model.chat.ToolSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Forced tool calls in each family's syntax: what the grammar accepts reads back as the call; what it refuses. */
class ToolCallGrammarTest {
    static final ToolSpec WEATHER = new ToolSpec("weather", "", "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"maxLength\":12}},"
            + "\"required\":[\"city\"],\"additionalProperties\":false}");
    static final ToolSpec TIME = new ToolSpec("time", "", "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}");

    @Test
    void hermesCallsOfEitherToolAndNothingElse() {
        Grammar g = ToolCallGrammar.forcing(ToolCallFormat.HERMES, List.of(WEATHER, TIME));
        String call = "<tool_call>\n{\"name\": \"weather\", \"arguments\": {\"city\": \"Ur\"}}\n</tool_call>";
        assertTrue(g.matches(call));
        assertTrue(g.matches("<tool_call>\n{\"name\": \"time\", \"arguments\": {}}\n</tool_call>"));
        assertFalse(g.matches("<tool_call>\n{\"name\": \"rain\", \"arguments\": {}}\n</tool_call>"));           // no such tool
        assertFalse(g.matches("<tool_call>\n{\"name\": \"time\", \"arguments\": {\"city\": \"Ur\"}}\n</tool_call>"));  // time takes no city
        assertFalse(g.matches("{\"name\": \"time\", \"arguments\": {}}"));                                        // no marker
        ParsedReply p = ToolCallFormat.HERMES.parse(call);
        assertEquals(1, p.toolCalls().size());
        assertEquals("weather", p.toolCalls().get(0).name());
    }

    @Test
    void llamaJsonAndHarmonyShapes() {
        assertTrue(ToolCallGrammar.forcing(ToolCallFormat.LLAMA3_JSON, List.of(TIME)).matches("{\"name\": \"time\", \"parameters\": {}}"));
        Grammar harmony = ToolCallGrammar.forcing(ToolCallFormat.HARMONY, List.of(WEATHER, TIME));
        assertTrue(harmony.matches("<|channel|>commentary to=functions.weather <|constrain|>json<|message|>{\"city\": \"Ur\"}<|call|>"));
        assertFalse(harmony.matches("<|channel|>commentary to=functions.time <|constrain|>json<|message|>{\"city\": \"Ur\"}<|call|>"));
        Grammar mistral = ToolCallGrammar.forcing(ToolCallFormat.MISTRAL_ARGS, List.of(WEATHER, TIME));
        assertTrue(mistral.matches("[TOOL_CALLS]weather[ARGS]{\"city\": \"Ur\"}"));
        assertFalse(mistral.matches("[TOOL_CALLS]time[ARGS]{\"city\": \"Ur\"}"));
        assertFalse(mistral.matches("[TOOL_CALLS][{\"name\": \"weather\", \"arguments\": {\"city\": \"Ur\"}}]"));
    }

    @Test
    void aCallOrAnAnswer() {
        Grammar g = ToolCallGrammar.callOr(ToolCallFormat.HERMES, List.of(TIME), Grammar.fromJsonSchema("{\"type\":\"object\",\"properties\":"
                + "{\"answer\":{\"type\":\"boolean\"}},\"required\":[\"answer\"],\"additionalProperties\":false}"));
        assertTrue(g.matches("<tool_call>\n{\"name\": \"time\", \"arguments\": {}}\n</tool_call>"));
        assertTrue(g.matches("{\"answer\": true}"));
        assertFalse(g.matches("{\"answer\": 1}"));
    }

    @Test
    void anAnswerGrammarWhoseRulesClashIsRefused() {
        Grammar clashing = Grammar.fromGbnf("root ::= tool-call\ntool-call ::= \"x\"");
        GrammarException e = assertThrows(GrammarException.class, () -> ToolCallGrammar.callOr(ToolCallFormat.HERMES, List.of(TIME), clashing));
        assertTrue(e.getMessage().contains("defined twice"), e.getMessage());
    }

    @Test
    void refusesWhatCannotBeForced() {
        assertThrows(IllegalArgumentException.class, () -> ToolCallGrammar.forcing(ToolCallFormat.NONE, List.of(TIME)));
        assertThrows(IllegalArgumentException.class, () -> ToolCallGrammar.forcing(ToolCallFormat.HERMES, List.of()));
    }
}
