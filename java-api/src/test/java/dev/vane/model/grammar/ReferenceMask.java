package dev.vane.model.grammar;

import dev.vane.model.tokenizer.Tokenizer;

/** The definition of a correct token mask: each token checked alone, from scratch, byte by byte. */
final class ReferenceMask {
    private ReferenceMask() {}

    static boolean[] allowed(MatchState state, Tokenizer tok) {
        boolean[] ok = new boolean[tok.vocabSize()];
        for (int id = 0; id < ok.length; id++) {
            if (tok.isEndOfGeneration(id)) {
                ok[id] = state.isComplete();
                continue;
            }
            byte[] b = TokenTrie.bytesOf(tok, id);
            if (b.length == 0) continue;
            MatchState s = state;
            for (int i = 0; i < b.length && s != null; i++) {
                s = s.advance(b[i] & 0xFF);
                if (s.isDead()) s = null;
            }
            ok[id] = s != null;
        }
        return ok;
    }

    /** The fast matcher's allowed set at its state, as booleans (from maskLogits on zero logits). */
    static boolean[] fast(GrammarMatcher m, int vocab) {
        float[] logits = new float[vocab];
        m.maskLogits(logits);
        boolean[] ok = new boolean[vocab];
        for (int i = 0; i < vocab; i++) ok[i] = logits[i] != Float.NEGATIVE_INFINITY;
        return ok;
    }
}
