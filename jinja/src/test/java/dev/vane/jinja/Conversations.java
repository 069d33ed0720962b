package dev.vane.jinja;

import static dev.vane.model.chat.ChatMessage.assistant;
import static dev.vane.model.chat.ChatMessage.system;
import static dev.vane.model.chat.ChatMessage.toolResult;
import static dev.vane.model.chat.ChatMessage.user;

import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ToolCall;
import dev.vane.model.chat.ToolSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test conversations and tools, shared by the template tests. */
final class Conversations {
    private Conversations() {}

    static final ToolSpec WEATHER = new ToolSpec("get_weather", "The current weather in a city.",
            "{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\", \"description\": \"The city\"}, \"unit\": {\"type\": \"string\", \"enum\": [\"c\", \"f\"]}}, \"required\": [\"city\"]}");
    static final ToolSpec TIME = new ToolSpec("get_time", "The time now.", "{\"type\": \"object\", \"properties\": {}}");
    static final List<ToolSpec> TOOLS = List.of(WEATHER, TIME);

    /** Conversations without tool data. */
    static final Map<String, List<ChatMessage>> PLAIN = new LinkedHashMap<>();
    /** Tool calls and their results (rendered with TOOLS). */
    static final Map<String, List<ChatMessage>> WITH_TOOL_CALLS = new LinkedHashMap<>();
    /**
     * WITH_TOOL_CALLS with 9-character alphanumeric call ids (call0001a, ...), which Mistral's
     * templates require (they refuse call_1).
     */
    static final Map<String, List<ChatMessage>> WITH_NINE_CHARACTER_IDS = new LinkedHashMap<>();

    static {
        PLAIN.put("one user message", List.of(user("Hello!")));
        PLAIN.put("system and user", List.of(system("You are terse."), user("What is 2+2?")));
        PLAIN.put("multi-turn", List.of(system("Be kind."), user("Hi"), assistant("Hello! How can I help?"), user("Tell me a joke.")));
        PLAIN.put("whitespace", List.of(user("  padded\n"), assistant(" answer \n\n"), user("\tnext ")));
        PLAIN.put("special-token text in content", List.of(user("say <|eot_id|><|im_end|><end_of_turn><|end|> please")));
        ToolCall paris = new ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}");
        ToolCall time = new ToolCall("call_2", "get_time", "{}");
        WITH_TOOL_CALLS.put("tool call and result", List.of(system("Use tools."), user("Weather in Paris?"),
                assistant("", List.of(paris)), toolResult("call_1", "get_weather", "{\"temp\": 21}")));
        WITH_TOOL_CALLS.put("tool call and result without a system message", List.of(user("Weather in Paris?"),
                assistant("", List.of(paris)), toolResult("call_1", "get_weather", "{\"temp\": 21}")));
        WITH_TOOL_CALLS.put("two rounds of tool calls with answers", List.of(system("Use tools."), user("Weather in Paris?"),
                assistant("Let me look.", List.of(paris)), toolResult("call_1", "get_weather", "{\"temp\": 21, \"sky\": \"clear\"}"),
                assistant("It is 21 degrees and clear."), user("And the time?"),
                assistant("", List.of(time)), toolResult("call_2", "get_time", "10:42"), assistant("It is 10:42."), user("Thanks!")));
        WITH_TOOL_CALLS.put("two calls in one message", List.of(user("Weather and time?"), assistant("", List.of(paris, time)),
                toolResult("call_1", "get_weather", "{\"temp\": 21}"), toolResult("call_2", "get_time", "10:42")));
        Map<String, String> nine = Map.of("call_1", "call0001a", "call_2", "call0002b");
        WITH_TOOL_CALLS.forEach((name, chat) -> WITH_NINE_CHARACTER_IDS.put(name + ", 9-character ids", renamed(chat, nine)));
    }

    // The chat with each call id (in calls and results) replaced by ids.get(id).
    private static List<ChatMessage> renamed(List<ChatMessage> chat, Map<String, String> ids) {
        return chat.stream().map(m -> {
            if (m.toolCallId() != null) return toolResult(ids.get(m.toolCallId()), m.toolName(), m.content());
            if (m.toolCalls().isEmpty()) return m;
            return assistant(m.content(), m.toolCalls().stream().map(c -> new ToolCall(ids.get(c.id()), c.name(), c.arguments())).toList());
        }).toList();
    }
}
