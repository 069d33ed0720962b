package dev.vane.redteam.targets;

import dev.vane.model.GenerationOptions;
import dev.vane.model.GenerationResult;
import dev.vane.model.Model;
import dev.vane.model.Sampling;
import dev.vane.model.Session;
import dev.vane.model.chat.ChatFormat;
import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ChatPrompt;
import dev.vane.model.tokenizer.Tokenizer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A model in this process, each case in a fresh session: the conversation rendered in a chat
 * format (by default the model's own, {@link Model#chatFormat()}) and tokenized as
 * {@link dev.vane.model.Session#chat(ChatFormat, List, List, GenerationOptions, dev.vane.model.TokenListener)}
 * does, with message contents never parsed for special tokens. A prompt that leaves no room for
 * maxTokens in the context is refused, as Vane's server refuses it, so both targets score the same cases.
 * The model stays open after close: the caller owns it.
 */
public final class InProcessTarget implements Target {
    private final Model model;
    private final ChatFormat format;
    private final String name;

    public InProcessTarget(Model model, ChatFormat format, String name) {
        this.model = Objects.requireNonNull(model, "model must not be null");
        this.format = Objects.requireNonNull(format, "format must not be null");
        this.name = Objects.requireNonNull(name, "name must not be null");
    }

    /** The model in its own chat format. */
    public InProcessTarget(Model model, String name) {
        this(model, model.chatFormat(), name);
    }

    @Override public String describe() {
        return "in-process (" + format.formatName() + ")";
    }

    @Override public String model() {
        return name;
    }

    @Override public Reply chat(List<ChatMessage> messages, Decoding decoding, long seed) {
        int[] ids = encode(messages);
        try (Session s = model.newSession()) {
            int context = s.contextLength();
            if (ids.length >= context) return Reply.failed("the prompt has " + ids.length + " tokens; the context holds " + context);
            if (decoding.maxTokens() > context - ids.length)
                return Reply.failed("max tokens must be in 1.." + (context - ids.length) + " for this prompt of " + ids.length + " tokens (context " + context
                        + "), got " + decoding.maxTokens());
            Sampling sampling = decoding.greedy() ? Sampling.greedy() : new Sampling((float) decoding.temperature(), 0, 1f, 0f, 1f, 0, seed);
            GenerationResult r = s.generate(ids, GenerationOptions.of(decoding.maxTokens(), sampling), t -> true);
            // OpenAI's finish reasons, as Vane's server maps them.
            String finish = r.stopReason() == GenerationResult.StopReason.MAX_TOKENS ? "length" : "stop";
            return Reply.of(r.text(), finish, r.promptTokens(), r.tokens().length);
        }
    }

    /**
     * Exact: the control tokens in the prompt's ids against those in the defanged prompt's, which
     * hold only the template's own.
     */
    @Override public Optional<TokenEvidence> controlTokens(List<ChatMessage> sent, Reply reply, List<ChatMessage> defanged, int occurrences) {
        int got = controlCount(encode(sent)), scaffold = controlCount(encode(defanged));
        return Optional.of(new TokenEvidence(got > scaffold, "control tokens in the prompt: " + got + "; with the " + occurrences
                + " smuggled text(s) defanged: " + scaffold));
    }

    /** The prompt's ids as Session.chat makes them: BOS first unless the template wrote it. */
    int[] encode(List<ChatMessage> messages) {
        ChatPrompt p = format.render(messages, List.of(), true);
        String bos = model.specialTokenTexts().bos();
        return p.encode(model.tokenizer(), bos.isEmpty() || !p.text().startsWith(bos));
    }

    // Control tokens decode to no bytes (Tokenizer.tokenBytes).
    private int controlCount(int[] ids) {
        Tokenizer t = model.tokenizer();
        int n = 0;
        for (int id : ids) if (t.tokenBytes(id).length == 0) n++;
        return n;
    }
}
