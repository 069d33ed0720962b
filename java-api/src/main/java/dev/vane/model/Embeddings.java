package dev.vane.model;

import java.util.ArrayList;
import java.util.List;

/** Texts to vectors: each text run on a scratch session, its hidden states pooled. */
final class Embeddings {
    private Embeddings() {}

    static List<float[]> embed(Model model, List<String> texts, Pooling pooling, boolean normalize) {
        int dim = model.config().dim();
        int context = SessionOptions.defaults(model.config()).contextLength();
        List<float[]> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            String text = java.util.Objects.requireNonNull(texts.get(i), "text " + i + " is null");
            int[] ids = model.tokenizer().encode(text, true);
            if (ids.length == 0) throw new IllegalArgumentException("text " + i + " has no tokens (and the vocabulary no BOS)");
            if (ids.length > context) throw new IllegalArgumentException("text " + i + " has " + ids.length + " tokens; a session holds " + context);
            float[] v = new float[dim];
            try (Session s = model.newSession(SessionOptions.defaults(model.config()).withContextLength(ids.length))) {
                s.hiddenStates(ids, (from, rows) -> pool(pooling, v, rows, from, rows.length / dim, ids.length));
            }
            if (pooling == Pooling.MEAN) for (int j = 0; j < dim; j++) v[j] /= ids.length;
            if (normalize) normalize(v);
            out.add(v);
        }
        return out;
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
