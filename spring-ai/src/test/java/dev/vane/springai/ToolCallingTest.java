package dev.vane.springai;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.ai.tool.annotation.ToolParam;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Tools through Spring AI's ChatClient on the embedded model, rendered by the Hermes-style
 * template it ships (vane.chat-template): a grammar forces the call (toolChoice REQUIRED), Spring
 * AI's tool calling runs the method, and the model answers after its result.
 */
@SpringBootTest(classes = ToolCallingTest.App.class, properties = {"vane.context=256", "vane.chat.temperature=0", "vane.chat.max-tokens=120",
        "vane.chat-template=classpath:/dev/vane/embedded/tools-chat-template.jinja"})
class ToolCallingTest {
    @SpringBootApplication
    static class App {}

    @Autowired
    ChatModel chat;

    static final class Concordance {
        final List<String> asked = new ArrayList<>();

        @Tool(description = "Looks a verse up by book and chapter")
        String lookupVerse(@ToolParam(description = "the book") String book, @ToolParam(description = "the chapter") int chapter) {
            asked.add(book + " " + chapter);
            return "In the beginning God created the heaven and the earth.";
        }
    }

    @Test
    void aForcedToolCallRunsTheToolAndTheModelAnswers() {
        Concordance concordance = new Concordance();
        String answer = ChatClient.create(chat).prompt().user("What was made in the beginning?").tools(concordance)
                .options(VaneChatOptions.builder().toolChoice(dev.vane.model.ChatReply.ToolChoice.REQUIRED)).call().content();
        assertThat(concordance.asked).hasSize(1);
        assertThat(answer).isNotEmpty();
    }
}
