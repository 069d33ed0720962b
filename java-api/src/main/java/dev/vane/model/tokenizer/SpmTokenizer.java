package dev.vane.model.tokenizer;

import dev.vane.model.gguf.GgufFile;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * The SentencePiece-style tokenizer of Llama vocabularies (GGUF {@code tokenizer.ggml.model =
 * "llama"}), as llama.cpp runs it: special tokens (control, user-defined, unknown) written in the
 * text are taken whole first (see {@link SpecialTokens}); in each stretch of text between them,
 * spaces become U+2581 ("▁"), a "▁" is put before the stretch when it starts the text or follows a
 * special token (llama.cpp's add_space_prefix), the stretch is split into characters, and adjacent
 * pieces are merged, the pair whose merged piece has the highest score first (the leftmost on
 * ties), while the merged piece is in the vocabulary. A final piece not in the vocabulary is
 * spelled as its UTF-8 bytes with the byte tokens {@code <0xXX>} (byte fallback), or the unknown
 * token when the vocabulary has no byte tokens.
 */
public final class SpmTokenizer implements Tokenizer {
    static final String SPACE = "\u2581";
    private static final int TYPE_BYTE = SpecialTokens.TYPE_BYTE;

    private final List<String> tokens;
    private final float[] scores;
    private final int[] types;
    private final Map<String, Integer> ids = new HashMap<>();
    private final int[] byteTokens = new int[256];
    private final int bos, eos, unk;
    private final boolean addSpacePrefix;
    private final SpecialTokens special;

    public SpmTokenizer(List<String> tokens, float[] scores, int[] types, int bos, int eos, int unk, boolean addSpacePrefix) {
        this(tokens, scores, types, bos, eos, unk, addSpacePrefix, -1);
    }

    /** eot: an end-of-turn token that also ends generation, or -1. */
    public SpmTokenizer(List<String> tokens, float[] scores, int[] types, int bos, int eos, int unk, boolean addSpacePrefix, int eot) {
        this.tokens = List.copyOf(Objects.requireNonNull(tokens, "tokens must not be null"));
        this.scores = scores.clone();
        this.types = types.clone();
        int n = this.tokens.size();
        if (scores.length != n || types.length != n) {
            throw new IllegalArgumentException(n + " tokens but " + scores.length + " scores and " + types.length + " types");
        }
        for (int id : new int[] {bos, eos, unk, eot}) {
            if (id < -1 || id >= n) throw new IllegalArgumentException("special token id " + id + " is outside the vocabulary of " + n);
        }
        this.bos = bos;
        this.eos = eos;
        this.unk = unk;
        this.addSpacePrefix = addSpacePrefix;
        this.special = new SpecialTokens(this.tokens, this.types, eos, eot);
        java.util.Arrays.fill(byteTokens, -1);
        for (int i = 0; i < n; i++) {
            String t = this.tokens.get(i);
            ids.put(t, i);  // a text listed twice means its last id, as in llama.cpp's token_to_id
            if (types[i] == TYPE_BYTE && t.length() == 6 && t.startsWith("<0x") && t.endsWith(">")) {
                byteTokens[Integer.parseInt(t.substring(3, 5), 16)] = i;
            }
        }
    }

    /** The tokenizer a GGUF file describes (tokenizer.ggml.* metadata, model "llama"). */
    public static SpmTokenizer fromGguf(GgufFile f) {
        GgufVocab.requireModel(f, "llama", "the SentencePiece-style");
        return (SpmTokenizer) Vocabulary.fromGguf(f).tokenizer();
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

    public String piece(int id) {
        return tokens.get(id);
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
        boolean afterSpecial = true;  // the start of the text counts as after a special token
        for (Object part : parts) {
            if (part instanceof Integer id) {
                out.add(id);
                afterSpecial = true;
                continue;
            }
            String s = (addSpacePrefix && afterSpecial ? " " + part : (String) part).replace(" ", SPACE);
            afterSpecial = false;
            for (String piece : merge(s)) {
                Integer id = ids.get(piece);
                if (id != null) {
                    out.add(id);
                    continue;
                }
                for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {  // byte fallback
                    int t = byteTokens[b & 0xff];
                    if (t < 0) {
                        if (unk < 0) throw new IllegalArgumentException("'" + piece + "' is not in the vocabulary, which has neither byte tokens nor an unknown token");
                        out.add(unk);
                        break;
                    }
                    out.add(t);
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    // The pieces of s after the highest-score-first merges.
    private List<String> merge(String s) {
        List<String> sym = new ArrayList<>();
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i), len = Character.charCount(cp);
            sym.add(s.substring(i, i + len));
            i += len;
        }
        int n = sym.size();
        int[] prev = new int[n], next = new int[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        String[] text = sym.toArray(new String[0]);
        record Pair(int left, int right, float score, String merged) {}
        PriorityQueue<Pair> queue = new PriorityQueue<>((a, b) -> a.score() != b.score() ? Float.compare(b.score(), a.score()) : Integer.compare(a.left(), b.left()));
        java.util.function.BiConsumer<Integer, Integer> offer = (l, r) -> {
            if (l < 0 || r < 0) return;
            String m = text[l] + text[r];
            Integer id = ids.get(m);
            if (id != null) queue.add(new Pair(l, r, scores[id], m));
        };
        for (int i = 0; i + 1 < n; i++) offer.accept(i, i + 1);
        while (!queue.isEmpty()) {
            Pair p = queue.poll();
            // Stale: a side was merged away or changed since the pair was queued.
            if (text[p.left()] == null || text[p.right()] == null || next[p.left()] != p.right() || !(text[p.left()] + text[p.right()]).equals(p.merged())) continue;
            text[p.left()] = p.merged();
            text[p.right()] = null;
            next[p.left()] = next[p.right()];
            if (next[p.right()] >= 0) prev[next[p.right()]] = p.left();
            offer.accept(prev[p.left()], p.left());
            offer.accept(p.left(), next[p.left()]);
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i >= 0 && i < n; i = next[i]) if (text[i] != null) out.add(text[i]);
        return out;
    }

    /**
     * The text of token ids: byte tokens as their bytes (UTF-8), "▁" as spaces, control tokens left
     * out. With add_space_prefix, the space encode put before the text and after each special
     * token is taken off again, so that decode(encode(text)) is the text without its control tokens.
     */
    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean afterSpecial = true;
        for (int id : ids) {
            byte[] b = tokenBytes(id);
            int skip = addSpacePrefix && afterSpecial && b.length > 0 && b[0] == ' ' ? 1 : 0;
            bytes.write(b, skip, b.length - skip);
            afterSpecial = SpecialTokens.isSpecial(types[id]);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** As llama.cpp's token_to_piece: control tokens empty, byte tokens their byte, user-defined and unknown tokens their text, normal ones with "▁" as space. */
    @Override
    public byte[] tokenBytes(int id) {
        if (id < 0 || id >= tokens.size()) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + tokens.size());
        String t = tokens.get(id);
        return switch (types[id]) {
            case SpecialTokens.TYPE_NORMAL -> t.replace(SPACE, " ").getBytes(StandardCharsets.UTF_8);
            case SpecialTokens.TYPE_BYTE -> t.length() == 6 && t.startsWith("<0x") ? new byte[] {(byte) Integer.parseInt(t.substring(3, 5), 16)} : t.getBytes(StandardCharsets.UTF_8);
            case SpecialTokens.TYPE_USER_DEFINED, SpecialTokens.TYPE_UNKNOWN -> t.getBytes(StandardCharsets.UTF_8);
            default -> new byte[0];  // control, unused, undefined: nothing in the text
        };
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
