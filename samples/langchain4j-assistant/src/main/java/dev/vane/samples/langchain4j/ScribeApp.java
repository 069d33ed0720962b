package dev.vane.samples.langchain4j;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.TokenStream;
import dev.vane.embedded.EmbeddedModel;
import dev.vane.langchain4j.VaneChatModel;
import dev.vane.langchain4j.VaneChatRequestParameters;
import dev.vane.langchain4j.VaneStreamingChatModel;
import dev.vane.model.Model;
import dev.vane.model.chat.ChatFormat;
import dev.vane.model.chat.ModelChatFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A LangChain4j assistant on Vane's embedded model (a small model trained on the King James
 * Bible), in this JVM, in the chat template the model ships for tools: an AiServices interface
 * answered by VaneChatModel and streamed by VaneStreamingChatModel, a structured answer mapped to
 * a record (the reply constrained to the record's JSON schema), and a tool the model is made to
 * call (ToolChoice.REQUIRED: a grammar forces the call). Run:
 * {@code java --enable-native-access=ALL-UNNAMED -cp ... dev.vane.samples.langchain4j.ScribeApp "And God said"}.
 */
public final class ScribeApp {
    static final String SYSTEM = "You are a scribe. Continue the verse in the words of the King James Bible.";

    /** What the application asks of the model; LangChain4j implements it. */
    public interface Scribe {
        @SystemMessage(SYSTEM)
        String continueVerse(String beginning);

        @SystemMessage(SYSTEM)
        TokenStream streamVerse(String beginning);

        /** The reply is JSON matching Reference's schema, mapped to the record. */
        Reference find(String text);
    }

    /** Where a text is written; the fields are required, so the grammar writes each. */
    public record Reference(@JsonProperty(required = true) String book, @JsonProperty(required = true) int chapter,
            @JsonProperty(required = true) Testament testament) {}

    public enum Testament { OLD, NEW }

    /** An assistant that must look things up: every question is answered after a tool call. */
    public interface Librarian {
        String ask(String question);
    }

    /** The tool: what the model asked for is kept, and a verse comes back. */
    public static final class Concordance {
        public final List<String> lookups = new ArrayList<>();

        @Tool("Looks a verse up by book and chapter")
        public String lookupVerse(@P("the book") String book, @P("the chapter") int chapter) {
            lookups.add(book + " " + chapter);
            return "In the beginning God created the heaven and the earth.";
        }
    }

    private ScribeApp() {}

    /** The embedded model's tool-aware template, rendered by vane-jinja. */
    public static ChatFormat format(Model model) throws IOException {
        return ModelChatFormat.choose(EmbeddedModel.toolsChatTemplate(), model.specialTokenTexts());
    }

    /** The assistant over a loaded model: greedy, at most 96 tokens a reply. */
    public static Scribe scribe(Model model) throws IOException {
        VaneChatRequestParameters params = VaneChatRequestParameters.builder().temperature(0.0).maxOutputTokens(96).build();
        return AiServices.builder(Scribe.class)
                .chatModel(VaneChatModel.builder().model(model).chatFormat(format(model)).defaultRequestParameters(params).build())
                .streamingChatModel(VaneStreamingChatModel.builder().model(model).chatFormat(format(model)).defaultRequestParameters(params).build())
                .build();
    }

    /** The librarian: the tool call forced by ToolChoice.REQUIRED (after the tool's result the model answers freely). */
    public static Librarian librarian(Model model, Concordance concordance) throws IOException {
        VaneChatRequestParameters params = VaneChatRequestParameters.builder().temperature(0.0).maxOutputTokens(120).toolChoice(ToolChoice.REQUIRED).build();
        return AiServices.builder(Librarian.class)
                .chatModel(VaneChatModel.builder().model(model).chatFormat(format(model)).defaultRequestParameters(params).build())
                .tools(concordance)
                .build();
    }

    /** Answers once, streams the same answer, finds a reference and asks the librarian; returns the streamed text. */
    public static String run(Model model, String beginning, PrintStream out) throws IOException {
        Scribe scribe = scribe(model);
        out.println("answer:    " + scribe.continueVerse(beginning));
        out.print("streamed:  ");
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
        out.println("reference: " + scribe.find(beginning));
        Concordance concordance = new Concordance();
        String answer = librarian(model, concordance).ask("What was made in the beginning?");
        out.println("looked up: " + concordance.lookups + ", then answered: " + answer);
        return text;
    }

    public static void main(String[] args) throws Exception {
        String beginning = args.length > 0 ? String.join(" ", args) : "And God said";
        try (Model model = EmbeddedModel.load()) {
            run(model, beginning, System.out);
        }
    }
}
