package dev.vane.samples.langchain4j;

import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.TokenStream;
import dev.vane.embedded.EmbeddedModel;
import dev.vane.langchain4j.VaneChatModel;
import dev.vane.langchain4j.VaneChatRequestParameters;
import dev.vane.langchain4j.VaneStreamingChatModel;
import dev.vane.model.Model;
import java.io.PrintStream;
import java.util.concurrent.CompletableFuture;

/**
 * A LangChain4j assistant on Vane's embedded model (a small model trained on the King James
 * Bible), in this JVM: an AiServices interface answered by VaneChatModel, and streamed by
 * VaneStreamingChatModel. Run: {@code java --enable-native-access=ALL-UNNAMED -cp ... dev.vane.samples.langchain4j.ScribeApp "And God said"}.
 */
public final class ScribeApp {
    /** What the application asks of the model; LangChain4j implements it. */
    public interface Scribe {
        @SystemMessage("You are a scribe. Continue the verse in the words of the King James Bible.")
        String continueVerse(String beginning);

        @SystemMessage("You are a scribe. Continue the verse in the words of the King James Bible.")
        TokenStream streamVerse(String beginning);
    }

    private ScribeApp() {}

    /** The assistant over a loaded model: greedy, at most 48 tokens a reply. */
    public static Scribe scribe(Model model) {
        VaneChatRequestParameters params = VaneChatRequestParameters.builder().temperature(0.0).maxOutputTokens(48).build();
        return AiServices.builder(Scribe.class)
                .chatModel(VaneChatModel.builder().model(model).defaultRequestParameters(params).build())
                .streamingChatModel(VaneStreamingChatModel.builder().model(model).defaultRequestParameters(params).build())
                .build();
    }

    /** Answers once, then streams the same answer token by token to out; returns the streamed text. */
    public static String run(Model model, String beginning, PrintStream out) {
        Scribe scribe = scribe(model);
        out.println("answer:   " + scribe.continueVerse(beginning));
        out.print("streamed: ");
        CompletableFuture<String> done = new CompletableFuture<>();
        scribe.streamVerse(beginning)
                .onPartialResponse(piece -> {
                    out.print(piece);
                    out.flush();
                })
                .onCompleteResponse(r -> done.complete(r.aiMessage().text()))
                .onError(done::completeExceptionally)
                .start();
        String text = done.join();
        out.println();
        return text;
    }

    public static void main(String[] args) throws Exception {
        String beginning = args.length > 0 ? String.join(" ", args) : "And God said";
        try (Model model = EmbeddedModel.load()) {
            run(model, beginning, System.out);
        }
    }
}
