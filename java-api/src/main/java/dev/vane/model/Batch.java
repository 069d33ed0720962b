package dev.vane.model;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Sessions of one model stepped together: a step runs the next token of every session in one
 * forward pass, so each weight matrix is read once for all of them (one matrix multiply with a
 * row per session instead of a matrix-vector product each), while every session keeps its own
 * KV cache, positions, sampler and pending token. What a server steps its active requests with,
 * and a batch job its rows. Up to {@link #capacity()} sessions a step; use one thread at a time,
 * with no other call on those sessions meanwhile; close it to free its buffers.
 *
 * <pre>{@code
 * try (Batch batch = model.newBatch(8)) {
 *     List<GenerationResult> results = batch.generate(requests);
 * }
 * }</pre>
 */
public final class Batch implements AutoCloseable {
    private final Model model;
    private final int capacity;
    private final Activations act;
    private boolean closed;

    /**
     * A generation to run with others: the prompt's tokens continue what the session holds, as
     * in {@link Session#generate(int[], GenerationOptions, TokenListener)}.
     */
    public record Request(Session session, int[] prompt, GenerationOptions options, TokenListener listener) {
        public Request {
            Objects.requireNonNull(session, "session must not be null");
            Objects.requireNonNull(prompt, "prompt must not be null");
            Objects.requireNonNull(options, "options must not be null");
            Objects.requireNonNull(listener, "listener must not be null");
            prompt = prompt.clone();
        }

        /** The prompt's text tokenized as {@link Session#generate(String, GenerationOptions)} does; no listener. */
        public static Request of(Session session, String prompt, GenerationOptions options) {
            Objects.requireNonNull(session, "session must not be null");
            Objects.requireNonNull(prompt, "prompt must not be null");
            Objects.requireNonNull(options, "options must not be null");
            int[] ids = session.model().tokenizer().encode(prompt, options.addBos() && session.position() == 0);
            return new Request(session, ids, options, t -> true);
        }

        @Override
        public int[] prompt() {
            return prompt.clone();
        }
    }

    Batch(Model model, int capacity) {
        if (capacity < 1 || capacity > 256) throw new IllegalArgumentException("a batch holds 1..256 sessions, got " + capacity);
        this.model = model;
        this.capacity = capacity;
        this.act = new Activations(model.config(), 2 * capacity, capacity);  // a session's pending token may add a row
    }

    Model model() {
        return model;
    }

    /** The most sessions one step runs. */
    public int capacity() {
        return capacity;
    }

    /**
     * Runs tokens[i] on sessions.get(i), every session at its next position, in one pass (a
     * session's pending token, drawn by its last generation, runs just before its token), and
     * returns each session's logits after its token; each session's {@link Session#lastHiddenState()}
     * is then that token's too.
     *
     * @throws IllegalArgumentException for more sessions than {@link #capacity()}, a session
     *     twice or of another model, or a token outside the vocabulary
     * @throws IllegalStateException if a token does not fit in its session's context, or a session
     *     or the model is closed (nothing is run then)
     */
    public float[][] step(List<Session> sessions, int[] tokens) {
        Objects.requireNonNull(sessions, "sessions must not be null");
        Objects.requireNonNull(tokens, "tokens must not be null");
        if (tokens.length != sessions.size()) {
            throw new IllegalArgumentException("one token per session: " + sessions.size() + " sessions, " + tokens.length + " tokens");
        }
        for (int t : tokens) if (t < 0) throw new IllegalArgumentException("token ids are >= 0, got " + t);
        return pass(sessions, tokens);
    }

    /**
     * Runs the requests together: each prompt first (one session after the other, in chunks),
     * then every unfinished generation steps in one pass per token until all have stopped. Each
     * request draws, streams and stops as {@link Session#generate(int[], GenerationOptions,
     * TokenListener)} would alone (greedy output is the same token for token); a listener's false
     * ends its own request only. Results in the order of the requests; each one's decode
     * throughput is its own tokens over the time the batch took for them.
     */
    public List<GenerationResult> generate(List<Request> requests) {
        Objects.requireNonNull(requests, "requests must not be null");
        List<Session> sessions = new ArrayList<>();
        for (Request r : requests) sessions.add(Objects.requireNonNull(r, "a request is null").session());
        check(sessions);
        List<Generation> gens = new ArrayList<>();
        for (Request r : requests) gens.add(r.session().start(r.prompt(), r.options(), r.listener()));
        List<Integer> active = new ArrayList<>();
        for (int i = 0; i < gens.size(); i++) if (gens.get(i).draw(sessions.get(i).lastLogits())) active.add(i);
        while (!active.isEmpty()) {
            List<Session> stepping = new ArrayList<>(active.size());
            for (int i : active) stepping.add(sessions.get(i));
            float[][] logits = pass(stepping, null);
            List<Integer> next = new ArrayList<>(active.size());
            for (int j = 0; j < active.size(); j++) if (gens.get(active.get(j)).draw(logits[j])) next.add(active.get(j));
            active = next;
        }
        List<GenerationResult> out = new ArrayList<>(gens.size());
        for (Generation g : gens) out.add(g.result());
        return out;
    }

    /** One decode pass of the sessions' pending tokens (the scheduler's step); each session's logits. */
    float[][] stepPending(List<Session> sessions) {
        return pass(sessions, null);
    }

    // Checks a step's sessions: 1..capacity, distinct, open, of this batch's model.
    private void check(List<Session> sessions) {
        requireOpen();
        if (sessions.isEmpty() || sessions.size() > capacity) {
            throw new IllegalArgumentException("a step runs 1.." + capacity + " sessions (the batch's capacity), got " + sessions.size());
        }
        Set<Session> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Session s : sessions) {
            Objects.requireNonNull(s, "a session is null");
            if (s.model() != model) throw new IllegalArgumentException("a session of another model: a batch steps sessions of its own model");
            if (!seen.add(s)) throw new IllegalArgumentException("a session appears twice in one step");
        }
    }

    // One pass: each session's input (its pending token, then tokens[i] unless tokens is null)
    // as a group of rows; returns each session's logits.
    private float[][] pass(List<Session> sessions, int[] tokens) {
        JfrEvents.DecodeStep step = JfrEvents.DecodeStep.start();
        check(sessions);
        int k = sessions.size();
        int[][] inputs = new int[k][];
        int rows = 0;
        for (int i = 0; i < k; i++) {
            inputs[i] = sessions.get(i).stepInput(tokens == null ? -1 : tokens[i]);
            rows += inputs[i].length;
        }
        int[] all = new int[rows];
        Forward.Group[] groups = new Forward.Group[k];
        long[] start = new long[k];
        for (int i = 0, row = 0; i < k; row += inputs[i].length, i++) {
            System.arraycopy(inputs[i], 0, all, row, inputs[i].length);
            groups[i] = new Forward.Group(sessions.get(i).transformer(), row, inputs[i].length, true);
            start[i] = sessions.get(i).position();
        }
        ModelConfig c = model.config();
        try {
            Forward.run(c, model.weights(), act, all, 0, rows, groups);
        } catch (RuntimeException | Error e) {
            for (int i = 0; i < k; i++) sessions.get(i).stepFailed(start[i]);
            throw e;
        }
        long v = 4L * c.vocab(), d = 4L * c.dim();
        float[][] logits = new float[k][];
        for (int i = 0; i < k; i++) {
            MemorySegment row = act.logits.asSlice(i * v, v);
            sessions.get(i).stepRan(inputs[i], row, act.last.asSlice(i * d, d));
            logits[i] = row.toArray(ValueLayout.JAVA_FLOAT);
        }
        model.telemetry().decodeStep(step, k, rows);
        return logits;
    }

    private void requireOpen() {
        if (closed) throw new IllegalStateException("the batch is closed");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        act.close();
    }
}
