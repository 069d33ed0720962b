package dev.vane.bench.model;

import dev.vane.model.GenerationOptions;
import dev.vane.model.Model;
import dev.vane.model.Session;
import dev.vane.model.SessionOptions;
import java.util.ArrayList;
import java.util.List;

/** Vane as a benchmark engine: one session on a loaded model, truncated to empty before each prompt. */
final class VaneEngine implements BenchEngine {
    private final Session session;
    private final double loadSeconds;

    VaneEngine(Model model, int contextLength, double loadSeconds) {
        this.session = model.newSession(SessionOptions.defaults(model.config()).withContextLength(contextLength));
        this.loadSeconds = loadSeconds;
    }

    @Override
    public String name() {
        return "vane";
    }

    @Override
    public double loadSeconds() {
        return loadSeconds;
    }

    @Override
    public Stamps generate(String text, int[] ids, int n) {
        session.truncate(0);
        double[] at = new double[n];
        List<String> pieces = new ArrayList<>();
        long t0 = System.nanoTime();
        session.generate(ids, GenerationOptions.greedy(n).withIgnoreEos(true), t -> {
            at[t.index()] = (System.nanoTime() - t0) / 1e9;
            pieces.add(t.text());
            return true;
        });
        if (pieces.size() != n) throw new IllegalStateException("Vane generated " + pieces.size() + " tokens, not " + n);
        return new Stamps(at, pieces);
    }

    /** Closes the session; the model is the caller's. */
    @Override
    public void close() {
        session.close();
    }
}
