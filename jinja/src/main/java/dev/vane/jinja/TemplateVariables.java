package dev.vane.jinja;

import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ToolCall;
import dev.vane.model.chat.ToolSpec;
import dev.vane.model.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Messages and tools as chat templates read them (the OpenAI chat format that Hugging Face's
 * apply_chat_template and llama.cpp pass): a message is {role, content}, an assistant's calls
 * {tool_calls: [{id?, type: "function", function: {name, arguments}}]} with the arguments as an
 * object (llama.cpp parses them so, for templates that write arguments | tojson), a tool result
 * {role: "tool", content, tool_call_id?, name}; a tool {type: "function", function: {name,
 * description, parameters}}.
 */
final class TemplateVariables {
    private TemplateVariables() {}

    static List<Map<String, Object>> messages(List<ChatMessage> messages) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("role", m.role());
            v.put("content", m.content());
            if (!m.toolCalls().isEmpty()) {
                List<Object> calls = new ArrayList<>();
                for (ToolCall c : m.toolCalls()) calls.add(toolCall(c));
                v.put("tool_calls", calls);
            }
            if (m.toolCallId() != null) v.put("tool_call_id", m.toolCallId());
            if (m.toolName() != null) v.put("name", m.toolName());
            out.add(v);
        }
        return out;
    }

    private static Map<String, Object> toolCall(ToolCall c) {
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", c.name());
        function.put("arguments", Json.parse(c.arguments()));
        Map<String, Object> call = new LinkedHashMap<>();
        if (c.id() != null) call.put("id", c.id());
        call.put("type", "function");
        call.put("function", function);
        return call;
    }

    static List<Map<String, Object>> tools(List<ToolSpec> tools) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ToolSpec t : tools) {
            Map<String, Object> function = new LinkedHashMap<>();
            function.put("name", t.name());
            function.put("description", t.description());
            function.put("parameters", t.parameters());
            Map<String, Object> tool = new LinkedHashMap<>();
            tool.put("type", "function");
            tool.put("function", function);
            out.add(tool);
        }
        return out;
    }
}
