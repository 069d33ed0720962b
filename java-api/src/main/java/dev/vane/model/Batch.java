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
 * with no other call on those sessions meanwhile; close it to free its buffers. After
 * {@link Model#close()} a step fails with IllegalStateException ("the model is closed").
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
        this(model, capacity, 0);
    }

    // With room for extraRows more rows a pass (a scheduler's prompt chunk beside its decode rows).
    Batch(Model model, int capacity, int extraRows) {
        if (capacity < 1 || capacity > 256) throw new IllegalArgumentException("a batch holds 1..256 sessions, got " + capacity);
        this.model = model;
        this.capacity = capacity;
        this.act = new Activations(model.config(), 2 * capacity + extraRows, capacity);  // a session's pending token may add a row
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

    /**
     * One pass of given inputs, inputs[i] at the next positions of sessions.get(i) (a scheduler's
     * decode rows, from {@link Session#stepInput}, beside a piece of a prompt, from
     * {@link Session#promptInput}): pieces[i] = {from, n} of inputs[i], wantLogits[i] whether that
     * session's logits are computed (then they become the session's, as after {@link #step}) or
     * not (a prompt's piece before its last: {@link Session#chunkRan}). Returns each session's
     * logits, null where not asked; a failure rolls every session back to where it was.
     */
    float[][] run(List<Session> sessions, int[][] inputs, int[][] pieces, boolean[] wantLogits) {
        JfrEvents.DecodeStep step = JfrEvents.DecodeStep.start();
        check(sessions);
        int k = sessions.size();
        int rows = 0;
        for (int[] p : pieces) rows += p[1];
        if (rows > act.rows) throw new IllegalArgumentException("a pass of " + rows + " rows > the batch's " + act.rows);
        int[] all = new int[rows];
        Forward.Group[] groups = new Forward.Group[k];
        long[] start = new long[k];
        for (int i = 0, row = 0; i < k; row += pieces[i][1], i++) {
            System.arraycopy(inputs[i], pieces[i][0], all, row, pieces[i][1]);
            groups[i] = new Forward.Group(sessions.get(i).transformer(), row, pieces[i][1], wantLogits[i]);
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
        for (int i = 0, out = 0; i < k; i++) {
            if (!wantLogits[i]) {
                sessions.get(i).chunkRan(inputs[i], pieces[i][0], pieces[i][1]);
                continue;
            }
            MemorySegment row = act.logits.asSlice(out * v, v);
            int[] ran = java.util.Arrays.copyOfRange(inputs[i], pieces[i][0], pieces[i][0] + pieces[i][1]);
            sessions.get(i).stepRan(ran, row, act.last.asSlice(out * d, d));
            logits[i] = row.toArray(ValueLayout.JAVA_FLOAT);
            out++;
        }
        model.telemetry().decodeStep(step, k, rows);  // a pass with a prompt chunk beside the decode rows is one step too
        return logits;
    }

    /** Rows one pass can hold. */
    int rows() {
        return act.rows;
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
        check(sessions);
        int k = sessions.size();
        int[][] inputs = new int[k][], pieces = new int[k][];
        boolean[] wantLogits = new boolean[k];
        for (int i = 0; i < k; i++) {
            inputs[i] = sessions.get(i).stepInput(tokens == null ? -1 : tokens[i]);
            pieces[i] = new int[] {0, inputs[i].length};
            wantLogits[i] = true;
        }
        return run(sessions, inputs, pieces, wantLogits);
    }

    private void requireOpen() {
        if (closed) throw new IllegalStateException("the batch is closed");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        act.close();
        model.closed(this);  // a no-op for a scheduler's own batch
    }
}
