package dev.vane.samples.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.GenerationOptions;
import dev.vane.model.Model;
import dev.vane.model.Session;
import dev.vane.model.chat.ChatMessage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Starts the sample as its main does and checks what the assistant did against Vane's own API. */
class ScribeAppTest {
    static Model model;

    @BeforeAll
    static void load() throws Exception {
        model = EmbeddedModel.load();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void assistantAnswersAndStreamsWhatTheModelSays() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String streamed = ScribeApp.run(model, "And God said", new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String expected;
        try (Session s = model.newSession()) {
            expected = s.chat(ScribeApp.format(model), List.of(ChatMessage.system(ScribeApp.SYSTEM), ChatMessage.user("And God said")), List.of(),
                    GenerationOptions.greedy(96), t -> true).text();
        }
        assertFalse(expected.isEmpty());
        assertEquals(expected, streamed);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("answer:    " + expected + "\n"), out);
        assertTrue(out.contains("streamed:  " + expected + "\n"), out);
        assertTrue(out.contains("reference: Reference[book="), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("looked up: \\[.+ \\d+\\], then answered: .+")), out);
    }

    @Test
    void structuredAnswerAndForcedToolCall() throws Exception {
        ScribeApp.Reference ref = ScribeApp.scribe(model).find("In the beginning God created the heaven and the earth.");
        assertNotNull(ref.book());
        assertNotNull(ref.testament());
        ScribeApp.Concordance concordance = new ScribeApp.Concordance();
        String answer = ScribeApp.librarian(model, concordance).ask("Where is the flood?");
        assertEquals(1, concordance.lookups.size(), concordance.lookups.toString());
        assertFalse(answer.isEmpty());
    }

    @Test
    void mainRuns() throws Exception {
        ScribeApp.main(new String[] {"In", "the", "beginning"});
    }
}
