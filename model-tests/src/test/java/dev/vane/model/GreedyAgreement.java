package dev.vane.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import dev.vane.model.tokenizer.TextStream;

/**
 * Greedy continuations of Vane and llama.cpp compared as text (the binding streams text, not
 * ids). They must be equal, except after a step where Vane's two best logits are within the
 * logit tolerance: a near-tie either engine may break either way. Text shows a token choice up
 * to a few tokens late (byte tokens of one character), so the near-tie may be up to 3 steps
 * before the text differs. End-of-generation tokens are banned on both sides (llama.cpp's
 * ignore_eos).
 */
final class GreedyAgreement {
    /** Vane's text after each greedy step, and the top-1 minus top-2 logit at each step. */
    record Steps(String[] texts, double[] margins) {
        String text() {
            return texts[texts.length - 1];
        }
    }

    private GreedyAgreement() {}

    /** Vane's greedy steps from logits (those after the prompt; not modified), running each drawn token in session. */
    static Steps vane(Model model, Session session, float[] logits, int steps) {
        String[] texts = new String[steps];
        double[] margins = new double[steps];
        TextStream stream = new TextStream(model.tokenizer(), false);
        StringBuilder text = new StringBuilder();
        int[] endTokens = Session.endOfGenerationTokens(model.tokenizer());
        float[] l = logits.clone();
        for (int i = 0; i < steps; i++) {
            for (int e : endTokens) l[e] = Float.NEGATIVE_INFINITY;
            int best = Sampler.argmax(l);
            margins[i] = margin(l, best);
            texts[i] = text.append(stream.next(best)).toString();
            l = session.next(best);
        }
        return new Steps(texts, margins);
    }

    /** llama.cpp's greedy continuation of prompt, ignoring end-of-generation tokens. */
    static String llama(LlamaModel m, String prompt, int steps) {
        StringBuilder text = new StringBuilder();
        for (LlamaOutput o : m.generate(new InferenceParameters(prompt).setNPredict(steps).setTemperature(0).setIgnoreEos(true))) {
            text.append(o.text);
        }
        return text.toString();
    }

    /** Asserts agreement; a near-tie excuses a divergence only from step minEqualSteps on. */
    static void check(Steps vane, String llama, double tol, int minEqualSteps) {
        String[] texts = vane.texts();
        for (int i = 0; i < texts.length; i++) {
            if (llama.startsWith(texts[i])) continue;
            double nearest = Double.POSITIVE_INFINITY;
            for (int j = Math.max(0, i - 3); j <= i; j++) nearest = Math.min(nearest, vane.margins()[j]);
            assertTrue(i >= minEqualSteps && nearest <= tol, "greedy continuations differ from step " + i + " (smallest top-2 margin before it "
                    + nearest + ", tolerance " + tol + "):\n vane:  " + vane.text() + "\n llama: " + llama);
            return;
        }
        assertEquals(llama, vane.text(), "greedy continuation of " + texts.length + " tokens");
    }

    /** The top-1 minus top-2 logit, best being the top one's index. */
    static double margin(float[] l, int best) {
        double second = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < l.length; j++) if (j != best) second = Math.max(second, l[j]);
        return l[best] - second;
    }

    /** The largest elementwise difference of two logit vectors. */
    static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return m;
    }

    /** The standard deviation of the logits (the unit of the logit tolerances). */
    static double std(float[] l) {
        double mean = 0, var = 0;
        for (float v : l) mean += v / (double) l.length;
        for (float v : l) var += (v - mean) * (v - mean) / l.length;
        return Math.sqrt(var);
    }
}
