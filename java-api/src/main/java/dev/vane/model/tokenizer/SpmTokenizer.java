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
 * "llama"}): spaces become U+2581 ("▁"), a "▁" is put before the text, the text is split into
 * characters, and adjacent pieces are merged, the pair whose merged piece has the highest score
 * first (the leftmost on ties), while the merged piece is in the vocabulary. A final piece not in
 * the vocabulary is spelled as its UTF-8 bytes with the byte tokens {@code <0xXX>} (byte
 * fallback), or the unknown token when the vocabulary has no byte tokens.
 */
public final class SpmTokenizer implements Tokenizer {
    static final String SPACE = "\u2581";
    /** GGUF token types. */
    static final int TYPE_CONTROL = 3, TYPE_BYTE = 6;

    private final List<String> tokens;
    private final float[] scores;
    private final int[] types;
    private final Map<String, Integer> ids = new HashMap<>();
    private final int[] byteTokens = new int[256];
    private final int bos, eos, unk;
    private final boolean addSpacePrefix;

    public SpmTokenizer(List<String> tokens, float[] scores, int[] types, int bos, int eos, int unk, boolean addSpacePrefix) {
        this.tokens = List.copyOf(Objects.requireNonNull(tokens, "tokens must not be null"));
        this.scores = scores.clone();
        this.types = types.clone();
        int n = this.tokens.size();
        if (scores.length != n || types.length != n) {
            throw new IllegalArgumentException(n + " tokens but " + scores.length + " scores and " + types.length + " types");
        }
        for (int id : new int[] {bos, eos, unk}) {
            if (id < -1 || id >= n) throw new IllegalArgumentException("special token id " + id + " is outside the vocabulary of " + n);
        }
        this.bos = bos;
        this.eos = eos;
        this.unk = unk;
        this.addSpacePrefix = addSpacePrefix;
        java.util.Arrays.fill(byteTokens, -1);
        for (int i = 0; i < n; i++) {
            String t = this.tokens.get(i);
            ids.putIfAbsent(t, i);
            if (types[i] == TYPE_BYTE && t.length() == 6 && t.startsWith("<0x") && t.endsWith(">")) {
                byteTokens[Integer.parseInt(t.substring(3, 5), 16)] = i;
            }
        }
    }

    /** The tokenizer a GGUF file describes (tokenizer.ggml.* metadata, model "llama"). */
    public static SpmTokenizer fromGguf(GgufFile f) {
        GgufVocab.requireModel(f, "llama", "the SentencePiece-style");
        List<String> tokens = GgufVocab.strings(f, "tokenizer.ggml.tokens");
        float[] scores = new float[tokens.size()];
        if (f.metadata().containsKey("tokenizer.ggml.scores")) {
            List<?> s = f.array("tokenizer.ggml.scores");
            for (int i = 0; i < scores.length && i < s.size(); i++) scores[i] = ((Number) s.get(i)).floatValue();
        }
        Object prefix = f.metadata().get("tokenizer.ggml.add_space_prefix");
        return new SpmTokenizer(tokens, scores, GgufVocab.tokenTypes(f, tokens.size()), GgufVocab.tokenId(f, "tokenizer.ggml.bos_token_id"),
                GgufVocab.tokenId(f, "tokenizer.ggml.eos_token_id"), GgufVocab.tokenId(f, "tokenizer.ggml.unknown_token_id"),
                prefix == null || Boolean.TRUE.equals(prefix));
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

    /** Token ids of text, with the BOS token first when addBos (and the vocabulary has one). */
    @Override
    public int[] encode(String text, boolean addBos) {
        Objects.requireNonNull(text, "text must not be null");
        List<Integer> out = new ArrayList<>();
        if (addBos && bos >= 0) out.add(bos);
        if (!text.isEmpty()) {
            String s = (addSpacePrefix ? " " + text : text).replace(" ", SPACE);
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

    /** The text of token ids: byte tokens as their bytes (UTF-8), "▁" as spaces, control tokens left out. */
    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) bytes.writeBytes(tokenBytes(id));
        String s = bytes.toString(StandardCharsets.UTF_8);
        return addSpacePrefix && s.startsWith(" ") ? s.substring(1) : s;
    }

    @Override
    public byte[] tokenBytes(int id) {
        if (id < 0 || id >= tokens.size()) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + tokens.size());
        if (types[id] == TYPE_CONTROL) return new byte[0];
        String t = tokens.get(id);
        if (types[id] == TYPE_BYTE && t.length() == 6 && t.startsWith("<0x")) return new byte[] {(byte) Integer.parseInt(t.substring(3, 5), 16)};
        return t.replace(SPACE, " ").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return id == eos;
    }
}
