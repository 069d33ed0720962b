package dev.vane.model.chat;

import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import java.nio.file.Path;
import java.util.List;

/**
 * Test helper: llama.cpp's chat template rendering (de.kherud:llama, JNI, in this JVM) on a model
 * file. The JSON body is written here rather than with InferenceParameters.setMessages, which
 * allows a system message only first and cannot turn off the assistant prompt; every non-ASCII
 * character is sent as a \\u escape so nothing depends on how JNI encodes strings.
 */
final class LlamaCppChat implements AutoCloseable {
    private final LlamaModel model;

    /** chatTemplate: a llama.cpp template name, or null for the template in the file's metadata. */
    LlamaCppChat(Path file, String chatTemplate) {
        this(file, chatTemplate, false);
    }

    /** jinja: render the file's template as llama.cpp's --jinja does (minja) rather than by its built-in formats. */
    LlamaCppChat(Path file, String chatTemplate, boolean jinja) {
        ModelParameters p = new ModelParameters().setModel(file.toString()).setThreads(2).setCtxSize(256).setGpuLayers(0).disableLog();
        if (chatTemplate != null) p.setChatTemplate(chatTemplate);
        if (jinja) p.enableJinja();
        model = new LlamaModel(p);
    }

    String render(List<ChatMessage> chat, boolean addAssistantPrompt) {
        StringBuilder json = new StringBuilder("{\"add_generation_prompt\": ").append(addAssistantPrompt).append(", \"messages\": [");
        for (int i = 0; i < chat.size(); i++) {
            if (i > 0) json.append(", ");
            json.append("{\"role\": ").append(quote(chat.get(i).role())).append(", \"content\": ").append(quote(chat.get(i).content())).append('}');
        }
        return model.applyTemplate(json.append("]}").toString());
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
