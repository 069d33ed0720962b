package dev.vane.bench;

import dev.vane.bench.model.BenchArgs;
import dev.vane.model.Model;
import dev.vane.model.Session;
import dev.vane.model.SessionOptions;

/** The decode step the per-token costs (grammar masks, the streaming guard) are compared with. */
public final class DecodeStep {
    private DecodeStep() {}

    /** Median ms of one decode step (a token run alone after a short prompt), 8 warm-up steps first. */
    public static double medianMs(Model m) {
        try (Session s = m.newSession(SessionOptions.defaults(m.config()).withContextLength(256))) {
            float[] logits = s.prefill(new int[] {1, 2, 3, 4, 5, 6, 7, 8});
            double[] t = new double[64];
            for (int i = -8; i < t.length; i++) {
                int next = BenchArgs.argmax(logits);
                long t0 = System.nanoTime();
                logits = s.next(next);
                if (i >= 0) t[i] = (System.nanoTime() - t0) / 1e6;
            }
            return Timing.of(t).median();
        }
    }
}
