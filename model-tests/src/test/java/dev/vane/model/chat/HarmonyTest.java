package dev.vane.model.chat;

import static dev.vane.model.chat.ChatMessage.assistant;
import static dev.vane.model.chat.ChatMessage.system;
import static dev.vane.model.chat.ChatMessage.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * gpt-oss's harmony prompt against what its chat template (RealTemplates.GPT_OSS, from
 * openai/gpt-oss-20b's chat_template.jinja) writes for the same messages, worked out by hand from
 * the template: llama.cpp's C API has no Jinja, so there is no outside rendering to compare with.
 */
class HarmonyTest {
    static final LocalDate DAY = LocalDate.of(2026, 8, 5);
    static final String HEADER = "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\n"
            + "Knowledge cutoff: 2024-06\nCurrent date: 2026-08-05\n\nReasoning: medium\n\n"
            + "# Valid channels: analysis, commentary, final. Channel must be included for every message.<|end|>";

    @Test
    void rendersTheTemplatesPrompt() {
        String p = Harmony.render(List.of(system("Be brief."), user("Hi"), assistant("Hello!"), user("Why?")), true, Harmony.Reasoning.MEDIUM, DAY);
        assertEquals(HEADER + "<|start|>developer<|message|># Instructions\n\nBe brief.\n\n<|end|>"
                + "<|start|>user<|message|>Hi<|end|><|start|>assistant<|channel|>final<|message|>Hello!<|end|>"
                + "<|start|>user<|message|>Why?<|end|><|start|>assistant", p);
    }

    @Test
    void closesAFinalAnswerWithReturnWithoutTheGenerationPrompt() {
        String p = Harmony.render(List.of(user("Hi"), assistant("Hello!")), false, Harmony.Reasoning.HIGH, DAY);
        assertEquals(HEADER.replace("Reasoning: medium", "Reasoning: high")
                + "<|start|>user<|message|>Hi<|end|><|start|>assistant<|channel|>final<|message|>Hello!<|return|>", p);
    }

    @Test
    void developerMessageOnlyFromAFirstNonEmptySystemMessage() {
        // An empty first system message writes no developer message; a later system message is left out, as the template leaves it.
        String p = Harmony.render(List.of(system(""), user("a"), system("ignored"), user("b")), true, Harmony.Reasoning.LOW, DAY);
        assertEquals(HEADER.replace("Reasoning: medium", "Reasoning: low")
                + "<|start|>user<|message|>a<|end|><|start|>user<|message|>b<|end|><|start|>assistant", p);
        assertTrue(Harmony.render(List.of(user("x")), true, Harmony.Reasoning.LOW, DAY).startsWith("<|start|>system<|message|>"));
    }

    @Test
    void isRecognisedAsGptOssAndStopsAsItDoes() {
        assertEquals(ChatTemplate.GPT_OSS, ChatTemplate.detect(RealTemplates.GPT_OSS));
        String p = Harmony.render(List.of(user("Hi"), assistant("Hello")), false, Harmony.Reasoning.MEDIUM, DAY);
        assertTrue(ChatTemplate.GPT_OSS.stopTokens().stream().anyMatch(p::endsWith), p);
    }

    @Test
    void rejectsBadInput() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Harmony.render(List.of(), true, Harmony.Reasoning.LOW, DAY))
                .getMessage().contains("at least one message"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Harmony.render(Arrays.asList(user("a"), null), true, Harmony.Reasoning.LOW, DAY))
                .getMessage().contains("message 1"));
        assertTrue(assertThrows(NullPointerException.class, () -> Harmony.render(List.of(user("a")), true, null, DAY)).getMessage().contains("reasoning"));
        assertTrue(assertThrows(NullPointerException.class, () -> Harmony.render(List.of(user("a")), true, Harmony.Reasoning.LOW, null)).getMessage().contains("today"));
    }
}
