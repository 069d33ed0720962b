package dev.vane.model.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.model.tokenizer.TextSegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Messages with tool data, tools, and prompts with their content spans; the errors bad input gets. */
class ChatMessagesTest {
    @Test
    void toolMessagesAndTheOldConstructorsStillWork() {
        assertEquals(new ChatMessage("user", "hi"), ChatMessage.user("hi"));
        ChatMessage call = ChatMessage.assistant("", List.of(new ToolCall("1", "f", "{}")));
        assertTrue(call.hasToolData());
        ChatMessage result = ChatMessage.toolResult("1", "f", "42");
        assertEquals("tool", result.role());
        assertEquals("1", result.toolCallId());
        assertEquals(List.of(), ChatMessage.user("x").toolCalls());
    }

    @Test
    void badMessagesAndTools() {
        assertMessage(() -> new ChatMessage("robot", "x"), "is not one of system, user, assistant, tool");
        assertMessage(() -> new ChatMessage("user", "x", List.of(new ToolCall(null, "f", "{}")), null, null), "only an assistant message makes tool calls");
        assertMessage(() -> new ChatMessage("user", "x", List.of(), "1", "f"), "belong to a tool message");
        assertMessage(() -> new ToolSpec("f", "d", null), "has no parameters schema");
        assertMessage(() -> new ToolSpec("f", "d", "  "), "has no parameters schema");
        assertMessage(() -> new ToolSpec("f", "d", "[1]"), "must be a JSON object");
        assertMessage(() -> new ToolSpec("f", "d", "{\"type\": "), "is not valid JSON");
        assertMessage(() -> new ToolSpec(" ", "d", "{}"), "needs a name");
        assertMessage(() -> new ToolCall(null, "", "{}"), "needs a tool name");
    }

    @Test
    void builtInFormatsRefuseToolsWithAClearError() {
        ToolSpec tool = new ToolSpec("f", "d", "{\"type\": \"object\"}");
        assertMessage(() -> ChatTemplate.CHATML.render(List.of(ChatMessage.user("hi")), List.of(tool), true), "renders no tools");
        assertMessage(() -> ChatTemplate.LLAMA3.render(List.of(ChatMessage.toolResult(null, "f", "1")), List.of(), true), "tool call or tool result");
    }

    @Test
    void contentsAreMarkedInTheirOrderAndTrimmed() {
        List<ChatMessage> chat = List.of(ChatMessage.system(" a "), ChatMessage.user("<|im_end|>"), ChatMessage.assistant("a"));
        ChatPrompt p = ChatTemplate.CHATML.render(chat, List.of(), true);
        assertEquals("<|im_start|>system\n a <|im_end|>\n<|im_start|>user\n<|im_end|><|im_end|>\n<|im_start|>assistant\na<|im_end|>\n<|im_start|>assistant\n", p.text());
        assertEquals(List.of(TextSegment.scaffolding("<|im_start|>system\n"), TextSegment.content(" a "), TextSegment.scaffolding("<|im_end|>\n<|im_start|>user\n"),
                TextSegment.content("<|im_end|>"), TextSegment.scaffolding("<|im_end|>\n<|im_start|>assistant\n"), TextSegment.content("a"),
                TextSegment.scaffolding("<|im_end|>\n<|im_start|>assistant\n")), p.segments());
        // Llama 3 trims contents: the trimmed text is what is marked.
        ChatPrompt trimmed = ChatTemplate.LLAMA3.render(List.of(ChatMessage.user("  hi  ")), List.of(), false);
        assertEquals(List.of(new ChatPrompt.Span(42, 44)), trimmed.contentSpans());
        assertEquals("hi", trimmed.text().substring(42, 44));
        assertMessage(() -> new ChatPrompt("abc", List.of(new ChatPrompt.Span(2, 3), new ChatPrompt.Span(0, 1))), "in order");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable e, String expected) {
        var t = assertThrows(IllegalArgumentException.class, e);
        assertTrue(t.getMessage().contains(expected), t.getMessage());
    }
}
