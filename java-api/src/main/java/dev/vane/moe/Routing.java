package dev.vane.moe;

import java.util.Arrays;

/**
 * The routing of T tokens: each token's k experts (best first) and their weights, and how many
 * tokens chose each expert.
 */
public final class Routing {
    private final int tokens;
    private final int k;
    private final int[] ids;
    private final float[] weights;
    private final long[] tokensPerExpert;

    Routing(int tokens, int k, int[] ids, float[] weights, long[] tokensPerExpert) {
        this.tokens = tokens;
        this.k = k;
        this.ids = ids;
        this.weights = weights;
        this.tokensPerExpert = tokensPerExpert;
    }

    public int tokens() {
        return tokens;
    }

    public int k() {
        return k;
    }

    /** The j-th expert (0 = best) of a token. */
    public int expert(int token, int j) {
        return ids[index(token, j)];
    }

    /** The weight of a token's j-th expert. */
    public float weight(int token, int j) {
        return weights[index(token, j)];
    }

    /** Tokens that chose each expert (the load, for load-balance monitoring). */
    public long[] tokensPerExpert() {
        return tokensPerExpert.clone();
    }

    private int index(int token, int j) {
        if (token < 0 || token >= tokens || j < 0 || j >= k) {
            throw new IndexOutOfBoundsException("token " + token + ", slot " + j + " outside " + tokens + " tokens x k = " + k);
        }
        return token * k + j;
    }

    @Override
    public String toString() {
        return "Routing[" + tokens + " tokens, k=" + k + ", load " + Arrays.toString(tokensPerExpert) + "]";
    }
}
