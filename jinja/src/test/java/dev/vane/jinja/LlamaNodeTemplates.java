package dev.vane.jinja;

import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ToolCall;
import dev.vane.model.chat.ToolSpec;
import dev.vane.model.json.Json;
import dev.vane.model.json.JsonWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test helper: llama.cpp of August 2026 (npm @fugood/llama.node 1.7.15, getFormattedChat with
 * jinja) rendering chat requests with the template in a model file, all in one node process
 * (src/test/node/render-chat.js). Tool-call arguments go as JSON strings, as OpenAI sends them.
 * ci/fetch-llama-node.sh puts the package in build/llama-node.
 *
 * <p>The date: this llama.cpp gives every template the variable date_string, today's local date as
 * "%d %b %Y" (common_chat_extra_context in common/chat.cpp), and lets chat_template_kwargs replace
 * it; its strftime_now reads the system clock and cannot be set (getFormattedChat's "now" option
 * does not reach the template). So the requests pin date_string, which the Llama 3.2 template reads
 * before it would call strftime_now.
 */
final class LlamaNodeTemplates {
    /** One request: messages, tools (empty for none), add_generation_prompt. */
    record Request(List<ChatMessage> messages, List<ToolSpec> tools, boolean addGenerationPrompt) {}

    private LlamaNodeTemplates() {}

    static Path packageDir() {
        Path dir = Path.of(System.getProperty("vane.llama.node.dir", "../build/llama-node"));
        if (!Files.isRegularFile(dir.resolve("node_modules/@fugood/llama.node/lib/index.js"))) {
            throw new IllegalStateException(dir.toAbsolutePath() + " has no @fugood/llama.node: run ci/fetch-llama-node.sh");
        }
        return dir;
    }

    /** The prompt of each request, or "(llama.cpp refused: message)", with date_string set to dateString ("09 Mar 2025"). */
    static List<String> render(Path model, List<Request> requests, String dateString) throws IOException, InterruptedException {
        Path dir = packageDir();
        Path in = Files.createTempFile("chat-requests", ".json"), out = Files.createTempFile("chat-prompts", ".json");
        Path log = Files.createTempFile("render-chat", ".log");
        try {
            List<Object> json = new ArrayList<>();
            for (Request r : requests) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("messages", r.messages().stream().map(LlamaNodeTemplates::message).toList());
                m.put("tools", r.tools().stream().map(LlamaNodeTemplates::tool).toList());
                m.put("add_generation_prompt", r.addGenerationPrompt());
                m.put("chat_template_kwargs", Map.of("date_string", dateString));
                json.add(m);
            }
            Files.writeString(in, JsonWriter.compact(json));
            ProcessBuilder pb = new ProcessBuilder("node", "src/test/node/render-chat.js", model.toString(), in.toString(), out.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("LLAMA_NODE_DIR", dir.toAbsolutePath().toString());
            Process p = pb.start();
            if (p.waitFor() != 0) {
                String text = Files.readString(log);
                throw new IOException("node render-chat.js failed with exit code " + p.exitValue() + " (is node on the PATH?): "
                        + text.substring(Math.max(0, text.length() - 2000)));
            }
            List<String> prompts = new ArrayList<>();
            for (Object o : (List<?>) Json.parse(Files.readString(out))) {
                Map<?, ?> r = (Map<?, ?>) o;
                prompts.add(r.containsKey("prompt") ? (String) r.get("prompt") : "(llama.cpp refused: " + r.get("error") + ")");
            }
            return prompts;
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
            Files.deleteIfExists(log);
        }
    }

    /** A message in the OpenAI chat format (tool-call arguments as a JSON string). */
    static Map<String, Object> message(ChatMessage m) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("role", m.role());
        v.put("content", m.content());
        if (!m.toolCalls().isEmpty()) {
            List<Object> calls = new ArrayList<>();
            for (ToolCall c : m.toolCalls()) {
                Map<String, Object> call = new LinkedHashMap<>();
                if (c.id() != null) call.put("id", c.id());
                call.put("type", "function");
                call.put("function", Map.of("name", c.name(), "arguments", c.arguments()));
                calls.add(call);
            }
            v.put("tool_calls", calls);
        }
        if (m.toolCallId() != null) v.put("tool_call_id", m.toolCallId());
        if (m.toolName() != null) v.put("name", m.toolName());
        return v;
    }

    /** A tool in the OpenAI chat format. */
    static Map<String, Object> tool(ToolSpec t) {
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", t.name());
        function.put("description", t.description());
        function.put("parameters", t.parameters());
        return Map.of("type", "function", "function", function);
    }
}
