package dev.vane.model;

import dev.vane.model.tokenizer.TextStream;
import dev.vane.model.tokenizer.Tokenizer;
import java.lang.foreign.ValueLayout;
import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ChatTemplate;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A conversation with a {@link Model}: its own KV cache, so a later call continues where the last
 * one stopped. Use one thread at a time per session; close it to free its cache.
 */
public final class Session implements AutoCloseable {
    private final Model model;
    private final Transformer transformer;
    private int[] history = new int[64];  // every token in the cache, in order
    private int count;
    private boolean closed;

    Session(Model model, SessionOptions options) {
        this.model = model;
        this.transformer = new Transformer(model.config(), model.weights(), options.contextLength(), options.kvStorage(), options.chunkTokens());
    }

    /** Positions in the cache (the next token's position). */
    public long position() {
        requireOpen();
        return transformer.position();
    }

    public int contextLength() {
        return transformer.contextLength();
    }

    /** The tokens in the cache, in order. */
    public int[] tokens() {
        requireOpen();
        return Arrays.copyOf(history, count);
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
        long start = transformer.position();
        if (start + tokens.length > contextLength()) {
            throw new IllegalStateException("the session's context is full: " + start + " positions cached + " + tokens.length + " new > its "
                    + contextLength());
        }
        int vocab = model.config().vocab();
        for (int id : tokens) if (id < 0 || id >= vocab) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + vocab);
        try {
            for (int from = 0; from < tokens.length; from += transformer.maxChunk()) {
                int n = Math.min(transformer.maxChunk(), tokens.length - from);
                transformer.forward(tokens, from, n, from + n == tokens.length);
                remember(tokens, from, n);
            }
        } catch (RuntimeException | Error e) {
            truncate(start);
            throw e;
        }
        return transformer.logitsArray();
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
        long start = transformer.position();
        if (start + tokens.length > contextLength()) {
            throw new IllegalStateException("the session's context is full: " + start + " positions cached + " + tokens.length + " new > its "
                    + contextLength());
        }
        int vocab = model.config().vocab();
        for (int id : tokens) if (id < 0 || id >= vocab) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + vocab);
        double[] out = new double[tokens.length - 1];
        try (java.lang.foreign.Arena scratch = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment logits = scratch.allocate((long) transformer.maxChunk() * vocab * 4, 64);
            for (int from = 0; from < tokens.length; from += transformer.maxChunk()) {
                int n = Math.min(transformer.maxChunk(), tokens.length - from);
                transformer.forward(tokens, from, n, false);
                remember(tokens, from, n);
                transformer.allLogits(n, logits);
                for (int r = 0; r < n && from + r + 1 < tokens.length; r++) {
                    out[from + r] = logSoftmaxAt(logits, (long) r * vocab, vocab, tokens[from + r + 1]);
                }
            }
        } catch (RuntimeException | Error e) {
            truncate(start);
            throw e;
        }
        return out;
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

    /** Forgets positions from length on (0 empties the session). */
    public void truncate(long length) {
        requireOpen();
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
     * Generates a continuation of the prompt's tokens (run first, after what the session holds).
     * Time to first token counts the prompt and the first draw; decode throughput, the tokens after
     * the first. Stops at maxTokens, an end-of-generation token (unless ignored), a full context,
     * the listener's false, or an interrupt.
     */
    public GenerationResult generate(int[] prompt, GenerationOptions options, TokenListener listener) {
        Objects.requireNonNull(prompt, "prompt must not be null");
        Objects.requireNonNull(options, "options must not be null");
        Objects.requireNonNull(listener, "listener must not be null");
        requireOpen();
        Tokenizer tok = model.tokenizer();
        Sampler sampler = new Sampler(options.sampling());
        TextStream text = new TextStream(tok, false);
        StringBuilder out = new StringBuilder();
        int[] generated = new int[Math.max(1, Math.min(options.maxTokens(), 1 << 16))];
        int n = 0;
        long t0 = System.nanoTime();
        float[] logits = prompt.length > 0 ? prefill(prompt) : lastLogits();
        long tPrefill = System.nanoTime();
        long tFirst = tPrefill;
        GenerationResult.StopReason stop = GenerationResult.StopReason.MAX_TOKENS;
        int[] endTokens = options.ignoreEos() ? endOfGenerationTokens(tok) : new int[0];
        while (n < options.maxTokens()) {
            for (int e : endTokens) logits[e] = Float.NEGATIVE_INFINITY;  // ignoring EOS means never drawing it (as llama.cpp)
            int id = sampler.sample(logits, history, count);
            if (n == 0) tFirst = System.nanoTime();
            if (!options.ignoreEos() && tok.isEndOfGeneration(id)) {
                stop = GenerationResult.StopReason.END_OF_GENERATION;
                break;
            }
            if (n == generated.length) generated = Arrays.copyOf(generated, n * 2);
            generated[n] = id;
            String piece = text.next(id);
            out.append(piece);
            boolean go = listener.onToken(new GeneratedToken(id, piece, n));
            n++;
            if (!go || Thread.currentThread().isInterrupted()) {
                stop = GenerationResult.StopReason.CANCELLED;
                break;
            }
            if (n == options.maxTokens()) break;
            if (transformer.position() >= contextLength()) {
                stop = GenerationResult.StopReason.CONTEXT_FULL;
                break;
            }
            logits = next(id);
        }
        out.append(text.finish());
        long tEnd = System.nanoTime();
        double prefillSeconds = (tPrefill - t0) / 1e9, decodeSeconds = (tEnd - tFirst) / 1e9;
        return new GenerationResult(out.toString(), Arrays.copyOf(generated, n), stop, prompt.length, (tFirst - t0) / 1e6,
                prompt.length > 0 ? prompt.length / prefillSeconds : 0, n > 1 ? (n - 1) / decodeSeconds : 0);
    }

    /** The ids that end a generation by themselves (EOS, end of turn). */
    static int[] endOfGenerationTokens(Tokenizer tok) {
        return java.util.stream.IntStream.range(0, tok.vocabSize()).filter(tok::isEndOfGeneration).toArray();
    }

    private float[] lastLogits() {
        if (count == 0) throw new IllegalArgumentException("the prompt is empty and the session holds no tokens to continue from");
        return transformer.logitsArray();
    }

    private void requireOpen() {
        if (closed) throw new IllegalStateException("the session is closed");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        transformer.close();
        model.sessionClosed(this);
    }
}
