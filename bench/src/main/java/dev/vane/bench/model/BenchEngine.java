package dev.vane.bench.model;

/**
 * One inference engine under the model benchmark: loaded once on one model, kept loaded while the
 * engines take turns, and timed from outside by the same code.
 */
interface BenchEngine extends AutoCloseable {
    /** The engine's name in the tables (vane, llama.cpp, ...). */
    String name();

    /** Seconds its load took (file to ready). */
    double loadSeconds();

    /**
     * Greedy decoding of n tokens after a fresh prompt (no cache kept from an earlier call, end of
     * generation ignored). The prompt comes both as text and as its token ids (BOS first) so each
     * engine takes the form it is driven by; every generated token is stamped as it arrives.
     */
    Stamps generate(String text, int[] ids, int n);

    @Override
    void close();
}
