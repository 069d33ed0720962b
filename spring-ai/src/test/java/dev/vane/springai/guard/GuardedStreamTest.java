package dev.vane.springai.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vane.guard.Action;
import dev.vane.guard.Policy;
import dev.vane.guard.Rule;
import dev.vane.guard.WordListDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import reactor.core.publisher.Flux;

/** GuardedStream on scripted chunks: matches split across chunks, the held tail, a block completed only by the end of the stream. */
class GuardedStreamTest {
    static final Policy POLICY = Policy.builder().rule(Rule.of("email", new dev.vane.guard.EmailDetector(), Action.REDACT))
            .rule(Rule.of("amen", new WordListDetector(List.of("amen")), Action.BLOCK)).blockMessage("Stopped.").build();

    static ChatClientResponse chunk(String text) {
        return ChatClientResponse.builder().chatResponse(new ChatResponse(List.of(new Generation(new AssistantMessage(text))))).context(Map.of("k", "v")).build();
    }

    /** The end of a Vane stream: no text, the finish reason. */
    static ChatClientResponse end() {
        Generation g = new Generation(new AssistantMessage(""), ChatGenerationMetadata.builder().finishReason("STOP").build());
        return ChatClientResponse.builder().chatResponse(new ChatResponse(List.of(g))).build();
    }

    static List<ChatClientResponse> run(List<ChatClientResponse> chunks) {
        return new GuardedStream(POLICY).apply(Flux.fromIterable(chunks)).collectList().block();
    }

    static String joined(List<ChatClientResponse> out) {
        StringBuilder b = new StringBuilder();
        for (ChatClientResponse r : out) b.append(GuardedResponses.text(r));
        return b.toString();
    }

    @Test
    void anEmailSplitAcrossChunksIsRedacted() {
        List<ChatClientResponse> in = new ArrayList<>();
        for (String p : List.of("write ", "to ja", "ne@exa", "mple.", "com", " today", "")) in.add(chunk(p));
        in.add(end());
        List<ChatClientResponse> out = run(in);
        assertThat(joined(out)).isEqualTo("write to [EMAIL] today");
        assertThat(out).hasSameSizeAs(in);
        assertThat(out.getLast().chatResponse().getResult().getMetadata().getFinishReason()).isEqualTo("STOP");
        // "today" could still begin an address (today@...) until the stream ends: it is held and joins the last chunk.
        assertThat(GuardedResponses.text(out.getLast())).isEqualTo("today");
        assertThat(out.getFirst().context()).containsEntry("k", "v");
    }

    @Test
    void theHeldTailJoinsTheLastChunk() {
        List<ChatClientResponse> out = run(List.of(chunk("mail jane"), chunk("@example.com"), end()));
        assertThat(joined(out)).isEqualTo("mail [EMAIL]");
        assertThat(GuardedResponses.text(out.getLast())).isEqualTo("[EMAIL]");
        assertThat(out.getLast().chatResponse().getResult().getMetadata().getFinishReason()).isEqualTo("STOP");
    }

    @Test
    void aBlockStopsTheStreamAndCancelsUpstream() {
        AtomicInteger pulled = new AtomicInteger();
        AtomicBoolean cancelled = new AtomicBoolean();
        Flux<ChatClientResponse> upstream = Flux.range(0, 1000).map(i -> chunk(i == 3 ? " amen" : i == 4 ? " and" : " word"))
                .doOnNext(c -> pulled.incrementAndGet()).doOnCancel(() -> cancelled.set(true));
        List<ChatClientResponse> out = new GuardedStream(POLICY).apply(upstream).collectList().block();
        assertThat(cancelled).isTrue();
        assertThat(pulled.get()).isLessThan(1000);
        assertThat(GuardedResponses.text(out.getLast())).isEqualTo("Stopped.");
        assertThat(joined(out)).isEqualTo(" word word word Stopped.");
        assertThat(out.getLast().chatResponse().getResult().getMetadata().getContentFilters()).containsExactly("amen");
        assertThat(out.getLast().context()).containsKey(VanePolicyAdvisor.BLOCKED).containsEntry("k", "v");
    }

    @Test
    void aBlockCompletedByTheEndOfTheStream() {
        List<ChatClientResponse> out = run(List.of(chunk("so be it, "), chunk("am"), chunk("en")));
        assertThat(joined(out)).isEqualTo("so be it, Stopped.");
        assertThat(out.getLast().chatResponse().getResult().getMetadata().getFinishReason()).isEqualTo(GuardedResponses.FINISH_REASON);
    }

    @Test
    void emptyAndTextlessStreams() {
        assertThat(run(List.of())).isEmpty();
        ChatClientResponse bare = ChatClientResponse.builder().context(Map.of()).build();
        List<ChatClientResponse> out = run(List.of(bare, chunk("plain")));
        assertThat(joined(out)).isEqualTo("plain");
        assertThat(out.getFirst()).isSameAs(bare);
    }
}
