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
 * = "gpt2"}): the text is split by the pre-tokenizer's pattern, each piece's UTF-8 bytes are
 * mapped to printable characters (GPT-2's byte-to-unicode table), and adjacent symbols are merged
 * in the order of the merge list (lowest rank first, leftmost on ties) until no listed pair is left.
 */
public final class BpeTokenizer implements Tokenizer {
    /** Pre-tokenizer patterns: how text is split before merging. */
    public enum PreTokenizer {
        /** GPT-2's. */
        GPT2("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"),
        /** Llama 3's (llama.cpp "llama-bpe"): contractions case-insensitive, digits in runs of up to 3. */
        LLAMA3("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");

        final Pattern pattern;

        PreTokenizer(String regex) {
            pattern = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
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
    private static final int TYPE_USER_DEFINED = 4;

    private final int bos, eos, eot;

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
        this.eot = eot;
        for (int i = 0; i < this.tokens.size(); i++) ids.putIfAbsent(this.tokens.get(i), i);
        for (int r = 0; r < merges.size(); r++) {
            String m = merges.get(r);
            if (m.indexOf(' ') <= 0) throw new IllegalArgumentException("merge " + r + " is not 'left right': " + m);
            ranks.putIfAbsent(m, r);
        }
    }

    /** The tokenizer a GGUF file describes (model "gpt2"; tokenizer.ggml.pre "llama-bpe" or others, else GPT-2's pattern). */
    public static BpeTokenizer fromGguf(GgufFile f) {
        GgufVocab.requireModel(f, "gpt2", "the byte-level BPE");
        List<String> tokens = GgufVocab.strings(f, "tokenizer.ggml.tokens");
        Object preName = f.metadata().get("tokenizer.ggml.pre");
        PreTokenizer pre = "llama-bpe".equals(preName) || "llama3".equals(preName) ? PreTokenizer.LLAMA3 : PreTokenizer.GPT2;
        return new BpeTokenizer(tokens, GgufVocab.tokenTypes(f, tokens.size()), GgufVocab.strings(f, "tokenizer.ggml.merges"), pre,
                GgufVocab.tokenId(f, "tokenizer.ggml.bos_token_id"), GgufVocab.tokenId(f, "tokenizer.ggml.eos_token_id"),
                GgufVocab.tokenId(f, "tokenizer.ggml.eot_token_id"));
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
        Matcher m = pre.pattern.matcher(text);
        while (m.find()) {
            for (String piece : merge(byteLevel(m.group().getBytes(StandardCharsets.UTF_8)))) {
                Integer id = ids.get(piece);
                if (id == null) throw new IllegalArgumentException("piece '" + piece + "' of '" + m.group() + "' is not in the vocabulary");
                out.add(id);
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

    /** The text of token ids (control tokens, GGUF type 3, left out). */
    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) bytes.writeBytes(tokenBytes(id));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] tokenBytes(int id) {
        if (id < 0 || id >= tokens.size()) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + tokens.size());
        if (types[id] == SpmTokenizer.TYPE_CONTROL) return new byte[0];
        String t = tokens.get(id);
        if (types[id] == TYPE_USER_DEFINED) return t.getBytes(StandardCharsets.UTF_8);  // written as plain text, not byte-mapped
        byte[] out = new byte[t.length()];
        for (int i = 0; i < t.length(); i++) {
            Integer b = CHAR_TO_BYTE.get(t.charAt(i));
            if (b == null) throw new IllegalArgumentException("token " + id + " holds '" + t.charAt(i) + "', not a byte-level character");
            out[i] = (byte) (int) b;
        }
        return out;
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return id == eos || id == eot;
    }
}
