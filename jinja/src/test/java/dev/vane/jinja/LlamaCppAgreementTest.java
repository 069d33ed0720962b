package dev.vane.jinja;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ToolSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real chat templates of the npm tokenizer packages (ci/fetch-vocabularies.sh) rendered by
 * JinjaChatFormat and by llama.cpp of March 2025 (de.kherud:llama 4.2.0's applyTemplate with
 * --jinja, minja) on the same model file: byte for byte, with and without tools, with and
 * without the generation prompt.
 */
class LlamaCppAgreementTest {
    @TempDir
    static Path dir;
    static Path tiny;

    @BeforeAll
    static void model() throws Exception {
        tiny = TestModels.tinyModel(dir);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "llama3_1", "qwen3", "gemma3", "gptoss"})
    void rendersAsLlamaCpp(String family) throws Exception {
        String template = TestModels.realTemplate(family);
        Path file = TestModels.withTemplate(tiny, template, dir.resolve(family + ".gguf"));
        JinjaChatFormat vane = new JinjaChatFormat(template, TestModels.specialTokens(file));
        List<Executable> checks = new ArrayList<>();
        try (LlamaCppTemplates llama = new LlamaCppTemplates(file)) {
            for (boolean add : new boolean[] {true, false}) {
                for (Map.Entry<String, List<ChatMessage>> chat : Conversations.PLAIN.entrySet()) {
                    check(checks, family, chat.getKey(), chat.getValue(), List.of(), add, vane, llama);
                    check(checks, family, chat.getKey() + " with tools", chat.getValue(), Conversations.TOOLS, add, vane, llama);
                }
                for (Map.Entry<String, List<ChatMessage>> chat : Conversations.WITH_TOOL_CALLS.entrySet()) {
                    check(checks, family, chat.getKey(), chat.getValue(), Conversations.TOOLS, add, vane, llama);
                }
            }
        }
        assertAll(checks);
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

    private static void check(List<Executable> checks, String family, String what, List<ChatMessage> chat, List<ToolSpec> tools, boolean add,
            JinjaChatFormat vane, LlamaCppTemplates llama) {
        String expected = llama.render(chat, tools, add);
        String actual;
        try {
            actual = vane.renderText(chat, tools, add);
        } catch (RuntimeException e) {
            actual = "(failed: " + e + ")";
        }
        String a = actual;
        checks.add(() -> assertEquals(expected, a, family + ", " + what + ", add_generation_prompt " + add + ": " + firstDifference(expected, a)));
    }
}
