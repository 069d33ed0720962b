package dev.vane.samples.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.GenerationOptions;
import dev.vane.model.Model;
import dev.vane.model.Session;
import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ChatTemplate;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Starts the sample as its main does and checks what the assistant said against Vane's own API. */
class ScribeAppTest {
    @Test
    void assistantAnswersAndStreamsWhatTheModelSays() throws Exception {
        try (Model model = EmbeddedModel.load()) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            String streamed = ScribeApp.run(model, "And God said", new PrintStream(bytes, true, StandardCharsets.UTF_8));
            String system = "You are a scribe. Continue the verse in the words of the King James Bible.";
            String prompt = ChatTemplate.CHATML.render(List.of(ChatMessage.system(system), ChatMessage.user("And God said")), true);
            String expected;
            try (Session s = model.newSession()) {
                expected = s.generate(model.tokenizer().encode(prompt, true), GenerationOptions.greedy(48).withAddBos(false), t -> true).text();
            }
            assertTrue(!expected.isEmpty());
            assertEquals(expected, streamed);
            String out = bytes.toString(StandardCharsets.UTF_8);
            assertTrue(out.contains("answer:   " + expected + "\n"), out);
            assertTrue(out.contains("streamed: " + expected + "\n"), out);
        }
    }

    @Test
    void mainRuns() throws Exception {
        ScribeApp.main(new String[] {"In", "the", "beginning"});
    }
}
