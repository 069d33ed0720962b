package dev.vane.bench.soak;

import dev.vane.model.GenerationOptions;
import dev.vane.model.GenerationResult;
import dev.vane.model.Model;
import dev.vane.model.Session;
import dev.vane.model.SessionOptions;
import java.util.Arrays;
import java.util.Random;

/**
 * The soak's seeded prompts and what each must give: the greedy continuation a fresh session
 * generates for it on one thread, computed before any concurrency. Prompts share a few stems,
 * so that the scheduler's prompt cache forks running and cached sequences.
 */
record SoakPrompts(int[][] prompts, int[][] expected, GenerationOptions options, int contextLength) {
    private static final String[] WORDS = {"the", "and", "of", "LORD", "said", "unto", "him", "land", "king", "people", "house", "God", "day",
            "son", "man", "came", "went", "heart", "word", "city", "light", "water", "shall", "thou"};

    /**
     * count prompts from seed and their single-threaded greedy runs of maxTokens (end of
     * generation ignored); sessions get a context the longest prompt and its run fit in.
     */
    static SoakPrompts make(Model model, int count, int maxTokens, long seed) {
        Random r = new Random(seed);
        String[] stems = new String[4];
        for (int i = 0; i < stems.length; i++) stems[i] = words(r, 3 + r.nextInt(6));
        int[][] prompts = new int[count][];
        int longest = 0;
        for (int i = 0; i < count; i++) {
            String text = stems[r.nextInt(stems.length)] + " " + words(r, 1 + r.nextInt(8));
            prompts[i] = model.tokenizer().encode(text, true);
            longest = Math.max(longest, prompts[i].length);
        }
        int context = Math.min(model.config().contextLength(), longest + maxTokens + 1);
        GenerationOptions options = GenerationOptions.greedy(maxTokens).withIgnoreEos(true);  // every run is maxTokens long: a stronger check
        int[][] expected = new int[count][];
        try (Session s = model.newSession(SessionOptions.defaults(model.config()).withContextLength(context))) {
            for (int i = 0; i < count; i++) {
                s.truncate(0);
                GenerationResult g = s.generate(prompts[i], options, t -> true);
                if (g.tokens().length != maxTokens) {
                    throw new IllegalStateException("the single-threaded run of prompt " + i + " gave " + g.tokens().length + " tokens, not " + maxTokens
                            + " (" + g.stopReason() + ")");
                }
                expected[i] = g.tokens();
            }
        }
        return new SoakPrompts(prompts, expected, options, context);
    }

    private static String words(Random r, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) b.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
        return b.toString();
    }

    int count() {
        return prompts.length;
    }

    SessionOptions sessionOptions(Model model) {
        return SessionOptions.defaults(model.config()).withContextLength(contextLength);
    }

    /** Null if got is the first got.length tokens of prompt i's expected run, else what differs. */
    String mismatch(int i, int[] got, boolean whole) {
        int[] want = expected[i];
        if (whole && got.length != want.length) return "prompt " + i + ": " + got.length + " tokens, want " + want.length;
        if (got.length > want.length) return "prompt " + i + ": " + got.length + " tokens, more than the " + want.length + " of its run";
        if (!Arrays.equals(got, Arrays.copyOf(want, got.length))) {
            return "prompt " + i + ": " + Arrays.toString(got) + " is not a prefix of the single-threaded " + Arrays.toString(want);
        }
        return null;
    }
}
