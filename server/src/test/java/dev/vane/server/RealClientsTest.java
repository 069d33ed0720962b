package dev.vane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.GenerationOptions;
import dev.vane.model.GenerationResult;
import dev.vane.model.Model;
import dev.vane.model.Pooling;
import dev.vane.model.Sampling;
import dev.vane.model.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server driven by clients written elsewhere: the official OpenAI Java SDK (chat, streaming
 * chat, completions, embeddings) and LangChain4j's OpenAiChatModel and OpenAiStreamingChatModel,
 * each with the server's API key. Greedy replies equal Session.chat / Session.generate alone.
 */
class RealClientsTest {
    private static final String KEY = "sk-vane-test";
    private static final String PROMPT = "And God said, Let there be";
    private static Model model;
    private static VaneServer server;
    private static String baseUrl;

    @BeforeAll
    static void start() throws Exception {
        model = EmbeddedModel.load();
        server = VaneServer.start(model, ServerOptions.defaults("tiny").withPort(0).withApiKey(KEY).withScheduling(2, 8));
        baseUrl = "http://127.0.0.1:" + server.port() + "/v1";
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
    }

    private static String wantChat(int maxTokens) {
        return ChatCompletionsTest.chatAlone(model, ChatCompletionsTest.CHAT, maxTokens, new ArrayList<>()).text();
    }

    private static OpenAIClient openai() {
        return OpenAIOkHttpClient.builder().baseUrl(baseUrl).apiKey(KEY).maxRetries(0).build();
    }

    private static ChatCompletionCreateParams chatParams(int maxTokens) {
        return ChatCompletionCreateParams.builder().model("tiny").addSystemMessage("You are terse.").addUserMessage("Who made the heaven and the earth?")
                .maxCompletionTokens(maxTokens).temperature(0.0).build();
    }

    @Test
    void openAiSdkChat() {
        ChatCompletion c = openai().chat().completions().create(chatParams(20));
        GenerationResult want = ChatCompletionsTest.chatAlone(model, ChatCompletionsTest.CHAT, 20, new ArrayList<>());
        assertEquals(want.text(), c.choices().get(0).message().content().orElseThrow());
        assertEquals(want.tokens().length, c.usage().orElseThrow().completionTokens());
        assertEquals(want.promptTokens(), c.usage().orElseThrow().promptTokens());
    }

    @Test
    void openAiSdkStreamingChat() {
        StringBuilder text = new StringBuilder();
        List<String> finishes = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = openai().chat().completions().createStreaming(chatParams(24))) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> {
                choice.delta().content().ifPresent(text::append);
                choice.finishReason().ifPresent(f -> finishes.add(f.asString()));
            }));
        }
        assertEquals(wantChat(24), text.toString());
        assertEquals(1, finishes.size(), "one finish reason, on the last choice chunk");
    }

    @Test
    void openAiSdkCompletions() {
        Completion c = openai().completions().create(CompletionCreateParams.builder().model("tiny").prompt(PROMPT).maxTokens(24).temperature(0.0).build());
        GenerationResult want;
        try (Session s = model.newSession()) {
            want = s.generate(model.tokenizer().encode(PROMPT, true), GenerationOptions.of(24, Sampling.greedy()), t -> true);
        }
        assertEquals(want.text(), c.choices().get(0).text());
        assertEquals(want.tokens().length, c.usage().orElseThrow().completionTokens());
    }

    @Test
    void openAiSdkEmbeddings() {
        CreateEmbeddingResponse r = openai().embeddings().create(EmbeddingCreateParams.builder().model("tiny").input("the earth").build());
        float[] want = model.embed(List.of("the earth"), Pooling.MEAN, true).get(0);
        List<Float> got = r.data().get(0).embedding();
        assertEquals(want.length, got.size());
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got.get(i), 1e-6f);
    }

    @Test
    void langChain4jChatModel() {
        OpenAiChatModel lc = OpenAiChatModel.builder().baseUrl(baseUrl).apiKey(KEY).modelName("tiny").temperature(0.0).maxTokens(20).maxRetries(0).build();
        ChatResponse r = lc.chat(SystemMessage.from("You are terse."), UserMessage.from("Who made the heaven and the earth?"));
        assertEquals(wantChat(20), r.aiMessage().text());
        assertTrue(r.tokenUsage().outputTokenCount() <= 20);
    }

    @Test
    void langChain4jStreamingChatModel() throws Exception {
        OpenAiStreamingChatModel lc = OpenAiStreamingChatModel.builder().baseUrl(baseUrl).apiKey(KEY).modelName("tiny").temperature(0.0).maxTokens(24)
                .build();
        StringBuilder partial = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        lc.chat(List.of(SystemMessage.from("You are terse."), UserMessage.from("Who made the heaven and the earth?")), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String text) {
                partial.append(text);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse r = done.get(60, TimeUnit.SECONDS);
        assertEquals(wantChat(24), partial.toString());
        assertEquals(partial.toString(), r.aiMessage().text());
    }
}
