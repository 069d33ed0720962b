package dev.vane.model.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The tokens that are matched as a whole in the input text before any merging, and the tokens that
 * end generation, both as llama.cpp decides them (so that Vane gives llama.cpp's ids). Package-private.
 *
 * <p>Matched whole: every token of GGUF type control (3), user-defined (4) or unknown (2), e.g.
 * {@code <s>}, {@code <|eot_id|>}. llama.cpp tries them longest first, each over the whole text
 * (every raw-text fragment not yet claimed by a longer one), left to right without overlap.
 */
final class SpecialTokens {
    /** GGUF token types. */
    static final int TYPE_NORMAL = 1, TYPE_UNKNOWN = 2, TYPE_CONTROL = 3, TYPE_USER_DEFINED = 4, TYPE_BYTE = 6;

    /** Texts llama.cpp takes as end of turn when the file names no tokenizer.ggml.eot_token_id. */
    private static final List<String> EOT_NAMES = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<EOT>");
    /** Texts that end generation in llama.cpp besides eos and eot (its special_eog_ids). */
    private static final List<String> EOG_NAMES = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>");

    private final List<String> tokens;
    private final int[] longestFirst;
    private final Set<Integer> endOfGeneration = new HashSet<>();

    /** types may be changed: tokens that end generation by their name become control tokens, as in llama.cpp. */
    SpecialTokens(List<String> tokens, int[] types, int eos, int eot) {
        this.tokens = tokens;
        for (int i = 0; i < tokens.size(); i++) {
            if (EOG_NAMES.contains(tokens.get(i))) {
                endOfGeneration.add(i);
                types[i] = TYPE_CONTROL;
            }
        }
        if (eos >= 0) endOfGeneration.add(eos);
        if (eot >= 0) endOfGeneration.add(eot);
        List<Integer> special = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            if (isSpecial(types[i]) && !tokens.get(i).isEmpty()) special.add(i);
        }
        // Longest in UTF-8 bytes first, as llama.cpp sorts its std::string texts (ties by id; llama.cpp leaves their order unspecified, which only matters for overlapping tokens of equal length).
        special.sort(Comparator.comparingInt((Integer i) -> -tokens.get(i).getBytes(StandardCharsets.UTF_8).length).thenComparingInt(i -> i));
        longestFirst = special.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The end-of-turn token by its name (the lowest id of llama.cpp's list), or -1. */
    static int eotByName(List<String> tokens) {
        for (int i = 0; i < tokens.size(); i++) if (EOT_NAMES.contains(tokens.get(i))) return i;
        return -1;
    }

    boolean endsGeneration(int id) {
        return endOfGeneration.contains(id);
    }

    /** Whether a token of this GGUF type is matched whole in the text. */
    static boolean isSpecial(int type) {
        return type == TYPE_CONTROL || type == TYPE_USER_DEFINED || type == TYPE_UNKNOWN;
    }

    /** The text cut into raw-text pieces (String) and special tokens (Integer ids), in order; empty pieces left out. */
    List<Object> split(String text) {
        List<Object> parts = new ArrayList<>();
        if (!text.isEmpty()) parts.add(text);
        for (int id : longestFirst) {
            String special = tokens.get(id);
            List<Object> next = null;
            for (int p = 0; p < parts.size(); p++) {
                Object part = parts.get(p);
                int at = part instanceof String s ? s.indexOf(special) : -1;
                if (at < 0) {
                    if (next != null) next.add(part);
                    continue;
                }
                if (next == null) next = new ArrayList<>(parts.subList(0, p));
                String s = (String) part;
                int from = 0;
                for (; at >= 0; at = s.indexOf(special, from)) {
                    if (at > from) next.add(s.substring(from, at));
                    next.add(id);
                    from = at + special.length();
                }
                if (from < s.length()) next.add(s.substring(from));
            }
            if (next != null) parts = next;
        }
        return parts;
    }
}
