package dev.vane.model.tokenizer;

import dev.vane.model.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Hugging Face tokenizer.json (and the tokenizer_config.json beside it, when there) into a
 * {@link Vocabulary} in GGUF's terms, as llama.cpp's convert_hf_to_gguf.py would write it:
 * <ul>
 *   <li>Llama 2 / Gemma style: model BPE with byte_fallback and SentencePiece's "▁" for spaces (a
 *       Prepend + Replace normalizer, a Replace normalizer alone, or a Metaspace pre-tokenizer)
 *       becomes a SentencePiece-style vocabulary ("llama"), <0xXX> tokens as byte tokens; a "▁" put
 *       before the text only where the normalizer or pre-tokenizer prepends one (Gemma's does not).</li>
 *   <li>GPT-2 / Llama 3 / Qwen / gpt-oss style: byte-level BPE (a ByteLevel pre-tokenizer, with a
 *       Split pattern or GPT-2's) becomes a "gpt2" vocabulary with its merges and llama.cpp's name of
 *       the pattern: pre "llama-bpe", "qwen2", "gpt-4o" or "gpt-2".</li>
 * </ul>
 * Added tokens marked special, or that look special to the converter ({@code <|...|>},
 * {@code <unused...>}, {@code <pad>}, {@code <mask>}, ...), become control tokens, the others
 * user-defined, with "▁" written back as a space (both kinds are matched whole in text, as
 * llama.cpp does); in a SentencePiece-style vocabulary they score -1000, as the converter gives
 * them. Ids without a token become "[PAD<id>]" of type unused. BOS/EOS come from
 * tokenizer_config.json, else from the post-processor's template, else from the usual names; end
 * of turn from its name ({@code <|eot_id|>}, {@code <|im_end|>}, ...). The converter also
 * round-trips an added token that Hugging Face does not normalize through encode and decode; the
 * vocabularies Vane reads come back unchanged from that, so it is not done here.
 */
public final class HfTokenizerJson {
    /** Hugging Face's Llama 3 pre-tokenizer pattern, which llama.cpp calls "llama-bpe". */
    static final String LLAMA3_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Qwen2's (also Qwen2.5 and Qwen3): Llama 3's with single digits; llama.cpp's "qwen2". */
    static final String QWEN2_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** OpenAI's o200k pattern as gpt-oss's tokenizer.json spells it; llama.cpp's "gpt-4o". */
    static final String O200K_PATTERN = "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
            + "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Added tokens convert_hf_to_gguf.py takes as control tokens whatever their "special" flag says. */
    private static final List<String> LOOK_SPECIAL = List.of("<pad>", "<mask>", "<2mass>", "[@BOS@]");
    /** The score the converter gives added tokens of a SentencePiece-style vocabulary. */
    static final float ADDED_TOKEN_SCORE = -1000f;
    private static final List<String> BOS_NAMES = List.of("<s>", "<|begin_of_text|>", "<bos>");
    private static final List<String> EOS_NAMES = List.of("</s>", "<|end_of_text|>", "<eos>", "<|endoftext|>");

    /** The most ids below the highest one that may be absent (real vocabularies have a few, from padding). */
    static final int MAX_MISSING_IDS = 1 << 16;

    private HfTokenizerJson() {}

    /** The Split regex tokenizer.json spells for llama.cpp's byte-level pre-tokenizer pre ("llama-bpe", "qwen2" or "gpt-4o"). */
    public static String splitPattern(String pre) {
        return switch (pre) {
            case "llama-bpe" -> LLAMA3_PATTERN;
            case "qwen2" -> QWEN2_PATTERN;
            case "gpt-4o" -> O200K_PATTERN;
            default -> throw new IllegalArgumentException("no tokenizer.json Split pattern is known for pre-tokenizer '" + pre
                    + "' (known: llama-bpe, qwen2, gpt-4o)");
        };
    }

    /** The vocabulary of a tokenizer.json file; a tokenizer_config.json in the same folder adds BOS/EOS and add_bos_token. */
    public static Vocabulary read(Path tokenizerJson) throws IOException {
        Path config = tokenizerJson.resolveSibling("tokenizer_config.json");
        return parse(Files.readString(tokenizerJson), Files.isRegularFile(config) ? Files.readString(config) : null);
    }

    /** The vocabulary of tokenizer.json text, with tokenizer_config.json text or null. */
    public static Vocabulary parse(String tokenizerJson, String tokenizerConfig) {
        Map<String, Object> root = object(Json.parse(tokenizerJson), "the whole file");
        Map<String, Object> config = tokenizerConfig == null ? Map.of() : object(Json.parse(tokenizerConfig), "tokenizer_config.json as a whole");
        Map<String, Object> model = object(root.get("model"), "model");
        if (!"BPE".equals(model.get("type"))) {
            throw new IllegalArgumentException("tokenizer.json model.type is " + model.get("type") + "; Vane reads BPE (Llama 2 style with byte_fallback, or byte-level as GPT-2 / Llama 3)");
        }
        boolean byteLevel = hasType(root.get("pre_tokenizer"), "ByteLevel");
        boolean metaspace = hasType(root.get("pre_tokenizer"), "Metaspace") || replacesSpaces(root.get("normalizer"));
        if (!byteLevel && !metaspace) {
            throw new IllegalArgumentException("tokenizer.json is neither byte-level BPE (a ByteLevel pre-tokenizer) nor SentencePiece-style (spaces as '\u2581' by a Metaspace pre-tokenizer or Replace normalizer)");
        }

        // Tokens by id: the model's vocabulary, then the added tokens (which may extend it).
        Map<String, Object> vocab = object(model.get("vocab"), "model.vocab");
        Map<Integer, String> byId = new HashMap<>();
        vocab.forEach((text, id) -> byId.put(id(id, "model.vocab['" + text + "']"), text));
        Map<Integer, Boolean> added = new HashMap<>();  // id -> special
        for (Object o : list(root.getOrDefault("added_tokens", List.of()), "added_tokens")) {
            Map<String, Object> t = object(o, "an added_tokens entry");
            int id = id(t.get("id"), "added_tokens id");
            byId.put(id, string(t.get("content"), "added_tokens content"));
            added.put(id, Boolean.TRUE.equals(t.get("special")));
        }
        int n = byId.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        // Holes are filled with [PAD] tokens; a hostile id (say 2^31 - 2) would otherwise allocate gigabytes here.
        if (n - byId.size() > MAX_MISSING_IDS) {
            throw new IllegalArgumentException("tokenizer.json: the highest token id is " + (n - 1) + " but only " + byId.size() + " tokens are given; at most "
                    + MAX_MISSING_IDS + " ids may be missing");
        }
        List<String> tokens = new ArrayList<>(n);
        int[] types = new int[n];
        int unk = model.get("unk_token") instanceof String u ? indexOf(byId, u) : -1;
        for (int i = 0; i < n; i++) {
            String text = byId.get(i);
            if (text == null) {  // a hole in the ids: filled as convert_hf_to_gguf.py does
                tokens.add("[PAD" + i + "]");
                types[i] = SpecialTokens.TYPE_UNUSED;
                continue;
            }
            if (added.containsKey(i) && !(added.get(i) || looksSpecial(text))) {
                types[i] = SpecialTokens.TYPE_USER_DEFINED;
                text = text.replace("\u2581", " ");  // the converter writes user-defined tokens with real spaces
            } else if (added.containsKey(i)) {
                types[i] = SpecialTokens.TYPE_CONTROL;
            } else if (i == unk) {
                types[i] = SpecialTokens.TYPE_UNKNOWN;
            } else if (!byteLevel && text.matches("<0x[0-9A-Fa-f]{2}>")) {
                types[i] = SpecialTokens.TYPE_BYTE;
            } else {
                types[i] = SpecialTokens.TYPE_NORMAL;
            }
            tokens.add(text);
        }

        List<String> merges = merges(model.get("merges"));
        int bos = specialId(config.get("bos_token"), tokens, "bos_token");
        if (bos < 0) bos = templateFirst(root.get("post_processor"), tokens);
        if (bos < 0) bos = firstNamed(tokens, types, BOS_NAMES);
        int eos = specialId(config.get("eos_token"), tokens, "eos_token");
        if (eos < 0) eos = firstNamed(tokens, types, EOS_NAMES);
        // Whether BOS is added: tokenizer_config.json's add_bos_token, else whether the post-processor's template
        // starts with it, else what llama.cpp assumes for this kind of vocabulary (its converter writes no key
        // then): SentencePiece-style and Llama 3's yes, other byte-level ones no (gpt-oss, whose template adds none).
        Boolean addBos = config.get("add_bos_token") instanceof Boolean b ? b : templateFirst(root.get("post_processor"), tokens) >= 0 ? Boolean.TRUE : null;
        int eot = SpecialTokens.eotByName(tokens);
        if (byteLevel) {
            String pre = preName(root.get("pre_tokenizer"));
            boolean add = addBos != null ? addBos : Vocabulary.llamaCppAddsBos(Vocabulary.BPE, pre) && bos >= 0;
            return new Vocabulary(Vocabulary.BPE, pre, tokens, null, types, merges, bos, eos, eot, unk, add, false);
        }
        float[] scores = scoresFromMerges(tokens, merges);
        for (int id : added.keySet()) scores[id] = ADDED_TOKEN_SCORE;
        return new Vocabulary(Vocabulary.SPM, null, tokens, scores, types, List.of(), bos, eos, eot, unk, addBos != null ? addBos : bos >= 0,
                prependsSpace(root.get("normalizer"), root.get("pre_tokenizer")));
    }

    // convert_hf_to_gguf.py's does_token_look_special.
    static boolean looksSpecial(String t) {
        return LOOK_SPECIAL.contains(t) || (t.startsWith("<|") && t.endsWith("|>")) || (t.startsWith("<｜") && t.endsWith("｜>"))
                || (t.startsWith("<unused") && t.endsWith(">"));
    }

    /**
     * SentencePiece scores for a vocabulary that tokenizer.json keeps as BPE merges (it has no
     * scores). The SentencePiece-style algorithm merges the adjacent pair whose merged token has the
     * highest score; BPE merges the pair of lowest merge rank. Hugging Face made these merge lists
     * from SentencePiece models by listing, merged token by merged token in score order, every split
     * of a token into two tokens; so a token's first merge rank orders tokens as their scores did,
     * and score = -(first rank) makes both algorithms take the same merges. Tokens no merge makes
     * (characters, bytes, special tokens) get the lowest score, -(merge count): they are never
     * produced by merging in BPE, so they come last here too.
     */
    static float[] scoresFromMerges(List<String> tokens, List<String> merges) {
        Map<String, Integer> firstRank = new HashMap<>();
        for (int r = 0; r < merges.size(); r++) {
            String m = merges.get(r);
            int cut = m.indexOf(' ', 1);
            firstRank.putIfAbsent(m.substring(0, cut) + m.substring(cut + 1), r);
        }
        float[] scores = new float[tokens.size()];
        Arrays.fill(scores, -merges.size());
        for (int i = 0; i < scores.length; i++) {
            Integer r = firstRank.get(tokens.get(i));
            if (r != null) scores[i] = -r;
        }
        return scores;
    }

    // Merges as "left right", from either form tokenizer.json uses: "a b" strings or ["a", "b"] pairs.
    private static List<String> merges(Object o) {
        List<Object> list = list(o == null ? List.of() : o, "model.merges");
        List<String> out = new ArrayList<>(list.size());
        for (Object m : list) {
            if (m instanceof String s && s.indexOf(' ', 1) > 0) {
                out.add(s);
            } else if (m instanceof List<?> pair && pair.size() == 2 && pair.get(0) instanceof String a && pair.get(1) instanceof String b && !a.isEmpty()) {
                if (a.contains(" ") || b.contains(" ")) throw new IllegalArgumentException("merge " + pair + " has a space in a token, which GGUF's 'left right' form cannot hold");
                out.add(a + " " + b);
            } else {
                throw new IllegalArgumentException("model.merges entry " + out.size() + " is " + m + ", not 'left right' or [left, right]");
            }
        }
        return out;
    }

    // llama.cpp's pre-tokenizer name for a byte-level pre_tokenizer.
    private static String preName(Object pre) {
        List<String> patterns = new ArrayList<>();
        collectSplitPatterns(pre, patterns);
        if (patterns.equals(List.of(LLAMA3_PATTERN))) return "llama-bpe";
        if (patterns.equals(List.of(QWEN2_PATTERN))) return "qwen2";
        if (patterns.equals(List.of(O200K_PATTERN))) return "gpt-4o";
        if (patterns.isEmpty() && usesGpt2Regex(pre)) return "gpt-2";
        throw new IllegalArgumentException("tokenizer.json's byte-level pre-tokenizer splits by " + (patterns.isEmpty() ? "no Split pattern" : patterns)
                + "; Vane has Llama 3's pattern, Qwen2's, the o200k one of gpt-oss and GPT-2's (a ByteLevel pre-tokenizer with use_regex)");
    }

    private static void collectSplitPatterns(Object node, List<String> out) {
        if (!(node instanceof Map<?, ?> m)) return;
        if ("Split".equals(m.get("type")) && m.get("pattern") instanceof Map<?, ?> p && p.get("Regex") instanceof String r) out.add(r);
        if (m.get("pretokenizers") instanceof List<?> l) for (Object o : l) collectSplitPatterns(o, out);
    }

    private static boolean usesGpt2Regex(Object node) {
        if (!(node instanceof Map<?, ?> m)) return false;
        if ("ByteLevel".equals(m.get("type"))) return !Boolean.FALSE.equals(m.get("use_regex"));
        if (m.get("pretokenizers") instanceof List<?> l) for (Object o : l) if (usesGpt2Regex(o)) return true;
        return false;
    }

    // Whether a normalizer replaces " " by "▁" (Llama 2's Sequence[Prepend, Replace]).
    private static boolean replacesSpaces(Object node) {
        if (!(node instanceof Map<?, ?> m)) return false;
        if ("Replace".equals(m.get("type")) && m.get("pattern") instanceof Map<?, ?> p && " ".equals(p.get("String")) && "\u2581".equals(m.get("content"))) return true;
        if (m.get("normalizers") instanceof List<?> l) for (Object o : l) if (replacesSpaces(o)) return true;
        return false;
    }

    // Whether "▁" is put before the text: a Prepend normalizer, or a Metaspace that prepends.
    private static boolean prependsSpace(Object normalizer, Object pre) {
        return hasMatching(normalizer, m -> "Prepend".equals(m.get("type")) && "\u2581".equals(m.get("prepend")))
                || hasMatching(pre, m -> "Metaspace".equals(m.get("type"))
                        && (m.containsKey("prepend_scheme") ? !"never".equals(m.get("prepend_scheme")) : !Boolean.FALSE.equals(m.get("add_prefix_space"))));
    }

    private static boolean hasType(Object node, String type) {
        return hasMatching(node, m -> type.equals(m.get("type")));
    }

    // Whether node or a component of it (a Sequence's normalizers / pretokenizers) matches.
    private static boolean hasMatching(Object node, java.util.function.Predicate<Map<?, ?>> test) {
        if (!(node instanceof Map<?, ?> m)) return false;
        if (test.test(m)) return true;
        for (String key : List.of("normalizers", "pretokenizers")) {
            if (m.get(key) instanceof List<?> l) for (Object o : l) if (hasMatching(o, test)) return true;
        }
        return false;
    }

    // The first special token of a TemplateProcessing post-processor's "single" template (BOS), or -1.
    private static int templateFirst(Object post, List<String> tokens) {
        if (!(post instanceof Map<?, ?> m)) return -1;
        if ("TemplateProcessing".equals(m.get("type")) && m.get("single") instanceof List<?> single && !single.isEmpty()
                && single.get(0) instanceof Map<?, ?> first && first.get("SpecialToken") instanceof Map<?, ?> st && st.get("id") instanceof String name) {
            return tokens.indexOf(name);
        }
        if (m.get("processors") instanceof List<?> l) {
            for (Object o : l) {
                int id = templateFirst(o, tokens);
                if (id >= 0) return id;
            }
        }
        return -1;
    }

    // tokenizer_config.json's bos_token / eos_token: a string, or an object with "content"; -1 if absent.
    private static int specialId(Object value, List<String> tokens, String key) {
        if (value instanceof Map<?, ?> m) value = m.get("content");
        if (value == null) return -1;
        if (!(value instanceof String s)) throw new IllegalArgumentException("tokenizer_config.json " + key + " is " + value + ", not a token text");
        int id = tokens.indexOf(s);
        if (id < 0) throw new IllegalArgumentException("tokenizer_config.json " + key + " '" + s + "' is not in the vocabulary");
        return id;
    }

    // The first of names that is a control token (a byte-level vocabulary may hold "<s>" as ordinary text), or -1.
    private static int firstNamed(List<String> tokens, int[] types, List<String> names) {
        for (String name : names) {
            int id = tokens.indexOf(name);
            if (id >= 0 && types[id] == SpecialTokens.TYPE_CONTROL) return id;
        }
        return -1;
    }

    private static int indexOf(Map<Integer, String> byId, String text) {
        for (Map.Entry<Integer, String> e : byId.entrySet()) if (e.getValue().equals(text)) return e.getKey();
        throw new IllegalArgumentException("tokenizer.json model.unk_token '" + text + "' is not in the vocabulary");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object o, String what) {
        if (!(o instanceof Map)) throw new IllegalArgumentException("tokenizer.json: " + what + " is " + describe(o) + ", not an object");
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o, String what) {
        if (!(o instanceof List)) throw new IllegalArgumentException("tokenizer.json: " + what + " is " + describe(o) + ", not an array");
        return (List<Object>) o;
    }

    private static String string(Object o, String what) {
        if (!(o instanceof String s)) throw new IllegalArgumentException("tokenizer.json: " + what + " is " + describe(o) + ", not a string");
        return s;
    }

    private static int id(Object o, String what) {
        if (!(o instanceof Long l) || l < 0 || l > Integer.MAX_VALUE - 1) throw new IllegalArgumentException("tokenizer.json: " + what + " is " + describe(o) + ", not a token id");
        return (int) (long) l;
    }

    private static String describe(Object o) {
        return o == null ? "missing (or null)" : o instanceof String s ? "'" + s + "'" : o.getClass().getSimpleName();
    }
}
