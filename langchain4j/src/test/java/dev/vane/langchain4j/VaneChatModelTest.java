package dev.vane.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.GenerationOptions;
import dev.vane.model.Model;
import dev.vane.model.Sampling;
import dev.vane.model.Session;
import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ChatTemplate;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** VaneChatModel on the embedded model: its replies against Session.generate on the same prompt, parameters, stops, refusals. */
class VaneChatModelTest {
    static Model model;
    static VaneChatModel chat;

    @BeforeAll
    static void load() throws Exception {
        model = EmbeddedModel.load();
        chat = VaneChatModel.builder().model(model).contextLength(256).build();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static ChatRequest greedy(int maxTokens, dev.langchain4j.data.message.ChatMessage... messages) {
        return ChatRequest.builder().messages(messages).temperature(0.0).maxOutputTokens(maxTokens).build();
    }

    /** The same conversation through Vane's own API: ChatML (the embedded model names no format), greedy. */
    static String sessionReply(int maxTokens, ChatMessage... messages) {
        String prompt = ChatTemplate.CHATML.render(List.of(messages), true);
        try (Session s = model.newSession()) {
            return s.generate(model.tokenizer().encode(prompt, true), GenerationOptions.greedy(maxTokens).withAddBos(false), t -> true).text();
        }
    }

    @Test
    void greedyReplyEqualsSessionGenerate() {
        ChatResponse r = chat.chat(greedy(24, SystemMessage.from("Answer as the scripture."), UserMessage.from("And God said")));
        String expected = sessionReply(24, ChatMessage.system("Answer as the scripture."), ChatMessage.user("And God said"));
        assertFalse(expected.isEmpty());
        assertEquals(expected, r.aiMessage().text());
        assertEquals(24, r.metadata().tokenUsage().outputTokenCount());
        assertEquals(FinishReason.LENGTH, r.metadata().finishReason());
        assertTrue(r.metadata().tokenUsage().inputTokenCount() > 5);
    }

    @Test
    void multiTurnConversation() {
        ChatResponse r = chat.chat(greedy(16, UserMessage.from("In the beginning"), AiMessage.from("God created the heaven"), UserMessage.from("and the earth")));
        assertEquals(sessionReply(16, ChatMessage.user("In the beginning"), ChatMessage.assistant("God created the heaven"), ChatMessage.user("and the earth")),
                r.aiMessage().text());
    }

    @Test
    void stopSequenceCutsTheReply() {
        String full = sessionReply(40, ChatMessage.user("And the LORD spake unto Moses"));
        String stop = full.substring(6, 9);  // a piece of the greedy reply: the reply must end before it
        ChatResponse r = chat.chat(ChatRequest.builder().messages(UserMessage.from("And the LORD spake unto Moses")).temperature(0.0).maxOutputTokens(40)
                .stopSequences(List.of(stop)).build());
        assertEquals(full.substring(0, full.indexOf(stop)), r.aiMessage().text());
        assertEquals(FinishReason.STOP, r.metadata().finishReason());
    }

    @Test
    void seededSamplingRepeatsAndSeedsDiffer() {
        ChatRequest.Builder b = ChatRequest.builder().messages(UserMessage.from("And it came to pass")).maxOutputTokens(24).temperature(1.0);
        String a1 = chat.chat(b.parameters(VaneChatRequestParameters.builder().temperature(1.0).maxOutputTokens(24).seed(7L).build()).build()).aiMessage().text();
        String a2 = chat.chat(b.parameters(VaneChatRequestParameters.builder().temperature(1.0).maxOutputTokens(24).seed(7L).build()).build()).aiMessage().text();
        String c = chat.chat(b.parameters(VaneChatRequestParameters.builder().temperature(1.0).maxOutputTokens(24).seed(8L).build()).build()).aiMessage().text();
        assertEquals(a1, a2);
        assertNotEquals(a1, c);
        // The seed as Vane's own sampler takes it: the same text as Session.generate with those settings.
        String prompt = ChatTemplate.CHATML.render(List.of(ChatMessage.user("And it came to pass")), true);
        try (Session s = model.newSession()) {
            String expected = s.generate(model.tokenizer().encode(prompt, true), GenerationOptions.of(24, Sampling.defaults(7).withTemperature(1f)).withAddBos(false),
                    t -> true).text();
            assertEquals(expected, a1);
        }
    }

    @Test
    void defaultParametersApplyAndRequestsOverrideThem() {
        VaneChatModel greedyByDefault = VaneChatModel.builder().model(model).contextLength(256)
                .defaultRequestParameters(VaneChatRequestParameters.builder().temperature(0.0).maxOutputTokens(8).build()).build();
        ChatResponse r = greedyByDefault.chat(ChatRequest.builder().messages(UserMessage.from("And God said")).build());
        assertEquals(sessionReply(8, ChatMessage.user("And God said")), r.aiMessage().text());
        ChatResponse longer = greedyByDefault.chat(ChatRequest.builder().messages(UserMessage.from("And God said")).maxOutputTokens(12).build());
        assertEquals(sessionReply(12, ChatMessage.user("And God said")), longer.aiMessage().text());
    }

    @Test
    void refusesWhatItCannotHonour() {
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                () -> chat.chat(ChatRequest.builder().messages(UserMessage.from("x")).frequencyPenalty(0.5).build()));
        assertTrue(e.getMessage().contains("frequencyPenalty"), e.getMessage());
        UnsupportedFeatureException image = assertThrows(UnsupportedFeatureException.class, () -> chat.chat(ChatRequest.builder()
                .messages(UserMessage.from(TextContent.from("look"), ImageContent.from("https://example.invalid/a.png"))).build()));
        assertTrue(image.getMessage().contains("text only"), image.getMessage());
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> chat.chat(greedy(4, UserMessage.from("and the ".repeat(200)))));
        assertTrue(tooLong.getMessage().contains("context of 256"), tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VaneChatModel.builder().model(model).contextLength(0).build());
        assertThrows(NullPointerException.class, () -> VaneChatModel.builder().build());
    }
}
