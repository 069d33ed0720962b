package dev.vane.samples.moe;

import dev.vane.FeedForward;
import dev.vane.QuantizedMatrix;
import dev.vane.Tensor;
import dev.vane.moe.Gating;
import dev.vane.moe.MoeLayer;
import dev.vane.moe.MoeStats;
import dev.vane.moe.Routing;
import dev.vane.quant.QuantFormat;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code vane moe-demo [tokens]}: a mixture-of-experts layer of 8 experts with the classic top-2
 * softmax gate, in Q4_0. Routes a batch of random tokens and prints the first tokens' experts
 * and weights, the load on each expert, and the layer's time against a dense FFN holding all 8
 * experts' parameters (the dense model the MoE replaces: ideally 2/8 = 0.25 of its time).
 */
public final class MoeDemo {
    private MoeDemo() {}

    static final int D = 1024;
    static final int F = 2816;
    static final int EXPERTS = 8;

    public static void main(String[] args) {
        run(args, System.out);
    }

    public static void run(String[] args, PrintStream out) {
        int tokens = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        if (tokens < 1) throw new IllegalArgumentException("tokens must be >= 1, got " + tokens);
        SplittableRandom r = new SplittableRandom(2024);
        try (Arena arena = Arena.ofShared()) {
            List<FeedForward> experts = new ArrayList<>();
            for (int e = 0; e < EXPERTS; e++) experts.add(ffn(F, r, arena));
            FeedForward dense = ffn(F * EXPERTS, r, arena);
            QuantizedMatrix router = matrix(QuantFormat.F32, EXPERTS, D, r, arena);
            MoeLayer layer = new MoeLayer(router, experts, Gating.softmaxTopK(2, true));
            Tensor x = Tensor.allocate(arena, tokens, D);
            for (long i = 0; i < (long) tokens * D; i++) x.segment().setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) gauss(r));
            Tensor y = Tensor.allocate(arena, tokens, D);

            out.printf("MoE layer: %d experts of SwiGLU [D=%d, F=%d] in q4_0, top-2 softmax gate (renormalized); %d tokens%n",
                    EXPERTS, D, F, tokens);
            Routing routing = layer.route(x);
            out.println("token  experts (weight)");
            for (int t = 0; t < Math.min(tokens, 5); t++) {
                out.printf("%5d  %d (%.3f), %d (%.3f)%n", t, routing.expert(t, 0), routing.weight(t, 0), routing.expert(t, 1),
                        routing.weight(t, 1));
            }
            out.println("tokens per expert: " + Arrays.toString(routing.tokensPerExpert()));

            MoeStats stats = null;
            for (int i = 0; i < 3; i++) stats = layer.forward(x, y);  // warm up
            double moe = median(() -> layer.forward(x, y));
            double full = median(() -> dense.forward(x, y));
            out.printf("layer: %.2f ms (route %.2f, group %.2f, experts %.2f, combine %.2f ms)%n", moe * 1e3, stats.routeSeconds() * 1e3,
                    stats.groupSeconds() * 1e3, stats.expertsSeconds() * 1e3, stats.combineSeconds() * 1e3);
            out.printf("dense FFN of all experts' parameters [D=%d, F=%d]: %.2f ms; MoE/dense = %.3f (ideal %.3f)%n", D, F * EXPERTS,
                    full * 1e3, moe / full, 2.0 / EXPERTS);
        }
    }

    static double median(Runnable op) {
        double[] t = new double[9];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            op.run();
            t[i] = (System.nanoTime() - t0) * 1e-9;
        }
        Arrays.sort(t);
        return t[t.length / 2];
    }

    static FeedForward ffn(int hidden, SplittableRandom r, Arena arena) {
        return new FeedForward(matrix(QuantFormat.Q4_0, hidden, D, r, arena), matrix(QuantFormat.Q4_0, hidden, D, r, arena),
                matrix(QuantFormat.Q4_0, D, hidden, r, arena));
    }

    static QuantizedMatrix matrix(QuantFormat f, int rows, int cols, SplittableRandom r, Arena arena) {
        try (Tensor w = Tensor.allocate(rows, cols)) {
            double s = 1 / Math.sqrt(cols);
            for (long i = 0; i < (long) rows * cols; i++) w.segment().setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (gauss(r) * s));
            return QuantizedMatrix.quantize(f, w, arena);
        }
    }

    static double gauss(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }
}
