package dev.vane.guard.moderation;

import dev.vane.model.GenerationOptions;
import dev.vane.model.GenerationResult;
import dev.vane.model.Model;
import dev.vane.model.Sampling;
import dev.vane.model.Session;
import dev.vane.model.chat.ChatPrompt;
import dev.vane.model.grammar.Grammar;
import dev.vane.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Moderator} that runs a Llama Guard 3 model on Vane: the conversation rendered as
 * {@link LlamaGuardPrompt} writes it, tokenized with the template's special tokens parsed and the
 * turns' texts not, then a greedy answer of at most maxTokens tokens constrained to
 * {@link LlamaGuardGrammar} (so it always parses, whatever the model), read by {@link LlamaGuardOutput}.
 *
 * <p>The moderator keeps a session per role judged (made on first use): the task line names the
 * role, so prompts judging the same role share the task line and the category list, and only the
 * tokens after the common prefix run again. Thread-safe: calls on one moderator take turns (a
 * lock); for parallel moderation make one moderator per thread over one open model with
 * {@link #of(Model, LlamaGuardPrompt)}. A moderator {@link #open}ed from a path owns its model and
 * closes it; one made {@link #of} a model leaves the model open (close the moderator first).
 */
public final class LlamaGuardModerator implements Moderator, AutoCloseable {
    /**
     * Answer tokens at most, by default. A guard model answers in about five ("\n\n" "unsafe" "\n"
     * "S" "1"); a longer answer is closed in time by the grammar's token budget, which keeps room
     * for the shortest way to finish.
     */
    public static final int DEFAULT_MAX_TOKENS = 24;
    /** The fewest answer tokens allowed: "\n\nsafe" a byte a token. */
    public static final int MIN_MAX_TOKENS = 8;

    private static final List<String> HEADER_TOKENS = List.of("<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>");

    private final Model model;
    private final boolean ownsModel;
    private final LlamaGuardPrompt prompt;
    private final GenerationOptions options;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Turn.Role, Session> sessions = new EnumMap<>(Turn.Role.class);  // guarded by lock
    private boolean closed;  // guarded by lock

    private LlamaGuardModerator(Model model, boolean ownsModel, LlamaGuardPrompt prompt, int maxTokens) {
        this.model = Objects.requireNonNull(model, "model must not be null");
        this.prompt = Objects.requireNonNull(prompt, "prompt must not be null");
        if (maxTokens < MIN_MAX_TOKENS) throw new IllegalArgumentException("maxTokens must be at least " + MIN_MAX_TOKENS + " (the shortest answer, a byte a token), got " + maxTokens);
        requireLlama3Vocabulary(model.tokenizer());
        Grammar grammar = LlamaGuardGrammar.of(prompt.categories());
        this.options = new GenerationOptions(maxTokens, Sampling.greedy(), false, false).withGrammar(grammar);
        this.ownsModel = ownsModel;
    }

    /** Opens the guard model at path (any GGUF file Vane loads), with all categories in the layout its chat template uses. */
    public static LlamaGuardModerator open(Path gguf) throws IOException {
        Model m = Model.load(Objects.requireNonNull(gguf, "gguf must not be null"));
        try {
            return new LlamaGuardModerator(m, true, forModel(m), DEFAULT_MAX_TOKENS);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Opens the guard model at path with the given prompt (categories, layout). */
    public static LlamaGuardModerator open(Path gguf, LlamaGuardPrompt prompt) throws IOException {
        Model m = Model.load(Objects.requireNonNull(gguf, "gguf must not be null"));
        try {
            return new LlamaGuardModerator(m, true, prompt, DEFAULT_MAX_TOKENS);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** A moderator over an open model (not closed with the moderator), all categories, the layout of its template. */
    public static LlamaGuardModerator of(Model model) {
        return new LlamaGuardModerator(model, false, forModel(model), DEFAULT_MAX_TOKENS);
    }

    public static LlamaGuardModerator of(Model model, LlamaGuardPrompt prompt) {
        return new LlamaGuardModerator(model, false, prompt, DEFAULT_MAX_TOKENS);
    }

    public static LlamaGuardModerator of(Model model, LlamaGuardPrompt prompt, int maxTokens) {
        return new LlamaGuardModerator(model, false, prompt, maxTokens);
    }

    /** All categories, in the layout of the model's chat template ({@link LlamaGuardPrompt.Layout#forTemplate}). */
    public static LlamaGuardPrompt forModel(Model model) {
        return LlamaGuardPrompt.defaults().withLayout(LlamaGuardPrompt.Layout.forTemplate(model.chatTemplateSource().orElse(null)));
    }

    public LlamaGuardPrompt prompt() {
        return prompt;
    }

    public Model model() {
        return model;
    }

    /**
     * The model's judgement of the conversation's last turn.
     *
     * @throws IllegalArgumentException if the conversation is empty, or its prompt and answer do not fit the session's context
     * @throws IllegalStateException if the moderator is closed
     */
    @Override
    public Moderation moderate(List<Turn> conversation) {
        ChatPrompt p = prompt.render(conversation);
        int[] ids = p.encode(model.tokenizer(), false);  // the text starts with <|begin_of_text|> itself
        lock.lock();
        try {
            if (closed) throw new IllegalStateException("this moderator is closed");
            Session session = sessions.computeIfAbsent(conversation.getLast().role(), r -> model.newSession());
            if (ids.length + options.maxTokens() > session.contextLength()) {
                throw new IllegalArgumentException("the moderation prompt is " + ids.length + " tokens; with up to " + options.maxTokens()
                        + " answer tokens it does not fit the guard session's context of " + session.contextLength() + " tokens");
            }
            // Keep the shared prefix that is in the cache (the last drawn token is not yet), and always
            // run the last prompt token, for the first draw's logits.
            int keep = (int) Math.min(Math.min(commonPrefix(session.tokens(), ids), ids.length - 1), session.position());
            session.truncate(keep);
            GenerationResult r = session.generate(Arrays.copyOfRange(ids, keep, ids.length), options, t -> true);
            return LlamaGuardOutput.parse(r.text());
        } finally {
            lock.unlock();
        }
    }

    /** Closes the sessions, and the model when the moderator opened it. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            for (Session s : sessions.values()) s.close();
            sessions.clear();
            if (ownsModel) model.close();
        } finally {
            lock.unlock();
        }
    }

    static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length), i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }

    // Llama Guard 3 is a Llama 3 model: its prompt needs these control tokens, each one token.
    static void requireLlama3Vocabulary(Tokenizer tok) {
        for (String t : HEADER_TOKENS) {
            int[] ids = tok.encode(t, false, true);
            if (ids.length != 1) {
                throw new IllegalArgumentException("not a Llama Guard 3 model: its vocabulary has no single token for " + t
                        + " (it encodes as " + ids.length + " tokens); expected Llama 3's control tokens " + String.join(" ", HEADER_TOKENS));
            }
        }
    }

    @Override
    public String toString() {
        return "LlamaGuardModerator(" + prompt + ")";
    }
}
