package dev.vane.jinja;

import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ToolSpec;
import dev.vane.model.json.JsonWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("add_generation_prompt", addGenerationPrompt);
        body.put("messages", chat.stream().map(LlamaNodeTemplates::message).toList());
        if (!tools.isEmpty()) body.put("tools", tools.stream().map(LlamaNodeTemplates::tool).toList());
        return model.applyTemplate(asciiOnly(JsonWriter.compact(body)));
    }

    // Non-ASCII characters (only inside JSON strings) as JSON unicode escapes.
    private static String asciiOnly(String json) {
        StringBuilder s = new StringBuilder();
        for (char c : json.toCharArray()) s.append(c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        return s.toString();
    }

    @Override
    public void close() {
        model.close();
    }
}
