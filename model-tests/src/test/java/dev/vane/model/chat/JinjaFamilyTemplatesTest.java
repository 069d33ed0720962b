package dev.vane.model.chat;

import static dev.vane.model.chat.ChatMessage.assistant;
import static dev.vane.model.chat.ChatMessage.system;
import static dev.vane.model.chat.ChatMessage.user;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.vane.jinja.JinjaChatFormat;
import dev.vane.model.GgufEdits;
import dev.vane.model.Model;
import dev.vane.model.gguf.GgmlType;
import dev.vane.model.gguf.GgufFile;
import dev.vane.model.tokenizer.Vocabulary;
import dev.vane.tools.generate.ModelGenerator;
import dev.vane.tools.generate.ModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * vane-jinja on the model families' templates of {@link RealTemplates} (Mistral Instruct v0.1 and
 * Mistral's v1 template, Llama 2 chat, gemma-7b-it, Phi-3, Qwen2, and gpt-oss's harmony template
 * shortened to its main loop) against llama.cpp of March 2025 (de.kherud:llama applyTemplate,
 * --jinja) on the same model file, byte for byte; a conversation the template refuses must be
 * refused by both. And Model.chatFormat() is the Jinja format once vane-jinja is on the class path.
 */
class JinjaFamilyTemplatesTest {
    @TempDir
    static Path dir;
    static Path tiny;

    static final List<List<ChatMessage>> CHATS = List.of(
            List.of(user("Hello!")),
            List.of(system("Be brief."), user("What is 2+2?")),
            List.of(user("Hi"), assistant("Hello! How can I help?"), user("A joke, please.")),
            List.of(system("sys"), user(" padded "), assistant(" answer\n"), user("<|im_end|>[/INST]</s><|end|>")));

    @BeforeAll
    static void model() throws Exception {
        tiny = dir.resolve("tiny.gguf");
        ModelGenerator.writeGguf(ModelSpec.tinyLlama(GgmlType.F16), tiny);
    }

    static Stream<Arguments> templates() {
        return Stream.of(Arguments.of("Mistral-7B-Instruct-v0.1", RealTemplates.MISTRAL_INSTRUCT_V01), Arguments.of("Mistral v1", RealTemplates.MISTRAL_V1),
                Arguments.of("Llama-2-7b-chat", RealTemplates.LLAMA2_CHAT), Arguments.of("gemma-7b-it", RealTemplates.GEMMA_IT),
                Arguments.of("Phi-3-mini", RealTemplates.PHI3), Arguments.of("Qwen2-7B-Instruct", RealTemplates.QWEN2),
                Arguments.of("gpt-oss-20b (main loop)", RealTemplates.GPT_OSS));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("templates")
    void rendersAsLlamaCppOfMarch2025(String what, String template) throws Exception {
        Path file = dir.resolve(what.replaceAll("[^A-Za-z0-9.-]", "_") + ".gguf");
        GgufEdits.copy(tiny, file, Map.of("tokenizer.chat_template", template), Map.of());
        JinjaChatFormat vane;
        try (GgufFile f = GgufFile.open(file)) {
            Vocabulary v = Vocabulary.fromGguf(f);
            vane = new JinjaChatFormat(template, new ChatFormatProvider.SpecialTokenTexts(v.tokens().get(v.bos()), v.tokens().get(v.eos())));
        }
        List<Executable> checks = new ArrayList<>();
        try (LlamaCppChat llama = new LlamaCppChat(file, null, true)) {
            for (List<ChatMessage> chat : CHATS) {
                for (boolean add : new boolean[] {true, false}) {
                    String expected = outcome(() -> llama.render(chat, add));
                    String actual = outcome(() -> vane.renderText(chat, List.of(), add));
                    checks.add(() -> assertEquals(expected, actual, what + ", " + chat + ", add_generation_prompt " + add));
                }
            }
        }
        assertAll(checks);
    }

    // The prompt, or "refused" when the template raised (llama.cpp's and Vane's messages are worded apart).
    private static String outcome(java.util.function.Supplier<String> render) {
        try {
            return render.get();
        } catch (RuntimeException e) {
            return "refused";
        }
    }

    @Test
    void theModelsChatFormatIsItsOwnTemplate() throws Exception {
        Path file = dir.resolve("qwen2.gguf");
        GgufEdits.copy(tiny, file, Map.of("tokenizer.chat_template", RealTemplates.QWEN2), Map.of());
        try (Model m = Model.load(file)) {
            assertInstanceOf(JinjaChatFormat.class, m.chatFormat());
            assertEquals(RealTemplates.QWEN2, m.chatTemplateSource().orElseThrow());
            assertEquals(ChatTemplate.CHATML, m.chatTemplate().orElseThrow());
        }
    }
}
