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
 * {@code <s>}, {@code <|eot_id|>}; without special-token parsing only the user-defined ones (a
 * model's {@code <think>} is always one token, a {@code <|im_start|>} typed by a user is text).
 * llama.cpp tries them longest first, each over the whole text (every raw-text fragment not yet
 * claimed by a longer one), left to right without overlap.
 *
 * <p>llama.cpp also retypes tokens by their text when it loads a vocabulary, and Vane does the
 * same so that both match and render the same tokens: the end-of-turn, end-of-generation and
 * fill-in-the-middle tokens become control tokens, gpt-oss's harmony markers ({@code <|start|>},
 * {@code <|channel|>}, {@code <|message|>}, {@code <|constrain|>}) user-defined ones (written out
 * in decoded text), and where {@code <|return|>} and {@code <|call|>} end generation, {@code <|end|>}
 * does not (it closes a harmony message, after which the model goes on).
 */
final class SpecialTokens {
    /** GGUF token types. */
    static final int TYPE_NORMAL = 1, TYPE_UNKNOWN = 2, TYPE_CONTROL = 3, TYPE_USER_DEFINED = 4, TYPE_UNUSED = 5, TYPE_BYTE = 6;

    /** Texts llama.cpp takes as end of turn when the file names no tokenizer.ggml.eot_token_id. */
    private static final List<String> EOT_NAMES = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
            "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>");
    /** Texts that end generation in llama.cpp besides eos and eot (its special_eog_ids), all of them control tokens. */
    private static final List<String> EOG_NAMES = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>",
            "<|calls|>", "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>",
            "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~[");
    /** Fill-in-the-middle tokens (prefix, suffix, middle; pad, repository, file separator): control tokens, the last three ending generation. */
    private static final List<List<String>> FIM_NAMES = List.of(
            List.of("<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>"),
            List.of("<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>"),
            List.of("<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>"),
            List.of("<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"),
            List.of("<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"),
            List.of("<|file_sep|>"));
    private static final int FIRST_FIM_ENDING_GENERATION = 3;
    /** gpt-oss's harmony markers, which llama.cpp keeps in decoded text (user-defined). */
    private static final List<String> HARMONY_MARKERS = List.of("<|channel|>", "<|message|>", "<|start|>", "<|constrain|>");

    private final List<String> tokens;
    private final int[] types;
    private final int[] longestFirst;
    private final Set<Integer> endOfGeneration = new HashSet<>();

    /** types is changed as llama.cpp retypes tokens by their text (see the class comment). */
    SpecialTokens(List<String> tokens, int[] types, int eos, int eot) {
        this.tokens = tokens;
        this.types = types;
        for (int kind = 0; kind < FIM_NAMES.size(); kind++) {
            int id = firstNamed(tokens, FIM_NAMES.get(kind));
            if (id < 0) continue;
            types[id] = TYPE_CONTROL;
            if (kind >= FIRST_FIM_ENDING_GENERATION) endOfGeneration.add(id);
        }
        for (int i = 0; i < tokens.size(); i++) {
            if (EOG_NAMES.contains(tokens.get(i))) {
                endOfGeneration.add(i);
                types[i] = TYPE_CONTROL;
            }
        }
        for (int i = 0; i < tokens.size(); i++) if (HARMONY_MARKERS.contains(tokens.get(i))) types[i] = TYPE_USER_DEFINED;
        if (eos >= 0) endOfGeneration.add(eos);
        if (eot >= 0) endOfGeneration.add(eot);
        // A harmony vocabulary (or one with <|calls|> and <|flush|>): <|end|> ends a message, not the generation.
        boolean call = endsByName("<|call|>") || endsByName("<|calls|>");
        if (call && (endsByName("<|return|>") || endsByName("<|flush|>"))) {
            for (int i : idsNamed("<|end|>")) {
                endOfGeneration.remove(i);
                types[i] = TYPE_USER_DEFINED;
            }
        }
        // Gemma 4: </s> is ordinary text where <|tool_response> ends generation.
        if (endsByName("<|tool_response>")) {
            for (int i : idsNamed("</s>")) {
                endOfGeneration.remove(i);
                types[i] = TYPE_NORMAL;
            }
        }
        List<Integer> special = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            if (isSpecial(types[i]) && !tokens.get(i).isEmpty()) special.add(i);
        }
        // Longest in UTF-8 bytes first, as llama.cpp sorts its std::string texts (ties by id; llama.cpp leaves their order unspecified, which only matters for overlapping tokens of equal length).
        special.sort(Comparator.comparingInt((Integer i) -> -tokens.get(i).getBytes(StandardCharsets.UTF_8).length).thenComparingInt(i -> i));
        longestFirst = special.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The end-of-turn token by its name, or -1: the first name of llama.cpp's list the vocabulary
     * has (llama.cpp takes whichever its hash map yields first; all of them end generation, so only
     * which one is called "end of turn" can differ, e.g. Llama 3's <|eot_id|> rather than <|end_of_text|>).
     */
    static int eotByName(List<String> tokens) {
        for (String name : EOT_NAMES) {
            int id = tokens.indexOf(name);
            if (id >= 0) return id;
        }
        return -1;
    }

    // The lowest id whose text is one of names (llama.cpp takes the first its hash map yields; real vocabularies have one).
    private static int firstNamed(List<String> tokens, List<String> names) {
        for (int i = 0; i < tokens.size(); i++) if (names.contains(tokens.get(i))) return i;
        return -1;
    }

    private List<Integer> idsNamed(String name) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) if (tokens.get(i).equals(name)) ids.add(i);
        return ids;
    }

    private boolean endsByName(String name) {
        for (int i : idsNamed(name)) if (endOfGeneration.contains(i)) return true;
        return false;
    }

    boolean endsGeneration(int id) {
        return endOfGeneration.contains(id);
    }

    /** Whether a token of this GGUF type is matched whole in the text (when special tokens are parsed). */
    static boolean isSpecial(int type) {
        return type == TYPE_CONTROL || type == TYPE_USER_DEFINED || type == TYPE_UNKNOWN;
    }

    /** The text cut into raw-text pieces (String) and special tokens (Integer ids), in order; empty pieces left out. */
    List<Object> split(String text) {
        return split(text, true);
    }

    /**
     * As {@link #split(String)}; without parseSpecial only user-defined tokens are taken whole (control
     * and unknown token texts stay text), as llama.cpp's tokenizer does without parse_special.
     */
    /**
     * The segments cut as {@link #split(String, boolean)} cuts each with its own parseSpecial,
     * raw-text pieces that meet at a segment boundary joined into one.
     */
    List<Object> split(List<TextSegment> segments) {
        List<Object> parts = new ArrayList<>();
        for (TextSegment seg : java.util.Objects.requireNonNull(segments, "segments must not be null")) {
            java.util.Objects.requireNonNull(seg, "a segment is null");
            for (Object part : split(seg.text(), seg.parseSpecial())) {
                int last = parts.size() - 1;
                if (part instanceof String s && last >= 0 && parts.get(last) instanceof String prev) parts.set(last, prev + s);
                else parts.add(part);
            }
        }
        return parts;
    }

    List<Object> split(String text, boolean parseSpecial) {
        List<Object> parts = new ArrayList<>();
        if (!text.isEmpty()) parts.add(text);
        for (int id : longestFirst) {
            if (!parseSpecial && types[id] != TYPE_USER_DEFINED) continue;
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
