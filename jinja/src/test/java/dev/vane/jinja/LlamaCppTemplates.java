package dev.vane.jinja;

import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ToolCall;
import dev.vane.model.chat.ToolSpec;
import java.nio.file.Path;
import java.util.List;

/**
 * Test helper: llama.cpp's Jinja rendering (de.kherud:llama 4.2.0, llama.cpp of March 2025 with
 * minja, --jinja) of the template in a model file, through applyTemplate and an OpenAI-style body
 * (messages, tools, add_generation_prompt). Tool-call arguments go as JSON strings, as OpenAI sends
 * them; every non-ASCII character as a \\u escape so nothing depends on how JNI encodes strings.
 */
final class LlamaCppTemplates implements AutoCloseable {
    private final LlamaModel model;

    LlamaCppTemplates(Path file) {
        model = new LlamaModel(new ModelParameters().setModel(file.toString()).setThreads(1).setCtxSize(256).setGpuLayers(0).enableJinja().disableLog());
    }

    String render(List<ChatMessage> chat, List<ToolSpec> tools, boolean addGenerationPrompt) {
        StringBuilder json = new StringBuilder("{\"add_generation_prompt\": ").append(addGenerationPrompt).append(", \"messages\": [");
        for (int i = 0; i < chat.size(); i++) {
            ChatMessage m = chat.get(i);
            if (i > 0) json.append(", ");
            json.append("{\"role\": ").append(quote(m.role())).append(", \"content\": ").append(quote(m.content()));
            if (!m.toolCalls().isEmpty()) {
                json.append(", \"tool_calls\": [");
                for (int c = 0; c < m.toolCalls().size(); c++) {
                    ToolCall call = m.toolCalls().get(c);
                    if (c > 0) json.append(", ");
                    json.append('{');
                    if (call.id() != null) json.append("\"id\": ").append(quote(call.id())).append(", ");
                    json.append("\"type\": \"function\", \"function\": {\"name\": ").append(quote(call.name()))
                            .append(", \"arguments\": ").append(quote(call.arguments())).append("}}");
                }
                json.append(']');
            }
            if (m.toolCallId() != null) json.append(", \"tool_call_id\": ").append(quote(m.toolCallId()));
            if (m.toolName() != null) json.append(", \"name\": ").append(quote(m.toolName()));
            json.append('}');
        }
        json.append(']');
        if (!tools.isEmpty()) {
            json.append(", \"tools\": [");
            for (int i = 0; i < tools.size(); i++) {
                ToolSpec t = tools.get(i);
                if (i > 0) json.append(", ");
                json.append("{\"type\": \"function\", \"function\": {\"name\": ").append(quote(t.name())).append(", \"description\": ")
                        .append(quote(t.description())).append(", \"parameters\": ").append(t.parametersSchema()).append("}}");
            }
            json.append(']');
        }
        return model.applyTemplate(json.append('}').toString());
    }

    static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') q.append('\\').append(c);
            else if (c < 0x20 || c > 0x7e) q.append(String.format("\\u%04x", (int) c));
            else q.append(c);
        }
        return q.append('"').toString();
    }

    @Override
    public void close() {
        model.close();
    }
}
