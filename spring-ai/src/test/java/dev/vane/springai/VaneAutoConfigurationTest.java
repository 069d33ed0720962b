package dev.vane.springai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vane.model.GenerationOptions;
import dev.vane.model.Model;
import dev.vane.model.Pooling;
import dev.vane.model.Session;
import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ChatTemplate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.AdvisorParams;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;

/** The auto-configured beans on the embedded model, driven through Spring AI's ChatClient, against Vane's own API. */
@SpringBootTest(classes = VaneAutoConfigurationTest.App.class, properties = {"vane.context=256", "vane.chat.temperature=0", "vane.chat.max-tokens=20"})
class VaneAutoConfigurationTest {
    @SpringBootApplication
    static class App {}

    @Autowired
    Model model;

    @Autowired
    ChatModel chat;

    @Autowired
    EmbeddingModel embeddings;

    String sessionReply(int maxTokens, ChatMessage... messages) {
        String prompt = ChatTemplate.CHATML.render(List.of(messages), true);
        try (Session s = model.newSession()) {
            return s.generate(model.tokenizer().encode(prompt, true), GenerationOptions.greedy(maxTokens).withAddBos(false), t -> true).text();
        }
    }

    @Test
    void chatClientGetsTheGreedyReply() {
        assertThat(chat).isInstanceOf(VaneSpringChatModel.class);
        String reply = ChatClient.create(chat).prompt().system("Answer as the scripture.").user("And God said").call().content();
        assertThat(reply).isNotEmpty().isEqualTo(sessionReply(20, ChatMessage.system("Answer as the scripture."), ChatMessage.user("And God said")));
    }

    @Test
    void streamAddsUpToTheCall() {
        List<String> pieces = ChatClient.create(chat).prompt().user("And the LORD spake unto Moses").stream().content().collectList().block();
        assertThat(pieces).hasSizeGreaterThan(1);
        assertThat(String.join("", pieces)).isEqualTo(sessionReply(20, ChatMessage.user("And the LORD spake unto Moses")));
    }

    @Test
    void optionsOverrideTheProperties() {
        ChatResponse r = chat.call(new Prompt("And God said", VaneChatOptions.builder().maxTokens(6).stopSequences(List.of("zzz")).build()));
        assertThat(r.getResult().getOutput().getText()).isEqualTo(sessionReply(6, ChatMessage.user("And God said")));
        assertThat(r.getMetadata().getUsage().getCompletionTokens()).isEqualTo(6);
        assertThat(r.getResult().getMetadata().getFinishReason()).isEqualTo("LENGTH");
        VaneChatOptions seeded = VaneChatOptions.builder().temperature(1.0).seed(11L).build();
        assertThat(chat.call(new Prompt("And it came to pass", seeded)).getResult().getOutput().getText())
                .isEqualTo(chat.call(new Prompt("And it came to pass", seeded)).getResult().getOutput().getText());
    }

    enum Testament { OLD, NEW }

    record Reference(String book, int chapter, int verse, Testament testament) {}

    @Test
    void nativeStructuredOutputConstrainsTheReplyToTheBeansSchema() {
        // The advisor puts BeanOutputConverter's schema into the options; the grammar makes the reply match it.
        Reference r = ChatClient.create(chat).prompt().advisors(AdvisorParams.ENABLE_NATIVE_STRUCTURED_OUTPUT).user("Where is it written: Let there be light?")
                .options(VaneChatOptions.builder().maxTokens(120)).call().entity(Reference.class);
        assertThat(r).isNotNull();
        assertThat(r.book()).isNotNull();
        assertThat(r.testament()).isNotNull();
    }

    @Test
    void refusesPenaltiesItCannotHonour() {
        assertThatThrownBy(() -> chat.call(new Prompt("x", org.springframework.ai.chat.prompt.ChatOptions.builder().frequencyPenalty(0.5).build())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("frequency");
    }

    @Test
    void embeddingsAreTheModelsPooledStates() {
        float[] v = embeddings.embed("Jesus wept.");
        assertThat(v).containsExactly(model.embed(List.of("Jesus wept."), Pooling.MEAN, true).get(0));
        assertThat(embeddings.dimensions()).isEqualTo(model.config().dim());
    }
}
