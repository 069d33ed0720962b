package dev.vane.model.chat;

import static dev.vane.model.chat.ChatMessage.assistant;
import static dev.vane.model.chat.ChatMessage.system;
import static dev.vane.model.chat.ChatMessage.user;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vane.model.GgufEdits;
import dev.vane.model.LlamaCppText;
import dev.vane.tools.generate.ModelGenerator;
import dev.vane.tools.generate.ModelSpec;
import dev.vane.model.gguf.GgmlType;
import dev.vane.model.gguf.GgufFile;
import dev.vane.model.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Chat templates against llama.cpp of August 2026 (tools/llama-ref's llama_ref, which calls
 * llama_chat_apply_template): every template Vane renders, ChatML (Qwen), Gemma, Phi-3 and
 * gpt-oss's harmony included, gives llama.cpp's built-in prompt of the same name on every
 * conversation of ChatTemplateTest and a few more, with and without the assistant's opening; and
 * the real templates of Qwen3, Gemma 3 (from their tokenizer_config.json, fetched by
 * ci/fetch-vocabularies.sh), Qwen2, Phi-3 and gpt-oss are recognised as llama.cpp recognises them,
 * from the text and from a model file's tokenizer.chat_template.
 */
class FamilyChatTemplateTest {
    @TempDir
    static Path dir;
    static Path model;

    static final Map<String, List<ChatMessage>> CHATS = new LinkedHashMap<>(ChatTemplateTest.CHATS);
    static {
        CHATS.put("outside the BMP", List.of(system("smile \ud83d\ude42"), user("\ud834\udd1e \u4e2d\u6587 "), assistant("\ud83d\udc4d\ud83c\udffd")));
        CHATS.put("markup in contents", List.of(user("<|im_start|>x<|im_end|> <start_of_turn> <|end|> <|start|>"), assistant("<think>\n</think>\n\nok")));
        CHATS.put("three system messages", List.of(system(" a "), system("b\n"), system("c"), user("go"), system("late"), assistant("ok")));
    }

    @BeforeAll
    static void generate() throws Exception {
        model = dir.resolve("tiny.gguf");
        ModelGenerator.writeGguf(ModelSpec.tinyLlama(GgmlType.F16), model);
    }

    @ParameterizedTest
    @EnumSource(ChatTemplate.class)
    void rendersAsLlamaCppOfAugust2026(ChatTemplate t) throws Exception {
        LlamaCppText llama = LlamaCppText.locate();
        List<Executable> checks = new ArrayList<>();
        for (var chat : CHATS.entrySet()) {
            for (boolean add : new boolean[] {true, false}) {
                String expected = llama.chat(null, t.llamaCppName(), chat.getValue(), add);
                String actual = t.render(chat.getValue(), add);
                checks.add(() -> assertEquals(expected, actual, t + ", " + chat.getKey() + ", addAssistantPrompt " + add));
            }
        }
        assertAll(checks);
    }

    static Stream<Arguments> familyTemplates() {
        return Stream.of(
                Arguments.of("Qwen3 (tokenizer_config.json)", fetchedTemplate("qwen3"), ChatTemplate.CHATML),
                Arguments.of("Gemma 3 (tokenizer_config.json)", fetchedTemplate("gemma3"), ChatTemplate.GEMMA),
                Arguments.of("Qwen2-7B-Instruct", RealTemplates.QWEN2, ChatTemplate.CHATML),
                Arguments.of("gemma-7b-it", RealTemplates.GEMMA_IT, ChatTemplate.GEMMA),
                Arguments.of("Phi-3-mini", RealTemplates.PHI3, ChatTemplate.PHI3),
                Arguments.of("gpt-oss-20b", RealTemplates.GPT_OSS, ChatTemplate.GPT_OSS),
                Arguments.of("Meta-Llama-3-8B-Instruct", RealTemplates.LLAMA3_INSTRUCT, ChatTemplate.LLAMA3),
                Arguments.of("the bare name gpt-oss", "gpt-oss", ChatTemplate.GPT_OSS),
                Arguments.of("the bare name phi3", "phi3", ChatTemplate.PHI3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("familyTemplates")
    void recognisesFamilyTemplatesAsLlamaCppDoes(String what, String jinja, ChatTemplate expected) throws Exception {
        assertEquals(expected, ChatTemplate.detect(jinja));
        Path file = dir.resolve(what.replaceAll("[^A-Za-z0-9.-]", "_") + ".gguf");
        GgufEdits.copy(model, file, Map.of("tokenizer.chat_template", jinja), Map.of());
        try (GgufFile f = GgufFile.open(file)) {
            assertEquals(Optional.of(expected), ChatTemplate.fromGguf(f));
        }
        LlamaCppText llama = LlamaCppText.locate();
        for (String chat : List.of("multi-turn", "whitespace", "two system messages")) {
            String vane = expected.render(CHATS.get(chat), true);
            assertEquals(llama.chat(null, jinja, CHATS.get(chat), true), vane, what + ", " + chat + " (template text)");
            assertEquals(llama.chat(file, null, CHATS.get(chat), true), vane, what + ", " + chat + " (the file's template)");
        }
    }

    @Test
    void stopTokensEndTheTurnOfEachFormat() {
        assertEquals(List.of("<|im_end|>"), ChatTemplate.CHATML.stopTokens());
        assertEquals(List.of("<end_of_turn>"), ChatTemplate.GEMMA.stopTokens());
        assertEquals(List.of("<|end|>"), ChatTemplate.PHI3.stopTokens());
        assertEquals(List.of("<|return|>", "<|call|>"), ChatTemplate.GPT_OSS.stopTokens());
        assertEquals(List.of("<|eot_id|>"), ChatTemplate.LLAMA3.stopTokens());
        for (ChatTemplate t : ChatTemplate.values()) {
            assertTrue(!t.stopTokens().isEmpty(), t + " has no stop token");
            // Each format closes an answer with one of its stop tokens (llama.cpp's gpt-oss closes it with <|return|>).
            String prompt = t.render(List.of(user("Hi"), assistant("Hello")), false);
            assertTrue(t.stopTokens().stream().anyMatch(prompt::contains), t + " closes an answer without a stop token: " + prompt);
        }
        var e = assertThrows(NullPointerException.class, () -> ChatTemplate.CHATML.stopTokenIds(null));
        assertTrue(e.getMessage().contains("tokenizer"), e.getMessage());
    }

    @Test
    void gptOssPromptEndsWithTheAssistantsStart() {
        String p = ChatTemplate.GPT_OSS.render(List.of(system("Be brief."), user("Hi")), true);
        assertEquals("<|start|>system<|message|>Be brief.<|end|><|start|>user<|message|>Hi<|end|><|start|>assistant", p);
    }

    // The chat template a fetched vocabulary's tokenizer_config.json holds.
    static String fetchedTemplate(String name) {
        String d = System.getProperty("vane.vocab.dir");
        if (d == null) fail("the system property vane.vocab.dir is not set (java-api/pom.xml sets it for surefire); run ci/fetch-vocabularies.sh and test with Maven");
        Path config = Path.of(d, name, "tokenizer_config.json");
        try {
            if (!Files.isRegularFile(config)) fail(config + " is missing: run ci/fetch-vocabularies.sh");
            if (!(Json.parse(Files.readString(config)) instanceof Map<?, ?> m) || !(m.get("chat_template") instanceof String t)) {
                throw new AssertionError(config + " holds no chat_template string");
            }
            return t;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
