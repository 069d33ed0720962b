package dev.vane.jinja;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ToolSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real chat templates of the npm tokenizer packages (ci/fetch-vocabularies.sh) and, for gpt-oss,
 * Mistral Nemo, Mistral Small 3.2, Devstral and Ministral 3, llama.cpp's own copies of them (TestModels.llamaCppTemplate), rendered by
 * JinjaChatFormat and by llama.cpp on the same model file, byte for byte, with and without the
 * generation prompt: without tools against llama.cpp of March 2025 (de.kherud:llama 4.2.0's
 * applyTemplate, --jinja, minja) and of August 2026 (npm @fugood/llama.node 1.7.15,
 * getFormattedChat); with tools and tool calls against August 2026 only, because the March 2025
 * llama.cpp renders tools of every template through its generic JSON fallback ("Respond in JSON
 * format, either with `tool_call`...") written into the system message, not through the template.
 * The Llama 3, Llama 3.1 (the npm package's short one) and Gemma 3 templates render no tools (both
 * llama.cpp and Vane leave them out); Gemma 3's refuses a tool message (roles must alternate) and
 * Llama 3.2's two calls in one message: there both must refuse with the template's message.
 * Llama 3.2's template writes today's date (date_string, else strftime_now): see DATE and CLOCK.
 * Mistral's templates refuse call ids that are not 9 characters (both refuse call_1); the
 * 9-character-id conversations must render there. The March 2025 llama.cpp renders all ten
 * templates, so no comparison is skipped.
 */
class LlamaCppAgreementTest {
    // The date both renderers give the templates (Llama 3.2 writes it as "Today Date"): llama.cpp's
    // date_string (see LlamaNodeTemplates) and the clock of Vane's strftime_now.
    private static final String DATE = "09 Mar 2025";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-09T12:00:00Z"), ZoneOffset.UTC);

    @TempDir
    static Path dir;
    static Path tiny;

    @BeforeAll
    static void model() throws Exception {
        tiny = TestModels.tinyModel(dir);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "llama3_1", "llama3_2", "qwen3", "gemma3", "gpt_oss", "mistral_nemo", "mistral_small_3_2", "devstral", "ministral_3"})
    void withoutToolsAsLlamaCppOfMarch2025(String family) throws Exception {
        Path file = file(family);
        // This llama.cpp takes no date (it ignores a request's chat_template_kwargs; its strftime_now
        // reads the system clock), so Vane reads the system clock too, at the same moment (a run
        // across midnight could see two dates).
        JinjaChatFormat vane = new JinjaChatFormat(template(family), TestModels.specialTokens(file));
        List<Executable> checks = new ArrayList<>();
        try (LlamaCppTemplates llama = new LlamaCppTemplates(file)) {
            for (boolean add : new boolean[] {true, false}) {
                for (Map.Entry<String, List<ChatMessage>> chat : Conversations.PLAIN.entrySet()) {
                    String expected = llama.render(chat.getValue(), List.of(), add);
                    check(checks, expected, vane, family + ", " + chat.getKey(), chat.getValue(), List.of(), add);
                }
            }
        }
        assertAll(checks);
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen3", "llama3", "llama3_1", "llama3_2", "gemma3", "gpt_oss", "mistral_nemo", "mistral_small_3_2", "devstral", "ministral_3"})
    void withToolsAsLlamaCppOfAugust2026(String family) throws Exception {
        Path file = file(family);
        String template = template(family);
        // gpt-oss's and Mistral Small 3.2's templates call strftime_now without reading date_string,
        // and this llama.cpp's strftime_now reads the system clock: there Vane reads it too, at the
        // same moment (a run across midnight could see two dates).
        boolean systemClock = template.contains("strftime_now") && !template.contains("date_string");
        JinjaChatFormat vane = systemClock ? new JinjaChatFormat(template, TestModels.specialTokens(file))
                : new JinjaChatFormat(template, TestModels.specialTokens(file), CLOCK);
        List<LlamaNodeTemplates.Request> requests = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (boolean add : new boolean[] {true, false}) {
            for (Map.Entry<String, List<ChatMessage>> chat : Conversations.PLAIN.entrySet()) {
                requests.add(new LlamaNodeTemplates.Request(chat.getValue(), List.of(), add));
                names.add(chat.getKey());
                requests.add(new LlamaNodeTemplates.Request(chat.getValue(), Conversations.TOOLS, add));
                names.add(chat.getKey() + " with tools");
            }
            for (Map.Entry<String, List<ChatMessage>> chat : toolCallConversations()) {
                requests.add(new LlamaNodeTemplates.Request(chat.getValue(), Conversations.TOOLS, add));
                names.add(chat.getKey());
            }
        }
        List<String> expected = LlamaNodeTemplates.render(file, requests, DATE);
        List<Executable> checks = new ArrayList<>();
        if (template.contains("strftime_now") && !systemClock) {
            // The pinned date reached the template (so the comparison covers Vane's clock).
            checks.add(() -> assertTrue(expected.getFirst().contains(DATE), family + ": llama.cpp wrote no " + DATE + ": " + expected.getFirst()));
        }
        for (int i = 0; i < requests.size(); i++) {
            LlamaNodeTemplates.Request r = requests.get(i);
            String e = expected.get(i), name = names.get(i);
            boolean mistral = vane.toolCallFormat() == dev.vane.model.chat.ToolCallFormat.MISTRAL
                    || vane.toolCallFormat() == dev.vane.model.chat.ToolCallFormat.MISTRAL_ARGS;
            if (mistral && name.endsWith("9-character ids")) {
                // Mistral's templates take these ids, so the tool calls are compared, not two refusals.
                checks.add(() -> assertTrue(!e.startsWith(REFUSED) && e.contains("[TOOL_CALLS]"), family + ", " + name + ": llama.cpp gave " + e));
            }
            check(checks, expected.get(i), vane, family + ", " + names.get(i), r.messages(), r.tools(), r.addGenerationPrompt());
        }
        assertAll(checks);
    }

    private static final String REFUSED = "(llama.cpp refused: ";

    private static Path file(String family) throws Exception {
        return TestModels.withTemplate(tiny, template(family), dir.resolve(family + ".gguf"));
    }

    // gpt-oss and Mistral have no npm tokenizer package here: their templates are llama.cpp's copies.
    // Their special tokens are the tiny model's <s> and </s>: Mistral's own; gpt-oss's template
    // writes neither bos_token nor eos_token.
    private static String template(String family) throws Exception {
        return switch (family) {
            case "gpt_oss" -> TestModels.llamaCppTemplate("openai-gpt-oss-120b.jinja");
            case "mistral_nemo" -> TestModels.llamaCppTemplate("mistralai-Mistral-Nemo-Instruct-2407.jinja");
            case "mistral_small_3_2" -> TestModels.llamaCppTemplate("Mistral-Small-3.2-24B-Instruct-2506.jinja");
            case "devstral" -> TestModels.llamaCppTemplate("unsloth-mistral-Devstral-Small-2507.jinja");
            case "ministral_3" -> TestModels.llamaCppTemplate("mistralai-Ministral-3-14B-Reasoning-2512.jinja");
            default -> TestModels.realTemplate(family);
        };
    }

    // Tool calls with the ids call_1 and call_2 (Mistral's templates refuse them) and with 9-character ids.
    private static List<Map.Entry<String, List<ChatMessage>>> toolCallConversations() {
        List<Map.Entry<String, List<ChatMessage>>> all = new ArrayList<>(Conversations.WITH_TOOL_CALLS.entrySet());
        all.addAll(Conversations.WITH_NINE_CHARACTER_IDS.entrySet());
        return all;
    }

    private static void check(List<Executable> checks, String expected, JinjaChatFormat vane, String what, List<ChatMessage> chat, List<ToolSpec> tools,
            boolean add) {
        String actual;
        try {
            actual = vane.renderText(chat, tools, add);
        } catch (TemplateRenderException e) {
            // Both refuse: the template raised, and llama.cpp reports the same message.
            String raised = e.getMessage().replace("the chat template refused the conversation: ", "");
            checks.add(() -> assertTrue(expected.startsWith(REFUSED) && expected.contains("Jinja Exception: " + raised),
                    what + ": Vane refused (" + e.getMessage() + "), llama.cpp gave: " + expected));
            return;
        }
        String a = actual;
        checks.add(() -> assertEquals(expected, a, what + ", add_generation_prompt " + add + ": " + firstDifference(expected, a)));
        // Tools offered by a template that renders them show in the prompt (so the comparison is not vacuous).
        if (!tools.isEmpty() && vane.toolCallFormat() != dev.vane.model.chat.ToolCallFormat.NONE) {
            checks.add(() -> assertTrue(a.contains("get_weather"), what + ": the tools are not in the prompt: " + a));
        }
    }

    // Where two texts part, with some text around it (the whole texts follow in the assertion message).
    static String firstDifference(String expected, String actual) {
        int i = 0;
        while (i < expected.length() && i < actual.length() && expected.charAt(i) == actual.charAt(i)) i++;
        if (i == expected.length() && i == actual.length()) return "equal";
        int from = Math.max(0, i - 40);
        return "they differ at char " + i + ": llama.cpp '" + esc(expected.substring(from, Math.min(expected.length(), i + 60)))
                + "', vane '" + esc(actual.substring(from, Math.min(actual.length(), i + 60))) + "'";
    }

    private static String esc(String s) {
        return s.replace("\n", "\\n");
    }
}
