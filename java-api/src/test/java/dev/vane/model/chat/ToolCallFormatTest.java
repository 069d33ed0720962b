package dev.vane.model.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ToolCallFormatTest {
    private static final ToolCall PARIS = new ToolCall(null, "get_weather", "{\"city\":\"Paris\"}");

    @Test
    void llama3JsonWithAndWithoutPythonTag() {
        ParsedReply r = ToolCallFormat.LLAMA3_JSON.parse("{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}");
        assertEquals(new ParsedReply("", List.of(PARIS)), r);
        assertEquals(List.of(PARIS), ToolCallFormat.LLAMA3_JSON.parse("<|python_tag|>{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}").toolCalls());
        ParsedReply two = ToolCallFormat.LLAMA3_JSON.parse("{\"name\": \"a\", \"parameters\": {}}; {\"name\": \"b\", \"parameters\": {\"x\": 1}}");
        assertEquals(List.of(new ToolCall(null, "a", "{}"), new ToolCall(null, "b", "{\"x\":1}")), two.toolCalls());
    }

    @Test
    void llama3TextAndJsonAnswersAreContent() {
        assertEquals(new ParsedReply("Paris is sunny.", List.of()), ToolCallFormat.LLAMA3_JSON.parse("Paris is sunny."));
        String json = "{\"temperature\": 21}";  // JSON, but not a call
        assertEquals(new ParsedReply(json, List.of()), ToolCallFormat.LLAMA3_JSON.parse(json));
        assertEquals(new ParsedReply("{\"name\": ", List.of()), ToolCallFormat.LLAMA3_JSON.parse("{\"name\": "));
        var e = assertThrows(ToolCallParseException.class, () -> ToolCallFormat.LLAMA3_JSON.parse("<|python_tag|>{\"name\": \"x\", "));
        assertTrue(e.getMessage().contains("after <|python_tag|>"), e.getMessage());
    }

    @Test
    void hermesSeveralCallsAndTheTextAround() {
        String reply = "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n"
                + "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>";
        ParsedReply r = ToolCallFormat.HERMES.parse(reply);
        assertEquals(List.of(PARIS, new ToolCall(null, "get_time", "{}")), r.toolCalls());
        assertEquals("Let me check.", r.content());
        assertEquals(new ParsedReply("no calls", List.of()), ToolCallFormat.HERMES.parse("no calls"));
        // Arguments as a JSON string holding an object are read too.
        assertEquals(List.of(PARIS), ToolCallFormat.HERMES.parse("<tool_call>{\"name\": \"get_weather\", \"arguments\": \"{\\\"city\\\": \\\"Paris\\\"}\"}</tool_call>").toolCalls());
    }

    @Test
    void hermesMalformed() {
        assertMessage(ToolCallFormat.HERMES, "<tool_call>\n{\"name\": \"x\", \"arguments\": {}}", "not closed by </tool_call>");
        assertMessage(ToolCallFormat.HERMES, "<tool_call>{\"name\": }</tool_call>", "is not valid JSON");
        assertMessage(ToolCallFormat.HERMES, "<tool_call>{\"arguments\": {}}</tool_call>", "has no \"name\" string");
        assertMessage(ToolCallFormat.HERMES, "<tool_call>{\"name\": \"x\", \"arguments\": [1]}</tool_call>", "must be a JSON object");
    }

    @Test
    void mistralArrayWithIds() {
        ParsedReply r = ToolCallFormat.MISTRAL.parse("[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}, \"id\": \"abc123def\"}, {\"name\": \"get_time\", \"arguments\": {}}]");
        assertEquals(List.of(new ToolCall("abc123def", "get_weather", "{\"city\":\"Paris\"}"), new ToolCall(null, "get_time", "{}")), r.toolCalls());
        assertEquals("", r.content());
        assertEquals(new ParsedReply("Sunny.", List.of()), ToolCallFormat.MISTRAL.parse("Sunny."));
        assertMessage(ToolCallFormat.MISTRAL, "[TOOL_CALLS] {\"name\": \"x\"}", "expected a JSON array");
        assertMessage(ToolCallFormat.MISTRAL, "[TOOL_CALLS][{\"name\": \"x\", \"arguments\": {}}", "not closed");
        assertMessage(ToolCallFormat.MISTRAL, "[TOOL_CALLS][]", "non-empty JSON array");
    }

    @Test
    void mistralNameArgsCallsWithAndWithoutIds() {
        ParsedReply r = ToolCallFormat.MISTRAL_ARGS.parse("Looking.[TOOL_CALLS]get_weather[CALL_ID]abc123def[ARGS]{\"city\": \"Paris\"}[TOOL_CALLS]get_time[ARGS]{}");
        assertEquals(new ParsedReply("Looking.", List.of(new ToolCall("abc123def", "get_weather", "{\"city\":\"Paris\"}"), new ToolCall(null, "get_time", "{}"))), r);
        assertEquals(List.of(PARIS), ToolCallFormat.MISTRAL_ARGS.parse("[TOOL_CALLS]get_weather[ARGS]{\"city\":\"Paris\"}").toolCalls());
        assertEquals(new ParsedReply("Sunny.", List.of()), ToolCallFormat.MISTRAL_ARGS.parse("Sunny."));
        assertMessage(ToolCallFormat.MISTRAL_ARGS, "[TOOL_CALLS][{\"name\": \"x\"}]", "expected NAME[ARGS]");
        assertMessage(ToolCallFormat.MISTRAL_ARGS, "[TOOL_CALLS][ARGS]{}", "expected a tool name");
        assertMessage(ToolCallFormat.MISTRAL_ARGS, "[TOOL_CALLS]x[ARGS]{\"a\": 1", "closed JSON object");
        assertMessage(ToolCallFormat.MISTRAL_ARGS, "[TOOL_CALLS]x[ARGS][1]", "closed JSON object");
        assertMessage(ToolCallFormat.MISTRAL_ARGS, "[TOOL_CALLS]x[ARGS]{} and more", "text after a Mistral tool call");
    }

    @Test
    void harmonyCallsAndFinalChannel() {
        String call = "<|channel|>analysis<|message|>I should look it up.<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather"
                + " <|constrain|>json<|message|>{\"city\": \"Paris\"}<|call|>";
        assertEquals(new ParsedReply("", List.of(PARIS)), ToolCallFormat.HARMONY.parse(call));
        // The recipient may also come before the channel.
        assertEquals(List.of(PARIS), ToolCallFormat.HARMONY.parse(" to=functions.get_weather<|channel|>commentary json<|message|>{\"city\":\"Paris\"}").toolCalls());
        String answer = "<|channel|>analysis<|message|>Easy.<|end|><|start|>assistant<|channel|>final<|message|>4<|return|>";
        assertEquals(new ParsedReply("4", List.of()), ToolCallFormat.HARMONY.parse(answer));
        assertEquals(new ParsedReply("plain", List.of()), ToolCallFormat.HARMONY.parse("plain"));
        assertMessage(ToolCallFormat.HARMONY, "<|channel|>commentary to=functions.x <|constrain|>json<|message|>{\"a\": <|call|>", "is not valid JSON");
        assertMessage(ToolCallFormat.HARMONY, "<|channel|>commentary to=functions.x", "without <|message|>");
    }

    @Test
    void shapesGiveTheExactTextOfOneCall() {
        assertEquals(new ToolCallShape("<tool_call>\n", "name", "arguments", "\n</tool_call>"), ToolCallFormat.HERMES.shape("f"));
        assertEquals(new ToolCallShape("", "name", "parameters", ""), ToolCallFormat.LLAMA3_JSON.shape("f"));
        assertEquals(new ToolCallShape("[TOOL_CALLS][", "name", "arguments", "]"), ToolCallFormat.MISTRAL.shape("f"));
        ToolCallShape h = ToolCallFormat.HARMONY.shape("get_weather");
        assertEquals("<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>", h.prefix());
        assertEquals(null, h.nameKey());
        assertEquals("<|call|>", h.suffix());
        assertThrows(UnsupportedOperationException.class, () -> ToolCallFormat.NONE.shape("f"));
        // What a shape describes parses back to the call.
        for (ToolCallFormat f : List.of(ToolCallFormat.HERMES, ToolCallFormat.LLAMA3_JSON, ToolCallFormat.MISTRAL)) {
            ToolCallShape s = f.shape("get_weather");
            String text = s.prefix() + "{\"" + s.nameKey() + "\": \"get_weather\", \"" + s.argumentsKey() + "\": {\"city\": \"Paris\"}}" + s.suffix();
            assertEquals(List.of(PARIS), f.parse(text).toolCalls(), f.toString());
        }
        assertEquals(List.of(PARIS), ToolCallFormat.HARMONY.parse(h.prefix() + "{\"city\": \"Paris\"}" + h.suffix()).toolCalls());
        ToolCallShape a = ToolCallFormat.MISTRAL_ARGS.shape("get_weather");
        assertEquals(new ToolCallShape("[TOOL_CALLS]get_weather[ARGS]", null, null, ""), a);
        assertEquals(List.of(PARIS), ToolCallFormat.MISTRAL_ARGS.parse(a.prefix() + "{\"city\": \"Paris\"}" + a.suffix()).toolCalls());
    }

    private static void assertMessage(ToolCallFormat f, String reply, String expected) {
        var e = assertThrows(ToolCallParseException.class, () -> f.parse(reply), reply);
        assertTrue(e.getMessage().contains(expected), f + ": " + e.getMessage());
    }
}
