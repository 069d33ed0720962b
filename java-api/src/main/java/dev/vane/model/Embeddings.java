package dev.vane.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Texts to vectors: each text's final hidden states (after the output norm) pooled. Short texts
 * share passes: up to {@link #PASS_ROWS} tokens of consecutive texts run as the rows of one
 * forward pass (one read of the weights for all of them), each text its own sequence; a longer
 * text runs alone in its session's chunks.
 */
final class Embeddings {
    /** Token rows of a shared pass. */
    static final int PASS_ROWS = 512;
    /** Texts in a shared pass. */
    static final int PASS_TEXTS = 64;

    private Embeddings() {}

    static List<float[]> embed(Model model, List<String> texts, Pooling pooling, boolean normalize) {
        return embed(model, texts, pooling, normalize, PASS_ROWS);
    }

    /** As {@link #embed(Model, List, Pooling, boolean)} with passRows token rows a shared pass (tests use a small one). */
    static List<float[]> embed(Model model, List<String> texts, Pooling pooling, boolean normalize, int passRows) {
        int context = SessionOptions.defaults(model.config()).contextLength();
        int[][] ids = new int[texts.size()][];
        for (int i = 0; i < texts.size(); i++) {
            String text = java.util.Objects.requireNonNull(texts.get(i), "text " + i + " is null");
            ids[i] = model.tokenizer().encode(text, true);
            if (ids[i].length == 0) throw new IllegalArgumentException("text " + i + " has no tokens (and the vocabulary no BOS)");
            if (ids[i].length > context) throw new IllegalArgumentException("text " + i + " has " + ids[i].length + " tokens; a session holds " + context);
        }
        float[][] out = new float[texts.size()][];
        try (Activations act = new Activations(model.config(), passRows, 1)) {
            for (int i = 0; i < ids.length;) {
                if (ids[i].length > passRows) {
                    out[i] = alone(model, ids[i], pooling);
                    i++;
                    continue;
                }
                int j = i, rows = 0;
                while (j < ids.length && j - i < PASS_TEXTS && rows + ids[j].length <= passRows) rows += ids[j++].length;
                shared(model, act, ids, i, j, rows, pooling, out);
                i = j;
            }
        }
        List<float[]> vectors = new ArrayList<>(out.length);
        for (int i = 0; i < out.length; i++) {
            if (pooling == Pooling.MEAN) for (int k = 0; k < out[i].length; k++) out[i][k] /= ids[i].length;
            if (normalize) normalize(out[i]);
            vectors.add(out[i]);
        }
        return vectors;
    }

    // A text longer than a shared pass: its own session, chunk after chunk.
    private static float[] alone(Model model, int[] ids, Pooling pooling) {
        int dim = model.config().dim();
        float[] v = new float[dim];
        try (Session s = model.newSession(SessionOptions.defaults(model.config()).withContextLength(ids.length))) {
            s.hiddenStates(ids, (from, rows) -> pool(pooling, v, rows, from, rows.length / dim, ids.length));
        }
        return v;
    }

    // Texts [from, to) (rows tokens in all) as the rows of one pass, each in a scratch session of its own length.
    private static void shared(Model model, Activations act, int[][] ids, int from, int to, int rows, Pooling pooling, float[][] out) {
        ModelConfig c = model.config();
        int dim = c.dim();
        List<Session> sessions = new ArrayList<>(to - from);
        try {
            int[] all = new int[rows];
            Forward.Group[] groups = new Forward.Group[to - from];
            for (int t = from, row = 0; t < to; row += ids[t].length, t++) {
                // chunkTokens 1: the scratch session's own buffers stay small; the pass runs in act.
                Session s = model.newSession(SessionOptions.defaults(c).withContextLength(ids[t].length).withChunkTokens(1));
                sessions.add(s);
                System.arraycopy(ids[t], 0, all, row, ids[t].length);
                groups[t - from] = new Forward.Group(s.transformer(), row, ids[t].length, false);
            }
            ModelWeights w = model.weights();
            Forward.run(c, w, act, all, 0, rows, groups);
            try (java.lang.foreign.Arena scratch = java.lang.foreign.Arena.ofConfined()) {
                java.lang.foreign.MemorySegment hidden = scratch.allocate((long) rows * dim * 4, 64);
                w.inFlight().enter();
                try {
                    w.outputNorm().apply(Forward.view(act.x, rows, dim), dev.vane.Tensor.wrap(hidden, rows, dim));
                } finally {
                    w.inFlight().exit();
                }
                for (int t = from, row = 0; t < to; row += ids[t].length, t++) {
                    int n = ids[t].length;
                    float[] states = hidden.asSlice((long) row * dim * 4, (long) n * dim * 4).toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT);
                    out[t] = new float[dim];
                    pool(pooling, out[t], states, 0, n, n);
                }
            }
        } finally {
            for (Session s : sessions) s.close();
        }
    }

    // Adds a chunk's rows (tokens from .. from + n of total) into v as pooling takes them.
    private static void pool(Pooling pooling, float[] v, float[] rows, int from, int n, int total) {
        int dim = v.length;
        switch (pooling) {
            case MEAN -> {
                for (int r = 0; r < n; r++) for (int j = 0; j < dim; j++) v[j] += rows[r * dim + j];
            }
            case FIRST -> {
                if (from == 0) System.arraycopy(rows, 0, v, 0, dim);
            }
            case LAST -> {
                if (from + n == total) System.arraycopy(rows, (n - 1) * dim, v, 0, dim);
            }
        }
    }

    private static void normalize(float[] v) {
        double sum = 0;
        for (float x : v) sum += (double) x * x;
        if (sum == 0) return;
        float inv = (float) (1 / Math.sqrt(sum));
        for (int j = 0; j < v.length; j++) v[j] *= inv;
    }
}
