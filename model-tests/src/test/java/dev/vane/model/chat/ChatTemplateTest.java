package dev.vane.model.chat;

import static dev.vane.model.chat.ChatMessage.assistant;
import static dev.vane.model.chat.ChatMessage.system;
import static dev.vane.model.chat.ChatMessage.user;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.model.GgufEdits;
import dev.vane.model.gguf.GgmlType;
import dev.vane.model.gguf.GgufFile;
import dev.vane.tools.generate.ModelGenerator;
import dev.vane.tools.generate.ModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
 * Chat templates against llama.cpp (de.kherud:llama 4.2.0, JNI, in this JVM): every template it
 * knows (all but gpt-oss, which came later) renders every conversation below exactly as
 * llama.cpp's built-in template of the same name,
 * with and without the assistant prompt, on a small generated GGUF; and model files' Jinja
 * templates are recognised as llama.cpp recognises them (checked by putting each template into
 * the file's metadata and letting llama.cpp pick its format).
 *
 * FamilyChatTemplateTest checks every template, gpt-oss's too, against llama.cpp of August 2026.
 *
 * <p>Never hand llama.cpp a template name it does not know: it aborts the JVM (std::terminate).
 * Characters outside the BMP are kept out of the comparison: the binding hands the result back
 * through JNI's modified UTF-8, which garbles them; they are checked on Vane's side alone.
 */
class ChatTemplateTest {
    @TempDir
    static Path dir;
    static Path model;

    /** Conversations chosen to reach every branch: system placement, trimming, empty and non-ASCII contents. */
    static final Map<String, List<ChatMessage>> CHATS = new LinkedHashMap<>();
    static {
        CHATS.put("system + user", List.of(system("You are a helpful assistant."), user("Hello!")));
        CHATS.put("user only", List.of(user("What is 2+2?")));
        CHATS.put("multi-turn", List.of(system("Be brief."), user("Hi"), assistant("Hello! How can I help?"), user("Tell me a joke."),
                assistant("Why did the chicken cross the road?"), user("Why?")));
        CHATS.put("ends with an answer", List.of(user("Hi"), assistant("Hello")));
        CHATS.put("whitespace", List.of(system("  padded system\n\n"), user("\n  line one\n\tline two  \n"),
                assistant(" answer \u000b\f\r\n"), user("  last ")));
        CHATS.put("unicode", List.of(system("Réponds en français."), user("日本語で: ¿qué? — «ok»"), assistant("はい。\u2003"),
                user("\u2003em spaces are not C whitespace\u00a0")));
        CHATS.put("system mid-conversation", List.of(user("Hi"), assistant("Hello"), system("Now answer in German."), user("How are you?")));
        CHATS.put("two system messages", List.of(system("First rule."), system("Second rule."), user("Go")));
        CHATS.put("empty contents", List.of(system(""), user(""), assistant(""), user("")));
        CHATS.put("system only", List.of(system("Only a system prompt.")));
    }

    @BeforeAll
    static void generate() throws Exception {
        model = dir.resolve("tiny.gguf");
        ModelGenerator.writeGguf(ModelSpec.tinyLlama(GgmlType.F16), model);
    }

    @ParameterizedTest
    @EnumSource(value = ChatTemplate.class, names = "GPT_OSS", mode = EnumSource.Mode.EXCLUDE)
    void rendersAsLlamaCppDoes(ChatTemplate t) {
        List<Executable> checks = new ArrayList<>();
        try (LlamaCppChat llama = new LlamaCppChat(model, t.llamaCppName())) {
            for (var chat : CHATS.entrySet()) {
                // This llama.cpp keeps only the last of Gemma's system messages; that of August 2026 (and Vane) joins them.
                if (t == ChatTemplate.GEMMA && chat.getKey().equals("two system messages")) continue;
                for (boolean add : new boolean[] {true, false}) {
                    String expected = llama.render(chat.getValue(), add);
                    String actual = t.render(chat.getValue(), add);
                    checks.add(() -> assertEquals(expected, actual, t + ", " + chat.getKey() + ", addAssistantPrompt " + add));
                }
            }
        }
        assertAll(checks);
    }

    static Stream<Arguments> recognisedTemplates() {
        return Stream.of(
                Arguments.of("Meta-Llama-3-8B-Instruct", RealTemplates.LLAMA3_INSTRUCT, ChatTemplate.LLAMA3),
                Arguments.of("Llama-2-7b-chat", RealTemplates.LLAMA2_CHAT, ChatTemplate.LLAMA2_SYS_STRIP),
                Arguments.of("Llama 2 with <<SYS>>", RealTemplates.LLAMA2_SYS, ChatTemplate.LLAMA2_SYS),
                Arguments.of("Llama 2 with <<SYS>> and BOS per turn", RealTemplates.LLAMA2_SYS_BOS, ChatTemplate.LLAMA2_SYS_BOS),
                Arguments.of("Mistral-7B-Instruct-v0.1", RealTemplates.MISTRAL_INSTRUCT_V01, ChatTemplate.LLAMA2),
                Arguments.of("Mistral v1", RealTemplates.MISTRAL_V1, ChatTemplate.MISTRAL_V1),
                Arguments.of("Mistral-7B-Instruct-v0.3", RealTemplates.MISTRAL_V3, ChatTemplate.MISTRAL_V3),
                Arguments.of("Mistral-Nemo-Instruct-2407", RealTemplates.MISTRAL_V3_TEKKEN, ChatTemplate.MISTRAL_V3_TEKKEN),
                Arguments.of("Mistral-Small-24B-Instruct-2501", RealTemplates.MISTRAL_V7, ChatTemplate.MISTRAL_V7),
                Arguments.of("Qwen2-7B-Instruct", RealTemplates.QWEN2, ChatTemplate.CHATML),
                Arguments.of("Zephyr by role", RealTemplates.ZEPHYR_BY_ROLE, ChatTemplate.ZEPHYR),
                Arguments.of("gemma-7b-it", RealTemplates.GEMMA_IT, ChatTemplate.GEMMA),
                Arguments.of("Phi-3-mini", RealTemplates.PHI3, ChatTemplate.PHI3),
                Arguments.of("the bare name llama3", "llama3", ChatTemplate.LLAMA3),
                Arguments.of("a name starting with mistral", "mistral-nemo", ChatTemplate.LLAMA2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recognisedTemplates")
    void recognisesTemplatesAsLlamaCppDoes(String what, String jinja, ChatTemplate expected) throws Exception {
        assertEquals(expected, ChatTemplate.detect(jinja));
        Path file = withTemplate(what, jinja);
        try (GgufFile f = GgufFile.open(file)) {
            assertEquals(Optional.of(expected), ChatTemplate.fromGguf(f));
        }
        // llama.cpp without --jinja picks its built-in format from the same text: the prompts must agree.
        try (LlamaCppChat llama = new LlamaCppChat(file, null)) {
            for (String chat : List.of("multi-turn", "whitespace")) {
                assertEquals(llama.render(CHATS.get(chat), true), expected.render(CHATS.get(chat), true), what + ", " + chat);
            }
        }
    }

    static Stream<Arguments> unrenderedTemplates() {
        return Stream.of(
                // has ChatML's <|im_start|>: reading it as ChatML would give the model a format it does not know
                Arguments.of("phi-4", RealTemplates.PHI4, "phi4"),
                // llama.cpp's markers put zephyr-7b-beta's own template in the glmedge family, not zephyr
                Arguments.of("zephyr-7b-beta", RealTemplates.ZEPHYR_7B_BETA, "glmedge"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unrenderedTemplates")
    void namesFamiliesItDoesNotRender(String what, String jinja, String llamaCppFamily) throws Exception {
        var e = assertThrows(IllegalArgumentException.class, () -> ChatTemplate.detect(jinja));
        assertTrue(e.getMessage().contains("'" + llamaCppFamily + "'"), e.getMessage());
        Path file = withTemplate(what, jinja);
        try (GgufFile f = GgufFile.open(file)) {
            assertEquals(Optional.empty(), ChatTemplate.fromGguf(f));
        }
        // Shows the family matters: llama.cpp's prompt for it is none of Vane's formats.
        List<ChatMessage> chat = CHATS.get("multi-turn");
        try (LlamaCppChat llama = new LlamaCppChat(file, null)) {
            String theirs = llama.render(chat, true);
            for (ChatTemplate t : ChatTemplate.values()) assertNotEquals(theirs, t.render(chat, true), what + " rendered as " + t);
        }
    }

    @Test
    void fileWithoutTemplateHasNone() throws Exception {
        try (GgufFile f = GgufFile.open(model)) {
            assertEquals(Optional.empty(), ChatTemplate.fromGguf(f));
        }
        // What a caller may fall back to: llama.cpp uses ChatML for a file without a template.
        List<ChatMessage> chat = CHATS.get("multi-turn");
        try (LlamaCppChat llama = new LlamaCppChat(model, null)) {
            assertEquals(llama.render(chat, true), ChatTemplate.CHATML.render(chat, true));
        }
    }

    @Test
    void knowsEveryTemplateByItsLlamaCppName() {
        for (ChatTemplate t : ChatTemplate.values()) {
            assertEquals(t, ChatTemplate.named(t.llamaCppName()));
            assertEquals(t, ChatTemplate.detect(t.llamaCppName()));
        }
    }

    @Test
    void keepsCharactersOutsideTheBmpWhole() {
        String emoji = "smile \ud83d\ude42 \ud834\udd1e";
        for (ChatTemplate t : ChatTemplate.values()) {
            String prompt = t.render(List.of(system(emoji), user(emoji + " ")), true);
            assertTrue(prompt.contains(emoji), t + ": " + prompt);
        }
    }

    @Test
    void trimsOnlyWhatCTrims() {
        assertEquals("x", Formats.trim(" \t\n\u000b\f\rx\r\n "));
        assertEquals("\u00a0x\u2003", Formats.trim("\u00a0x\u2003"));  // Unicode spaces are content to llama.cpp
        assertEquals("\u0000x\u0001", Formats.trim("\u0000x\u0001"));  // and so are other control characters
        assertEquals("", Formats.trim(" \n "));
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> ChatTemplate.named("llama-3"));
        assertTrue(e.getMessage().contains("'llama-3'"), e.getMessage());
        for (ChatTemplate t : ChatTemplate.values()) assertTrue(e.getMessage().contains(t.llamaCppName()), e.getMessage());
        // a llama.cpp name Vane does not render is unknown here too
        assertThrows(IllegalArgumentException.class, () -> ChatTemplate.named("phi4"));
    }

    @Test
    void unrecognisedTemplateSaysSo() {
        var e = assertThrows(IllegalArgumentException.class, () -> ChatTemplate.detect("{{ messages[0]['content'] }}"));
        assertTrue(e.getMessage().contains("not recognised"), e.getMessage());
        assertTrue(e.getMessage().contains("{{ messages[0]['content'] }}"), e.getMessage());
    }

    @Test
    void rejectsRolesOutsideSystemUserAssistantTool() {
        for (String role : List.of("User", "model", "")) {
            var e = assertThrows(IllegalArgumentException.class, () -> new ChatMessage(role, "hi"));
            assertTrue(e.getMessage().contains("'" + role + "'") && e.getMessage().contains("system, user, assistant, tool"), e.getMessage());
        }
        // A tool result is a message, but the built-in formats render none (the model's own Jinja template does).
        for (ChatTemplate t : ChatTemplate.values()) {
            var e = assertThrows(IllegalArgumentException.class, () -> t.render(List.of(new ChatMessage("tool", "42")), true));
            assertTrue(e.getMessage().contains("tool call or tool result"), e.getMessage());
        }
    }

    @Test
    void rejectsEmptyAndNullConversations() {
        for (ChatTemplate t : ChatTemplate.values()) {
            var e = assertThrows(IllegalArgumentException.class, () -> t.render(List.of(), true));
            assertTrue(e.getMessage().contains("at least one message"), e.getMessage());
            var n = assertThrows(IllegalArgumentException.class, () -> t.render(Arrays.asList(user("hi"), null), true));
            assertTrue(n.getMessage().contains("message 1"), n.getMessage());
        }
    }

    @Test
    void templateThatIsNotAStringIsAnError() throws Exception {
        Path file = dir.resolve("number-template.gguf");
        GgufEdits.copy(model, file, Map.of("tokenizer.chat_template", 7), Map.of());
        try (GgufFile f = GgufFile.open(file)) {
            var e = assertThrows(IllegalArgumentException.class, () -> ChatTemplate.fromGguf(f));
            assertTrue(e.getMessage().contains("tokenizer.chat_template"), e.getMessage());
        }
    }

    private static Path withTemplate(String what, String jinja) throws Exception {
        Path file = dir.resolve(what.replaceAll("[^A-Za-z0-9.-]", "_") + ".gguf");
        GgufEdits.copy(model, file, Map.of("tokenizer.chat_template", jinja), Map.of());
        return file;
    }
}
