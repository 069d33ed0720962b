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
 * The byte-level BPE tokenizer of GPT-2, Llama 3, Qwen and gpt-oss vocabularies (GGUF {@code
 * tokenizer.ggml.model = "gpt2"}), as llama.cpp runs it: special tokens (control, user-defined,
 * unknown) written in the text are taken whole first (see {@link SpecialTokens}); the text between
 * them is split by the pre-tokenizer's pattern, each piece's UTF-8 bytes are mapped to printable
 * characters (GPT-2's byte-to-unicode table), and adjacent symbols are merged in the order of the
 * merge list (lowest rank first, leftmost on ties) until no listed pair is left. With Llama 3's
 * pre-tokenizer a piece that is itself in the vocabulary is taken whole without merging (Hugging
 * Face's ignore_merges, which llama.cpp follows): some Llama 3 tokens are not what their merges would make.
 */
public final class BpeTokenizer implements Tokenizer {
    /** Pre-tokenizers: how text is split into pieces before merging, as llama.cpp splits it. */
    public enum PreTokenizer {
        /** GPT-2's (llama.cpp "gpt-2"). */
        GPT2(Patterns.GPT2, false, false),
        /** Llama 3's (llama.cpp "llama-bpe"): contractions in either case, digits in runs of up to 3; pieces in the vocabulary taken whole. */
        LLAMA3(Patterns.LLAMA3, true, false),
        /** llama.cpp's default for a file that names no pre-tokenizer: Llama 3's pattern, but always merged. */
        DEFAULT(Patterns.LLAMA3, false, false),
        /** Qwen2, Qwen2.5 and Qwen3's (llama.cpp "qwen2"): Llama 3's pattern with every digit a piece of its own. */
        QWEN2(Patterns.QWEN2, false, false),
        /**
         * The o200k pattern of gpt-oss (llama.cpp "gpt-4o"): words split at lower-to-upper case
         * changes, with a trailing contraction; digits in runs of up to 3; "/" kept with punctuation
         * runs. llama.cpp runs it as a standard regex over a collapsed text (see {@link Collapsed}),
         * in which every non-ASCII letter counts as both upper and lower case; so does Vane.
         */
        GPT4O(Patterns.GPT4O_COLLAPSED, false, true);

        final Pattern pattern;
        final boolean ignoreMerges;
        final boolean collapsed;

        PreTokenizer(String regex, boolean ignoreMerges, boolean collapsed) {
            // UNICODE_CHARACTER_CLASS: \s is Unicode White_Space (llama.cpp's whitespace set). No (?i):
            // with this flag Java would fold case beyond ASCII ('ſ' as 's'), which llama.cpp does not.
            // The collapsed pattern is matched against ASCII and category stand-ins only, with C's \s.
            pattern = Pattern.compile(regex, collapsed ? 0 : Pattern.UNICODE_CHARACTER_CLASS);
            this.ignoreMerges = ignoreMerges;
            this.collapsed = collapsed;
        }

        /** The pre-tokenizer of a tokenizer.ggml.pre name (null: llama.cpp's default). */
        public static PreTokenizer forName(String name) {
            if (name == null || name.equals("default")) return DEFAULT;
            return switch (name) {
                case "llama-bpe", "llama3", "llama-v3" -> LLAMA3;
                case "gpt-2" -> GPT2;
                case "qwen2", "deepseek-r1-qwen" -> QWEN2;
                case "gpt-4o", "llama4" -> GPT4O;
                default -> throw new IllegalArgumentException("tokenizer.ggml.pre '" + name
                        + "' is not a pre-tokenizer Vane has (llama-bpe, gpt-2, qwen2, gpt-4o, default)");
            };
        }

        /** The pieces of text, in order, their concatenation the text (what the pattern leaves between matches is a piece too). */
        List<String> split(String text) {
            List<String> out = new ArrayList<>();
            if (collapsed) {
                Collapsed c = new Collapsed(text);
                Matcher m = pattern.matcher(c.chars);
                int last = 0;
                while (m.find()) {
                    if (m.start() > last) out.add(c.original(last, m.start()));
                    out.add(c.original(m.start(), m.end()));
                    last = m.end();
                }
                if (last < c.chars.length()) out.add(c.original(last, c.chars.length()));
                return out;
            }
            Matcher m = pattern.matcher(text);
            int last = 0;
            while (m.find()) {
                if (m.start() > last) out.add(text.substring(last, m.start()));
                out.add(m.group());
                last = m.end();
            }
            if (last < text.length()) out.add(text.substring(last));
            return out;
        }
    }

    /**
     * Text as llama.cpp's general regex path sees it (unicode_regex_split with a pattern that names
     * Unicode categories): one char per code point, ASCII kept, every other code point replaced by a
     * stand-in for its class: white space by U+000B (a C isspace character), numbers by U+00D1,
     * letters by U+00D2, punctuation by U+00D3, marks by U+00D4, symbols by U+00D5, anything else by
     * U+00D0. The pattern is written against these stand-ins, and matches map back to code points.
     */
    static final class Collapsed {
        static final char NUMBER = '\u00D1', LETTER = '\u00D2';
        final String chars;
        private final String text;
        private final int[] offsets;  // offsets[i]: where code point i starts in text; offsets[n] = text.length()

        Collapsed(String text) {
            this.text = text;
            int n = text.codePointCount(0, text.length());
            offsets = new int[n + 1];
            StringBuilder s = new StringBuilder(n);
            int at = 0;
            for (int i = 0; i < n; i++) {
                offsets[i] = at;
                int cp = text.codePointAt(at);
                s.append(standIn(cp));
                at += Character.charCount(cp);
            }
            offsets[n] = at;
            chars = s.toString();
        }

        String original(int from, int to) {
            return text.substring(offsets[from], offsets[to]);
        }

        static char standIn(int cp) {
            if (cp < 128) return (char) cp;
            if (Patterns.isWhitespace(cp)) return (char) 0x0B;
            return switch (Character.getType(cp)) {
                case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
                case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER, Character.MODIFIER_LETTER,
                        Character.OTHER_LETTER -> LETTER;
                case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                        Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> '\u00D3';
                case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> '\u00D4';
                case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> '\u00D5';
                default -> '\u00D0';
            };
        }
    }

    private static final class Patterns {
        static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
        // Hugging Face's Llama 3 pattern with its (?i:'s|'t|...) spelled out for ASCII only, as llama.cpp adapted it.
        static final String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
                + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
        // Qwen2's: Llama 3's with single digits.
        static final String QWEN2 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
                + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
        // llama.cpp's spelling of the o200k pattern (upper case as "a letter that is not a-z", lower case
        // as "a letter that is not A-Z"), with \p{L} and \p{N} as the collapsed text's classes:
        // ASCII letters or the letter stand-in, ASCII digits or the number stand-in.
        private static final String L = "A-Za-z\\x{D2}", N = "0-9\\x{D1}";
        private static final String CONTRACTION = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?";
        private static final String UPPER = "(?=[" + L + "])[^a-z]", LOWER = "(?=[" + L + "])[^A-Z]";
        static final String GPT4O_COLLAPSED = "[^\\r\\n" + L + N + "]?(?:" + UPPER + ")*(?:" + LOWER + ")+" + CONTRACTION
                + "|[^\\r\\n" + L + N + "]?(?:" + UPPER + ")+(?:" + LOWER + ")*" + CONTRACTION
                + "|[" + N + "]{1,3}| ?[^\\s" + L + N + "]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

        // Unicode White_Space, llama.cpp's whitespace set.
        static boolean isWhitespace(int cp) {
            return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A)
                    || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
        }
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

    /** The tokenizer a GGUF file describes (model "gpt2"; tokenizer.ggml.pre "llama-bpe", "gpt-2", "qwen2", "gpt-4o" or none). */
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

    @Override
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        Objects.requireNonNull(text, "text must not be null");
        return encodeParts(special.split(text, parseSpecial), addBos);
    }

    @Override
    public int[] encode(List<TextSegment> segments, boolean addBos) {
        return encodeParts(special.split(segments), addBos);
    }

    // Raw-text pieces (String) and special tokens (Integer ids), as SpecialTokens.split cuts them, to ids.
    private int[] encodeParts(List<Object> parts, boolean addBos) {
        List<Integer> out = new ArrayList<>();
        if (addBos && bos >= 0) out.add(bos);
        for (Object part : parts) {
            if (part instanceof Integer id) {
                out.add(id);
                continue;
            }
            for (String piece0 : pre.split((String) part)) {
                String word = byteLevel(piece0.getBytes(StandardCharsets.UTF_8));
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
                        if (b == null) throw new IllegalArgumentException("byte character '" + piece.charAt(i) + "' of '" + piece0 + "' is not in the vocabulary");
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

    /** The text cut at its special tokens as encode cuts it (raw text as String, tokens as Integer ids). */
    List<Object> specialParts(String text) {
        return special.split(text);
    }

    /** The GGUF type of token id as this tokenizer uses it (after llama.cpp's retyping by text, see {@link SpecialTokens}). */
    int type(int id) {
        return types[id];
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return special.endsGeneration(id);
    }
}
