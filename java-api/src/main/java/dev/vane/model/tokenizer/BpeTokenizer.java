package dev.vane.model.tokenizer;

import dev.vane.model.gguf.GgufFile;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The byte-level BPE tokenizer of GPT-2 and Llama 3 vocabularies (GGUF {@code tokenizer.ggml.model
 * = "gpt2"}), as llama.cpp runs it: special tokens (control, user-defined, unknown) written in the
 * text are taken whole first (see {@link SpecialTokens}); the text between them is split by the
 * pre-tokenizer's pattern, each piece's UTF-8 bytes are mapped to printable characters (GPT-2's
 * byte-to-unicode table), and adjacent symbols are merged in the order of the merge list (lowest
 * rank first, leftmost on ties) until no listed pair is left. With Llama 3's pre-tokenizer a piece
 * that is itself in the vocabulary is taken whole without merging (Hugging Face's ignore_merges,
 * which llama.cpp follows): some Llama 3 tokens are not what their merges would make.
 */
public final class BpeTokenizer implements Tokenizer {
    /** Pre-tokenizer patterns: how text is split before merging. */
    public enum PreTokenizer {
        /** GPT-2's (llama.cpp "gpt-2"). */
        GPT2("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+", false),
        /** Llama 3's (llama.cpp "llama-bpe"): contractions in either case, digits in runs of up to 3; pieces in the vocabulary taken whole. */
        LLAMA3(Patterns.LLAMA3, true),
        /** llama.cpp's default for a file that names no pre-tokenizer: Llama 3's pattern, but always merged. */
        DEFAULT(Patterns.LLAMA3, false);

        final Pattern pattern;
        final boolean ignoreMerges;

        PreTokenizer(String regex, boolean ignoreMerges) {
            // UNICODE_CHARACTER_CLASS: \s is Unicode White_Space (llama.cpp's whitespace set). No (?i):
            // with this flag Java would fold case beyond ASCII ('ſ' as 's'), which llama.cpp does not.
            pattern = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
            this.ignoreMerges = ignoreMerges;
        }

        /** The pre-tokenizer of a tokenizer.ggml.pre name (null: llama.cpp's default). */
        public static PreTokenizer forName(String name) {
            if (name == null || name.equals("default")) return DEFAULT;
            return switch (name) {
                case "llama-bpe", "llama3", "llama-v3" -> LLAMA3;
                case "gpt-2" -> GPT2;
                default -> throw new IllegalArgumentException("tokenizer.ggml.pre '" + name + "' is not a pre-tokenizer Vane has (llama-bpe, gpt-2, default)");
            };
        }
    }

    private static final class Patterns {
        // Hugging Face's Llama 3 pattern with its (?i:'s|'t|...) spelled out for ASCII only, as llama.cpp adapted it.
        static final String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
                + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    }

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final Map<Character, Integer> CHAR_TO_BYTE = new HashMap<>();

    static {
        // GPT-2: printable bytes map to themselves, the rest to 256, 257, ... in byte order.
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_TO_CHAR[b] = (char) (printable ? b : next++);
            CHAR_TO_BYTE.put(BYTE_TO_CHAR[b], b);
        }
    }

    /** Bytes as GPT-2's byte-level characters (how byte-level BPE vocabularies spell tokens). */
    public static String byteLevel(byte[] bytes) {
        StringBuilder s = new StringBuilder(bytes.length);
        for (byte b : bytes) s.append(BYTE_TO_CHAR[b & 0xff]);
        return s.toString();
    }

    private final List<String> tokens;
    private final Map<String, Integer> ids = new HashMap<>();
    private final Map<String, Integer> ranks = new HashMap<>();  // "left right" -> rank
    private final int[] types;
    private final PreTokenizer pre;
    private final SpecialTokens special;

    private final int bos, eos;

    public BpeTokenizer(List<String> tokens, int[] types, List<String> merges, PreTokenizer pre, int bos, int eos) {
        this(tokens, types, merges, pre, bos, eos, -1);
    }

    /** eot: an end-of-turn token that also ends generation (Llama 3's {@code <|eot_id|>}), or -1. */
    public BpeTokenizer(List<String> tokens, int[] types, List<String> merges, PreTokenizer pre, int bos, int eos, int eot) {
        this.tokens = List.copyOf(Objects.requireNonNull(tokens, "tokens must not be null"));
        this.types = types.clone();
        if (types.length != this.tokens.size()) throw new IllegalArgumentException(this.tokens.size() + " tokens but " + types.length + " types");
        this.pre = Objects.requireNonNull(pre, "pre must not be null");
        for (int id : new int[] {bos, eos, eot}) {
            if (id < -1 || id >= this.tokens.size()) throw new IllegalArgumentException("special token id " + id + " is outside the vocabulary");
        }
        this.bos = bos;
        this.eos = eos;
        this.special = new SpecialTokens(this.tokens, this.types, eos, eot);
        for (int i = 0; i < this.tokens.size(); i++) ids.put(this.tokens.get(i), i);  // a text listed twice means its last id, as in llama.cpp
        for (int r = 0; r < merges.size(); r++) {
            String m = merges.get(r);
            // Split at the first space after the first character, as llama.cpp does.
            if (m.indexOf(' ', 1) < 0) throw new IllegalArgumentException("merge " + r + " is not 'left right': " + m);
            ranks.putIfAbsent(m, r);
        }
    }

    /** The tokenizer a GGUF file describes (model "gpt2"; tokenizer.ggml.pre "llama-bpe", "gpt-2" or none). */
    public static BpeTokenizer fromGguf(GgufFile f) {
        GgufVocab.requireModel(f, "gpt2", "the byte-level BPE");
        return (BpeTokenizer) Vocabulary.fromGguf(f).tokenizer();
    }

    @Override
    public int vocabSize() {
        return tokens.size();
    }

    @Override
    public int bos() {
        return bos;
    }

    @Override
    public int eos() {
        return eos;
    }

    /** Token ids of text, with the BOS token first when addBos (and the vocabulary has one). */
    @Override
    public int[] encode(String text, boolean addBos) {
        Objects.requireNonNull(text, "text must not be null");
        List<Integer> out = new ArrayList<>();
        if (addBos && bos >= 0) out.add(bos);
        for (Object part : special.split(text)) {
            if (part instanceof Integer id) {
                out.add(id);
                continue;
            }
            Matcher m = pre.pattern.matcher((String) part);
            while (m.find()) {
                String word = byteLevel(m.group().getBytes(StandardCharsets.UTF_8));
                Integer whole = pre.ignoreMerges ? ids.get(word) : null;
                if (whole != null) {
                    out.add(whole);
                    continue;
                }
                for (String piece : merge(word)) {
                    Integer id = ids.get(piece);
                    if (id != null) {
                        out.add(id);
                        continue;
                    }
                    // Merges only make listed tokens, so this is a single byte character the vocabulary lacks.
                    for (int i = 0; i < piece.length(); i++) {
                        Integer b = ids.get(String.valueOf(piece.charAt(i)));
                        if (b == null) throw new IllegalArgumentException("byte character '" + piece.charAt(i) + "' of '" + m.group() + "' is not in the vocabulary");
                        out.add(b);
                    }
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    // Lowest-rank merges of adjacent symbols, leftmost first among equal ranks.
    private List<String> merge(String word) {
        List<String> sym = new ArrayList<>();
        for (int i = 0; i < word.length(); i++) sym.add(String.valueOf(word.charAt(i)));
        while (sym.size() > 1) {
            int best = -1, bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < sym.size(); i++) {
                Integer r = ranks.get(sym.get(i) + " " + sym.get(i + 1));
                if (r != null && r < bestRank) {
                    bestRank = r;
                    best = i;
                }
            }
            if (best < 0) break;
            sym.set(best, sym.get(best) + sym.get(best + 1));
            sym.remove(best + 1);
        }
        return sym;
    }

    /** The text of token ids (control tokens left out). */
    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) bytes.writeBytes(tokenBytes(id));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** As llama.cpp's token_to_piece: control tokens empty, user-defined and unknown tokens their text, normal ones byte-level decoded. */
    @Override
    public byte[] tokenBytes(int id) {
        if (id < 0 || id >= tokens.size()) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + tokens.size());
        String t = tokens.get(id);
        switch (types[id]) {
            case SpecialTokens.TYPE_NORMAL -> {
                byte[] out = new byte[t.length()];
                for (int i = 0; i < t.length(); i++) {
                    Integer b = CHAR_TO_BYTE.get(t.charAt(i));
                    if (b == null) throw new IllegalArgumentException("token " + id + " holds '" + t.charAt(i) + "', not a byte-level character");
                    out[i] = (byte) (int) b;
                }
                return out;
            }
            case SpecialTokens.TYPE_USER_DEFINED, SpecialTokens.TYPE_UNKNOWN -> {
                return t.getBytes(StandardCharsets.UTF_8);  // written as plain text, not byte-mapped
            }
            default -> {
                return new byte[0];  // control, unused, undefined: nothing in the text
            }
        }
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return special.endsGeneration(id);
    }
}
