package dev.vane.model;

import java.time.Duration;

/**
 * {@link Model#warmUp}: greedy generations on a scratch session until a time budget has passed.
 *
 * <p>Why: the JVM compiles a method fully (C2) after some thousands of calls, and most of a
 * decode step's Java side (the forward pass's layer loop, attention and MoE set-up, sampling,
 * streaming) runs once or a few times per token. A model whose step takes a fraction of a
 * millisecond decodes well below its speed until then: the embedded model measured ≈ 2.9k tok/s
 * over its first ~800 steps and ≈ 4.7k after ~20k on the 2-vCPU Zen 4 VM (docs/BENCHMARKS.md).
 * A server calls this once after load so that its first requests do not pay for it.
 */
final class WarmUp {
    private WarmUp() {}

    // Long enough for the attention path past its first block; short enough to restart often.
    private static final int CONTEXT = 128, PROMPT = 8;

    static long run(Model model, Duration budget) {
        if (budget == null || budget.isNegative()) throw new IllegalArgumentException("the warm-up budget must be a duration >= 0, got " + budget);
        long end = System.nanoTime() + budget.toNanos(), steps = 0;
        int context = (int) Math.min(CONTEXT, model.config().contextLength());
        int vocab = Math.min(model.config().vocab(), model.tokenizer().vocabSize());
        int[] prompt = new int[Math.min(PROMPT, context - 1)];
        try (Session s = model.newSession(SessionOptions.defaults(model.config()).withContextLength(context))) {
            int round = 0;
            do {
                prompt[0] = model.tokenizer().bos() >= 0 ? model.tokenizer().bos() : 1;
                for (int i = 1; i < prompt.length; i++) prompt[i] = (int) ((round * 7919L + i * 104729L) % vocab);  // a new prompt each round
                s.truncate(0);
                GenerationResult r = s.generate(prompt, GenerationOptions.greedy(context - prompt.length).withIgnoreEos(true),
                        t -> System.nanoTime() < end);
                steps += r.tokens().length;
                round++;
            } while (System.nanoTime() < end);
        }
        return steps;
    }
}
