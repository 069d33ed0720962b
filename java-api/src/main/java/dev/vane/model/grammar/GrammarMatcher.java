package dev.vane.model.grammar;

import dev.vane.model.tokenizer.Tokenizer;
import java.util.Arrays;

/**
 * One generation's place in a {@link Grammar}: which tokens may come next ({@link #maskLogits}),
 * and the state after the drawn one ({@link #accept}). A token is allowed when its bytes keep the
 * output a prefix of a match; tokens with no bytes (control tokens) never are, except the
 * vocabulary's end-of-generation tokens once the output is a whole match. Not thread-safe.
 */
public final class GrammarMatcher {
    private final TokenMasks masks;
    private final Tokenizer tok;
    private final int[] endTokens;
    private MatchState state;
    // The last token fitsBudget checked from the current state, and the state after it.
    private int checkedId = -1;
    private MatchState checkedNext;

    GrammarMatcher(Grammar grammar, TokenMasks masks, Tokenizer tok) {
        this.masks = masks;
        this.tok = tok;
        this.endTokens = masks.endTokens();  // found once per vocabulary, not per generation
        this.state = grammar.initialState();
    }

    /** The output so far is a whole match (an end-of-generation token may come now). */
    public boolean isComplete() {
        return state.isComplete();
    }

    /** Some further byte can be accepted (false with isComplete: the output is finished). */
    public boolean canContinue() {
        return state.canContinue();
    }

    /** Whether token id may come next. */
    public boolean allows(int id) {
        if (id < 0 || id >= masks.vocab()) return false;
        if (tok.isEndOfGeneration(id)) return state.isComplete();
        long[] m = masks.allowed(state);
        return (m[id >>> 6] & (1L << id)) != 0;
    }

    /**
     * Sets the logits of every token that may not come next to -infinity (rows past the
     * vocabulary too).
     *
     * @throws IllegalStateException if no token may come next (the vocabulary cannot continue
     *     the grammar from here)
     */
    public void maskLogits(float[] logits) {
        long[] m = masks.allowed(state);
        int n = Math.min(logits.length, masks.vocab());
        float[] endLogits = new float[endTokens.length];  // kept before the mask clears them (they have no bytes)
        for (int k = 0; k < endTokens.length; k++) endLogits[k] = endTokens[k] < n ? logits[endTokens[k]] : Float.NEGATIVE_INFINITY;
        boolean any = false;
        for (int w = 0; w < m.length; w++) {
            long bits = m[w];
            any |= bits != 0;
            int base = w << 6;
            if (base >= n) continue;
            // Only the tokens not allowed are written: inside a string that is a few in a hundred.
            long off = ~bits;
            if (n - base < 64) off &= (1L << (n - base)) - 1;
            if (off == -1L) Arrays.fill(logits, base, base + 64, Float.NEGATIVE_INFINITY);
            else for (; off != 0; off &= off - 1) logits[base + Long.numberOfTrailingZeros(off)] = Float.NEGATIVE_INFINITY;
        }
        for (int i = n; i < logits.length; i++) logits[i] = Float.NEGATIVE_INFINITY;
        boolean complete = state.isComplete();
        for (int k = 0; k < endTokens.length; k++) if (endTokens[k] < n) logits[endTokens[k]] = complete ? endLogits[k] : Float.NEGATIVE_INFINITY;
        if (!any && !(complete && endTokens.length > 0)) {
            throw new IllegalStateException("the grammar allows no token of the vocabulary here (" + (complete
                    ? "the output is complete but the vocabulary has no end-of-generation token" : "no token's bytes continue the match") + ")");
        }
    }

    /**
     * Whether token id, drawn now with tokensLeft tokens left to this generation (this one
     * included), still lets the output become a whole match in time: after it, the shortest
     * finish ({@link MatchState#bytesToComplete()}) fits in the tokens that remain, counting a byte
     * a token (byte-level vocabularies have a token for every byte).
     */
    public boolean fitsBudget(int id, int tokensLeft) {
        if (tok.isEndOfGeneration(id)) return state.isComplete();
        byte[] bytes = TokenTrie.bytesOf(tok, id);
        if (bytes.length == 0) return false;
        MatchState next = state.advance(bytes);
        checkedId = id;  // the drawn token is usually accepted next: keep its state for accept
        checkedNext = next;
        return next != null && next.bytesToComplete() <= tokensLeft - 1;
    }

    /**
     * Sets to -infinity the logits of the tokens that do not fit the budget ({@link #fitsBudget});
     * call after {@link #maskLogits}, when the drawn token did not fit. The output then closes in
     * time whatever the model prefers.
     *
     * @throws IllegalStateException if no token fits (the vocabulary lacks a byte the shortest finish needs)
     */
    public void restrictToBudget(float[] logits, int tokensLeft) {
        boolean any = false;
        int n = Math.min(logits.length, masks.vocab());
        for (int id = 0; id < n; id++) {
            if (logits[id] == Float.NEGATIVE_INFINITY) continue;
            if (fitsBudget(id, tokensLeft)) any = true;
            else logits[id] = Float.NEGATIVE_INFINITY;
        }
        if (!any) {
            throw new IllegalStateException("no token closes the grammar's output within the " + tokensLeft + " tokens left (it needs at least "
                    + state.bytesToComplete() + " more bytes); allow more tokens");
        }
    }

    /**
     * Moves past token id.
     *
     * @throws IllegalStateException if the grammar does not allow it here
     */
    public void accept(int id) {
        if (tok.isEndOfGeneration(id)) {
            if (!state.isComplete()) throw new IllegalStateException("end-of-generation token " + id + " before the grammar is complete");
            return;
        }
        byte[] bytes = TokenTrie.bytesOf(tok, id);
        MatchState next = id == checkedId && checkedNext != null ? checkedNext : bytes.length == 0 ? null : state.advance(bytes);
        if (next == null || next.isDead() || bytes.length == 0) {
            throw new IllegalStateException("token " + id + " does not continue the grammar here");
        }
        state = next;
        checkedId = -1;
        checkedNext = null;
    }

    /** The state now (immutable). */
    public MatchState state() {
        return state;
    }
}
