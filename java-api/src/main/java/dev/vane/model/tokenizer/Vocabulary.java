package dev.vane.model.tokenizer;

import dev.vane.model.gguf.GgufFile;
import java.util.List;
import java.util.Objects;

/**
 * A tokenizer's vocabulary as GGUF's {@code tokenizer.ggml.*} metadata holds it: the one form every
 * source (a GGUF file, a Hugging Face tokenizer.json, a generated vocabulary) is brought into, so
 * that the tokenizer built from it and the GGUF metadata written from it always agree.
 *
 * @param model "llama" (SentencePiece-style, {@link SpmTokenizer}: Llama 2, Gemma) or "gpt2" (byte-level BPE,
 *     {@link BpeTokenizer}: Llama 3, Qwen, gpt-oss)
 * @param pre the pre-tokenizer name (gpt2 only: "llama-bpe", "qwen2", "gpt-4o", "gpt-2"; null for llama.cpp's default)
 * @param scores one per token (llama; merge priority, higher first), or null (gpt2)
 * @param types GGUF token types (1 normal, 2 unknown, 3 control, 4 user-defined, 6 byte)
 * @param merges "left right" merge rules, lowest rank first (gpt2; empty for llama)
 * @param bos beginning of sequence, or -1; likewise eos, eot (end of turn) and unk (unknown)
 * @param addSpacePrefix (llama) whether a space is put before the text, as SentencePiece does
 */
public record Vocabulary(String model, String pre, List<String> tokens, float[] scores, int[] types, List<String> merges,
        int bos, int eos, int eot, int unk, boolean addBos, boolean addSpacePrefix) {
    public static final String SPM = "llama", BPE = "gpt2";

    public Vocabulary {
        Objects.requireNonNull(model, "model must not be null");
        Objects.requireNonNull(types, "types must not be null");
        if (!model.equals(SPM) && !model.equals(BPE)) throw new IllegalArgumentException("tokenizer model '" + model + "' is not one Vane reads (llama, gpt2)");
        tokens = List.copyOf(Objects.requireNonNull(tokens, "tokens must not be null"));
        merges = List.copyOf(Objects.requireNonNull(merges, "merges must not be null"));
        int n = tokens.size();
        if (types.length != n) throw new IllegalArgumentException(n + " tokens but " + types.length + " token types");
        if (model.equals(SPM) && (scores == null || scores.length != n)) {
            throw new IllegalArgumentException(n + " tokens need as many scores, got " + (scores == null ? "none" : scores.length));
        }
        for (int id : new int[] {bos, eos, eot, unk}) {
            if (id < -1 || id >= n) throw new IllegalArgumentException("special token id " + id + " is outside the vocabulary of " + n);
        }
        types = types.clone();
        scores = scores == null ? null : scores.clone();
    }

    public int size() {
        return tokens.size();
    }

    /** A copy (the record keeps its arrays to itself). */
    @Override
    public float[] scores() {
        return scores == null ? null : scores.clone();
    }

    /** A copy (the record keeps its arrays to itself). */
    @Override
    public int[] types() {
        return types.clone();
    }

    /** The vocabulary a GGUF file's tokenizer.ggml.* metadata describes. */
    public static Vocabulary fromGguf(GgufFile f) {
        String model = f.string("tokenizer.ggml.model");
        if (!model.equals(SPM) && !model.equals(BPE)) throw new IllegalArgumentException("tokenizer.ggml.model '" + model + "' is not one Vane reads (llama, gpt2)");
        List<String> tokens = GgufVocab.strings(f, "tokenizer.ggml.tokens");
        float[] scores = null;
        if (model.equals(SPM)) {
            scores = new float[tokens.size()];
            if (f.metadata().containsKey("tokenizer.ggml.scores")) {
                List<?> s = f.array("tokenizer.ggml.scores");
                for (int i = 0; i < scores.length && i < s.size(); i++) scores[i] = ((Number) s.get(i)).floatValue();
            }
        }
        List<String> merges = model.equals(BPE) ? GgufVocab.strings(f, "tokenizer.ggml.merges") : List.of();
        Object pre = f.metadata().get("tokenizer.ggml.pre");
        Object prefix = f.metadata().get("tokenizer.ggml.add_space_prefix");
        Object addBos = f.metadata().get("tokenizer.ggml.add_bos_token");
        int eot = GgufVocab.tokenId(f, "tokenizer.ggml.eot_token_id");
        return new Vocabulary(model, pre instanceof String s ? s : null, tokens, scores, GgufVocab.tokenTypes(f, tokens.size()), merges,
                GgufVocab.tokenId(f, "tokenizer.ggml.bos_token_id"), GgufVocab.tokenId(f, "tokenizer.ggml.eos_token_id"),
                eot >= 0 ? eot : SpecialTokens.eotByName(tokens), GgufVocab.tokenId(f, "tokenizer.ggml.unknown_token_id"),
                addBos == null ? llamaCppAddsBos(model, pre instanceof String s ? s : null) : Boolean.TRUE.equals(addBos),
                model.equals(SPM) && (prefix == null || Boolean.TRUE.equals(prefix)));
    }

    /**
     * Whether llama.cpp adds BOS for a file without tokenizer.ggml.add_bos_token: for a
     * SentencePiece-style vocabulary, and for a byte-level one with Llama 3's pre-tokenizer; not for
     * the other byte-level ones (Qwen, gpt-oss, GPT-2).
     */
    static boolean llamaCppAddsBos(String model, String pre) {
        return model.equals(SPM) || (pre != null && List.of("llama-bpe", "llama3", "llama-v3").contains(pre));
    }

    /** The tokenizer of this vocabulary. */
    public Tokenizer tokenizer() {
        return model.equals(SPM)
                ? new SpmTokenizer(tokens, scores, types, bos, eos, unk, addSpacePrefix, eot)
                : new BpeTokenizer(tokens, types, merges, BpeTokenizer.PreTokenizer.forName(pre), bos, eos, eot);
    }
}
