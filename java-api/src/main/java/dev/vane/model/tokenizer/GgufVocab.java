package dev.vane.model.tokenizer;

import dev.vane.model.gguf.GgufFile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reading the tokenizer.ggml.* metadata both tokenizers share. Package-private. */
final class GgufVocab {
    private GgufVocab() {}

    /** Throws unless tokenizer.ggml.model is the expected one. */
    static void requireModel(GgufFile f, String expected, String what) {
        String model = f.string("tokenizer.ggml.model");
        if (!model.equals(expected)) throw new IllegalArgumentException("tokenizer.ggml.model is '" + model + "', not " + what + " '" + expected + "'");
    }

    /** An array of strings (tokens, merges). */
    static List<String> strings(GgufFile f, String key) {
        List<?> list = f.array(key);
        List<String> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof String s)) throw new IllegalArgumentException(key + " holds a " + (o == null ? "null" : o.getClass().getSimpleName()) + ", not a string");
            out.add(s);
        }
        return out;
    }

    /** tokenizer.ggml.token_type for n tokens, 1 (normal) where the file gives none. */
    static int[] tokenTypes(GgufFile f, int n) {
        int[] types = new int[n];
        Arrays.fill(types, 1);
        if (f.metadata().containsKey("tokenizer.ggml.token_type")) {
            List<?> t = f.array("tokenizer.ggml.token_type");
            for (int i = 0; i < n && i < t.size(); i++) types[i] = ((Number) t.get(i)).intValue();
        }
        return types;
    }

    /** A token id from the metadata, or -1 if the file names none. */
    static int tokenId(GgufFile f, String key) {
        return f.metadata().containsKey(key) ? (int) f.integer(key) : -1;
    }
}
