package dev.vane.model;

import dev.vane.model.tokenizer.TextStream;
import dev.vane.model.tokenizer.Tokenizer;
import java.lang.foreign.ValueLayout;
import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ChatFormat;
import dev.vane.model.chat.ChatPrompt;
import dev.vane.model.chat.ChatTemplate;
import dev.vane.model.chat.ToolSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A conversation with a {@link Model}: its own KV cache, so a later call continues where the last
 * one stopped. Use one thread at a time per session; close it to free its cache (from that
 * thread, or from a token listener of its generation: the generation then fails with
 * {@link IllegalStateException} before its next pass). After {@link Model#close()} every call
 * that runs the model fails with IllegalStateException ("the model is closed"), the session's
 * tokens stay readable, and closing it works as usual.
 */
public final class Session implements AutoCloseable {
    private final Model model;
    private final Transformer transformer;
    private int[] history = new int[64];  // every token in the cache, in order
    private int count;
    private int pending = -1;        // the last token a generation drew, not yet run: the next call runs it first
    private boolean logitsValid;     // the transformer's logits are those of the cache's last token
    private boolean closed;

    Session(Model model, SessionOptions options) {
        this(model, new Transformer(model.config(), model.weights(), options.contextLength(), options.kvStorage(), options.chunkTokens()));
    }

    // A session over a given transformer (a scheduler's, in its shared block pool): not one of the
    // model's open sessions; its owner closes it.
    Session(Model model, Transformer transformer) {
        this.model = model;
        this.transformer = transformer;
    }

    /** Positions in the cache (the next token's position). */
    public long position() {
        requireOpen();
        return transformer.position();
    }

    public int contextLength() {
        return transformer.contextLength();
    }

    /**
     * The session's tokens, in order: those in the cache, then the last token a generation drew
     * if no call has run it yet (the next call runs it first, so a conversation continues from
     * everything the user saw, end-of-turn tokens included).
     */
    public int[] tokens() {
        requireOpen();
        int[] t = Arrays.copyOf(history, count + (pending >= 0 ? 1 : 0));
        if (pending >= 0) t[count] = pending;
        return t;
    }

    // The pending token (if any) before tokens.
    private int[] withPending(int[] tokens) {
        if (pending < 0) return tokens;
        int[] all = new int[tokens.length + 1];
        all[0] = pending;
        System.arraycopy(tokens, 0, all, 1, tokens.length);
        return all;
    }

    /**
     * Runs tokens at the next positions (in chunks) and returns the logits of the last one.
     *
     * @throws IllegalStateException if they do not fit in the context (nothing is added then)
     */
    public float[] prefill(int[] tokens) {
        requireOpen();
        Objects.requireNonNull(tokens, "tokens must not be null");
        if (tokens.length == 0) throw new IllegalArgumentException("no tokens to run");
        return run(withPending(tokens));
    }

    // Runs tokens (the pending one included) and returns the last one's logits.
    private float[] run(int[] tokens) {
        return run(tokens, true);
    }

    // reportChunks: each chunk is reported as a prefill chunk (false: the caller reports the pass).
    private float[] run(int[] tokens, boolean reportChunks) {
        runChunks(tokens, true, null, reportChunks);
        pending = -1;
        logitsValid = true;
        return transformer.logitsArray();
    }

    // Runs tokens at the next positions in chunks, after checking that they fit and are in the
    // vocabulary. lastLogits: the last chunk computes its last token's logits; afterChunk(from, n),
    // if not null, sees each chunk while its rows are the transformer's. A failure rolls the cache
    // back to where it was. reportChunks: each chunk is reported to the model's telemetry.
    private void runChunks(int[] tokens, boolean lastLogits, java.util.function.BiConsumer<Integer, Integer> afterChunk, boolean reportChunks) {
        requireOpen();  // a generation's listener may have closed the session since its last pass
        long start = transformer.position();
        if (start + tokens.length > contextLength()) {
            throw new IllegalStateException("the session's context is full: " + start + " positions cached + " + tokens.length + " new > its "
                    + contextLength());
        }
        int vocab = model.config().vocab();
        for (int id : tokens) if (id < 0 || id >= vocab) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + vocab);
        try {
            for (int from = 0; from < tokens.length; from += transformer.maxChunk()) {
                requireOpen();  // afterChunk may have closed the session
                int n = Math.min(transformer.maxChunk(), tokens.length - from);
                logitsValid = false;
                JfrEvents.PrefillChunk chunk = reportChunks ? JfrEvents.PrefillChunk.start() : null;
                transformer.forward(tokens, from, n, lastLogits && from + n == tokens.length);
                if (chunk != null) model.telemetry().prefillChunk(chunk, n, count);
                remember(tokens, from, n);
                if (afterChunk != null) afterChunk.accept(from, n);
            }
        } catch (RuntimeException | Error e) {
            if (!closed) cut(start);  // a closed session's cache is gone: nothing to roll back
            throw e;
        }
    }

    /**
     * Scores text: runs tokens at the next positions and returns, for i = 1 .. n - 1, the natural
     * log of the probability the model gave tokens[i] after tokens[0 .. i) (element i - 1). The
     * basis of perplexity ({@link Perplexity}).
     */
    public double[] logProbabilities(int[] tokens) {
        requireOpen();
        Objects.requireNonNull(tokens, "tokens must not be null");
        if (tokens.length < 2) throw new IllegalArgumentException("scoring needs at least 2 tokens, got " + tokens.length);
        if (pending >= 0) run(new int[] {pending});  // the conversation so far first
        int vocab = model.config().vocab();
        double[] out = new double[tokens.length - 1];
        try (java.lang.foreign.Arena scratch = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment logits = scratch.allocate((long) transformer.maxChunk() * vocab * 4, 64);
            runChunks(tokens, false, (from, n) -> {
                transformer.allLogits(n, logits);
                for (int r = 0; r < n && from + r + 1 < tokens.length; r++) {
                    out[from + r] = logSoftmaxAt(logits, (long) r * vocab, vocab, tokens[from + r + 1]);
                }
            }, true);
        }
        return out;
    }

    /**
     * Runs tokens at the next positions and passes each chunk's final hidden states (after the
     * output norm) to sink: (index of the chunk's first token, [n * dim] floats, row r for token
     * from + r). What embeddings pool ({@link Model#embed}).
     */
    void hiddenStates(int[] tokens, java.util.function.BiConsumer<Integer, float[]> sink) {
        requireOpen();
        if (tokens.length == 0) throw new IllegalArgumentException("no tokens to run");
        if (pending >= 0) run(new int[] {pending});
        int dim = model.config().dim();
        try (java.lang.foreign.Arena scratch = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment rows = scratch.allocate((long) transformer.maxChunk() * dim * 4, 64);
            runChunks(tokens, false, (from, n) -> {
                transformer.allHidden(n, rows);
                sink.accept(from, rows.asSlice(0, (long) n * dim * 4).toArray(ValueLayout.JAVA_FLOAT));
            }, true);
        }
    }

    // log softmax(row)[target], in double.
    private static double logSoftmaxAt(java.lang.foreign.MemorySegment logits, long row, int vocab, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) max = Math.max(max, logits.getAtIndex(ValueLayout.JAVA_FLOAT, row + i));
        double sum = 0;
        for (int i = 0; i < vocab; i++) sum += Math.exp(logits.getAtIndex(ValueLayout.JAVA_FLOAT, row + i) - max);
        return logits.getAtIndex(ValueLayout.JAVA_FLOAT, row + target) - max - Math.log(sum);
    }

    /** Runs one token; returns its logits. */
    public float[] next(int token) {
        return prefill(new int[] {token});
    }

    /**
     * The final hidden state (after the output norm) of the last token run: the vector the logits
     * are computed from (dim floats).
     */
    public float[] lastHiddenState() {
        requireOpen();
        return transformer.lastHidden().toArray(ValueLayout.JAVA_FLOAT);
    }

    /** Forgets positions from length on (0 empties the session), and any pending token. */
    public void truncate(long length) {
        requireOpen();
        cut(length);
        pending = -1;
    }

    // The cache back to length positions (a failed call's rollback keeps the pending token).
    private void cut(long length) {
        if (length < count) logitsValid = false;
        transformer.truncate(length);
        count = (int) Math.min(count, length);
    }

    private void remember(int[] tokens, int from, int n) {
        if (count + n > history.length) history = Arrays.copyOf(history, Math.max(count + n, history.length * 2));
        System.arraycopy(tokens, from, history, count, n);
        count += n;
    }

    /** Generates a continuation of prompt and returns it when done. */
    public GenerationResult generate(String prompt, GenerationOptions options) {
        return generate(prompt, options, t -> true);
    }

    /** Generates a continuation of prompt, passing each token to listener as it comes (false cancels). */
    public GenerationResult generate(String prompt, GenerationOptions options, TokenListener listener) {
        Objects.requireNonNull(prompt, "prompt must not be null");
        Objects.requireNonNull(options, "options must not be null");
        requireOpen();
        int[] ids = model.tokenizer().encode(prompt, options.addBos() && transformer.position() == 0);
        return generate(ids, options, listener);
    }

    /**
     * One chat turn: messages rendered in the model's chat format (with the assistant's prompt
     * after them) and run after what the session holds, then the reply generated. For the next
     * turn pass only the new messages (the earlier ones are in the cache).
     *
     * @throws IllegalStateException if the model's files name no chat format Vane renders (use
     *     {@link #chat(ChatTemplate, List, GenerationOptions, TokenListener)} with one)
     */
    public GenerationResult chat(List<ChatMessage> messages, GenerationOptions options, TokenListener listener) {
        ChatTemplate t = model.chatTemplate().orElseThrow(() -> new IllegalStateException(
                "the model names no chat format Vane renders; pass one, e.g. ChatTemplate.named(\"chatml\")"));
        return chat(t, messages, options, listener);
    }

    /** A chat turn in the given format (see {@link #chat(List, GenerationOptions, TokenListener)}). */
    public GenerationResult chat(ChatTemplate template, List<ChatMessage> messages, GenerationOptions options, TokenListener listener) {
        Objects.requireNonNull(template, "template must not be null");
        return generate(template.render(messages, true), options, listener);
    }

    /**
     * One chat turn in the model's {@link Model#chatFormat() chat format} (its own template when
     * vane-jinja is on the class path), with tools offered to the model (empty for none). The
     * template's scaffolding is tokenized with special tokens parsed and the message contents
     * without (see {@link ChatPrompt}). Read tool calls from the reply with
     * {@code model.chatFormat().toolCallFormat().parse(result.text())}.
     */
    public GenerationResult chat(List<ChatMessage> messages, List<ToolSpec> tools, GenerationOptions options, TokenListener listener) {
        return chat(model.chatFormat(), messages, tools, options, listener);
    }

    /** A chat turn in the given format (see {@link #chat(List, List, GenerationOptions, TokenListener)}). */
    public GenerationResult chat(ChatFormat format, List<ChatMessage> messages, List<ToolSpec> tools, GenerationOptions options, TokenListener listener) {
        Objects.requireNonNull(format, "format must not be null");
        Objects.requireNonNull(options, "options must not be null");
        requireOpen();
        ChatPrompt prompt = format.render(messages, tools, true);
        return generate(model.encodeChat(prompt, options.addBos() && transformer.position() == 0), options, listener);
    }


    /**
     * Generates a continuation of the prompt's tokens (run first, after what the session holds).
     * Time to first token counts the prompt and the first draw; decode throughput, the tokens after
     * the first. Stops at maxTokens, an end-of-generation token (unless ignored), a full context,
     * the listener's false, or an interrupt. The last token drawn (the end token too) is run at the
     * start of the session's next call, so the conversation continues from everything drawn.
     */
    public GenerationResult generate(int[] prompt, GenerationOptions options, TokenListener listener) {
        Objects.requireNonNull(prompt, "prompt must not be null");
        Objects.requireNonNull(options, "options must not be null");
        Objects.requireNonNull(listener, "listener must not be null");
        requireOpen();
        Generation g = start(prompt, options, listener);
        float[] logits = lastLogits();
        while (g.draw(logits)) logits = decodePending();
        return g.result();
    }

    // The generation loop's next pass: the drawn token run alone, reported as a decode step of one session.
    private float[] decodePending() {
        JfrEvents.DecodeStep step = JfrEvents.DecodeStep.start();
        float[] logits = run(new int[] {pending}, false);
        model.telemetry().decodeStep(step, 1, 1);
        return logits;
    }

    // A generation of prompt's continuation: the prompt (after the pending token) run, its last
    // logits left for lastLogits().
    Generation start(int[] prompt, GenerationOptions options, TokenListener listener) {
        Generation g = newGeneration(prompt.length, options, listener);
        int[] input = withPending(prompt);
        if (input.length > 0) run(input);
        else lastLogits();  // fails on an empty session
        g.prefilled();
        return g;
    }

    // A generation of a prompt of promptTokens that its caller runs (then calls prefilled()).
    Generation newGeneration(int promptTokens, GenerationOptions options, TokenListener listener) {
        return new Generation(this, model.tokenizer(), model.config().vocab(), promptTokens, options, listener);
    }

    // The token sampler draws from logits after the session's tokens, made the pending one.
    int drawn(Sampler sampler, float[] logits) {
        pending = sampler.sample(logits, history, count);
        return pending;
    }

    /** The ids that end a generation by themselves (EOS, end of turn). */
    static int[] endOfGenerationTokens(Tokenizer tok) {
        return java.util.stream.IntStream.range(0, tok.vocabSize()).filter(tok::isEndOfGeneration).toArray();
    }

    // The logits after the cache's last token (recomputed if truncation or scoring replaced them).
    float[] lastLogits() {
        if (count == 0) throw new IllegalArgumentException("the prompt is empty and the session holds no tokens to continue from");
        if (logitsValid) return transformer.logitsArray();
        int last = history[count - 1];
        cut(count - 1);
        return run(new int[] {last});
    }

    // ---- prompt caching (a scheduler's sessions) -----------------------------------------------

    // How many of the cache's first tokens equal prompt's.
    int commonPrefix(int[] prompt) {
        int n = Math.min(count, prompt.length), i = 0;
        while (i < n && history[i] == prompt[i]) i++;
        return i;
    }

    // Whether a fork can keep the first length positions (sliding-window layers may have given
    // those before firstKept() back).
    boolean reusable(int length) {
        return length <= count && length >= transformer.firstKept();
    }

    // The first position every layer still holds (see reusable).
    long firstKept() {
        return transformer.firstKept();
    }

    // The tokens in the cache (not the pending one).
    int[] cachedTokens() {
        return Arrays.copyOf(history, count);
    }

    // A new session sharing this one's first length positions (copy-on-write blocks in the same
    // pools), no pending token; the caller closes it.
    Session fork(int length) {
        requireOpen();
        Session s = new Session(model, transformer.fork(length));
        s.history = Arrays.copyOf(history, Math.max(64, length));
        s.count = length;
        return s;
    }

    // ---- one step of a Batch ------------------------------------------------------------------

    Model model() {
        return model;
    }

    Transformer transformer() {
        return transformer;
    }

    // What a batched step with token (-1: none) runs for this session: the pending token first.
    // Checked against the vocabulary and the context (nothing changes on failure).
    int[] stepInput(int token) {
        requireOpen();
        int[] input = token < 0 ? withPending(new int[0]) : withPending(new int[] {token});
        if (input.length == 0) throw new IllegalArgumentException("the session has no pending token to run");
        int vocab = model.config().vocab();
        for (int id : input) if (id < 0 || id >= vocab) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + vocab);
        transformer.requireRoom(input.length);
        return input;
    }

    // A batched step ran input: remembered, and the given rows of logits and final hidden state
    // become this session's.
    void stepRan(int[] input, java.lang.foreign.MemorySegment logits, java.lang.foreign.MemorySegment hidden) {
        remember(input, 0, input.length);
        Activations a = transformer.activations();
        java.lang.foreign.MemorySegment.copy(logits, 0, a.logits, 0, logits.byteSize());
        java.lang.foreign.MemorySegment.copy(hidden, 0, a.last, 0, hidden.byteSize());
        pending = -1;
        logitsValid = true;
    }

    // A batched step failed: the cache back to length positions (the pending token kept).
    void stepFailed(long length) {
        cut(length);
    }

    // What a prompt run a chunk at a time in batched passes runs: the pending token, then prompt;
    // checked against the vocabulary and the context as a whole (nothing changes on failure).
    int[] promptInput(int[] prompt) {
        requireOpen();
        int[] input = withPending(prompt);
        int vocab = model.config().vocab();
        for (int id : input) if (id < 0 || id >= vocab) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + vocab);
        transformer.requireRoom(input.length);
        return input;
    }

    // A batched pass ran input[from .. from + n), a piece of a prompt that is not its last: remembered;
    // the pending token (the input's first, if any) is in the cache now, and no logits are valid.
    void chunkRan(int[] input, int from, int n) {
        remember(input, from, n);
        pending = -1;
        logitsValid = false;
    }

    // A generation's prompt was given up part way (cancelled, past its deadline, failed): the
    // cache back to length positions and the pending token as it was, as if it never started.
    void restore(long length, int pendingToken) {
        cut(length);
        pending = pendingToken;
    }

    // The pending token (-1: none).
    int pending() {
        return pending;
    }

    private void requireOpen() {
        if (closed) throw new IllegalStateException("the session is closed");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        transformer.close();
        model.closed(this);  // a no-op for a scheduler's own sessions
    }
}
