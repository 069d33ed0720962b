package dev.vane.langchain4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.Model;
import dev.vane.model.Pooling;
import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ChatTemplate;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** VaneEmbeddingModel against Model.embed, and VaneTokenCountEstimator against the tokenizer. */
class VaneEmbeddingAndCountTest {
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
    void embeddingsAreTheModelsPooledStates() {
        VaneEmbeddingModel e = VaneEmbeddingModel.builder().model(model).build();
        List<String> texts = List.of("In the beginning God created the heaven and the earth.", "Jesus wept.", "And the LORD spake unto Moses");
        Response<List<Embedding>> r = e.embedAll(texts.stream().map(TextSegment::from).toList());
        List<float[]> expected = model.embed(texts, Pooling.MEAN, true);
        assertEquals(3, r.content().size());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(expected.get(i), r.content().get(i).vector());
            assertEquals(model.config().dim(), r.content().get(i).dimension());
            double norm = 0;
            for (float x : r.content().get(i).vector()) norm += x * x;
            assertEquals(1.0, norm, 1e-4);
        }
        assertEquals(model.config().dim(), e.dimension());
        int tokens = texts.stream().mapToInt(t -> model.tokenizer().encode(t, true, false).length).sum();
        assertEquals(tokens, r.tokenUsage().inputTokenCount());
        VaneEmbeddingModel last = VaneEmbeddingModel.builder().model(model).pooling(Pooling.LAST).normalize(false).build();
        assertArrayEquals(model.embed(List.of("Jesus wept."), Pooling.LAST, false).get(0), last.embed("Jesus wept.").content().vector());
        assertThrows(IllegalArgumentException.class, () -> e.embed(""));
    }

    @Test
    void tokenCountsComeFromTheModelsTokenizer() {
        VaneTokenCountEstimator count = new VaneTokenCountEstimator(model);
        String text = "And God said, Let there be light: and there was light. <|im_end|>";
        assertEquals(model.tokenizer().encode(text, false, false).length, count.estimateTokenCountInText(text));
        List<dev.langchain4j.data.message.ChatMessage> chat = List.of(SystemMessage.from("Be brief."), UserMessage.from("Who wept?"), AiMessage.from("Jesus."));
        String rendered = ChatTemplate.CHATML.render(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Who wept?"), ChatMessage.assistant("Jesus.")), false);
        assertEquals(model.tokenizer().encode(rendered, false).length, count.estimateTokenCountInMessages(chat));
        assertTrue(count.estimateTokenCountInMessage(UserMessage.from("Who wept?")) > count.estimateTokenCountInText("Who wept?"));
        assertEquals(0, count.estimateTokenCountInMessages(List.of()));
    }
}
