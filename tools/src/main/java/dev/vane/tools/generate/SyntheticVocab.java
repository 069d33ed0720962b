package dev.vane.tools.generate;

import dev.vane.model.tokenizer.BpeTokenizer;
import dev.vane.model.tokenizer.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small valid vocabulary for generated models: special tokens, the 256 byte tokens, English
 * words and their prefixes (so ordinary text tokenizes into word pieces), then seeded random
 * pieces up to the requested size. Every piece is reachable by merges from single characters,
 * as both tokenizer kinds require.
 */
public record SyntheticVocab(List<String> tokens, float[] scores, int[] types, List<String> merges, int bos, int eos, int unk) {
    static final int MIN_SPM = 3 + 256 + 64, MIN_BPE = 256 + 2 + 64;
    static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, BYTE = 6;

    private static final String WORDS = "the of and to in is was he for it with as his on be at by had are but from or have an they"
            + " which one you were her all she there would their we him been has when who will more no if out so said what up its about"
            + " into than them can only other new some could time these two may then do first any my now such like our over man me even"
            + " most made after also did many before must through back years where much your way well down should because each just"
            + " those people how too little state good very make world still own see men work long get here between both life being under"
            + " never day same another know while last might us great old year off come since against go came right used take three"
            + " Vane model token kernel Java memory fast language light water house small place end found hand high part";
    private static final String CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?'\"-:;()";

    /** A SentencePiece-style vocabulary: <unk> <s> </s>, <0x00>..<0xFF>, "▁" pieces; scores favour earlier pieces. */
    public static SyntheticVocab spm(int size, long seed) {
        if (size < MIN_SPM) throw new IllegalArgumentException("an SPM vocabulary needs at least " + MIN_SPM + " tokens");
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<Integer> types = new ArrayList<>(List.of(UNKNOWN, CONTROL, CONTROL));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types.add(BYTE);
        }
        LinkedHashSet<String> pieces = pieces("\u2581", size - tokens.size(), seed);
        for (String p : pieces) {
            tokens.add(p);
            types.add(NORMAL);
        }
        float[] scores = new float[tokens.size()];
        for (int i = 0; i < scores.length; i++) scores[i] = types.get(i) == NORMAL ? -i : 0f;
        return new SyntheticVocab(List.copyOf(tokens), scores, types.stream().mapToInt(Integer::intValue).toArray(), List.of(), 1, 2, 0);
    }

    /**
     * A byte-level BPE vocabulary: the 256 byte-level characters, merged pieces (each added with the
     * merge that makes it), then <|begin_of_text|> and <|end_of_text|>.
     */
    public static SyntheticVocab bpe(int size, long seed) {
        if (size < MIN_BPE) throw new IllegalArgumentException("a BPE vocabulary needs at least " + MIN_BPE + " tokens");
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) tokens.add(BpeTokenizer.byteLevel(new byte[] {(byte) b}));
        LinkedHashSet<String> known = new LinkedHashSet<>(tokens);
        List<String> merges = new ArrayList<>();
        String space = BpeTokenizer.byteLevel(" ".getBytes(StandardCharsets.UTF_8));
        for (String p : pieces(space, size - 2 - 256, seed)) {
            String mapped = BpeTokenizer.byteLevel(p.replace(space, " ").getBytes(StandardCharsets.UTF_8));
            // The piece is made by merging its longest known prefix with the rest, if the rest is known too.
            for (int cut = mapped.length() - 1; cut > 0; cut--) {
                String left = mapped.substring(0, cut), right = mapped.substring(cut);
                if (known.contains(left) && known.contains(right) && known.add(mapped)) {
                    merges.add(left + " " + right);
                    tokens.add(mapped);
                    break;
                }
            }
            if (tokens.size() == size - 2) break;
        }
        int filler = 0;
        while (tokens.size() < size - 2) {  // rare: too few pieces were new; pad with unreachable, still unique tokens
            String t = "<|reserved_" + filler++ + "|>";
            if (known.add(t)) tokens.add(t);
        }
        int[] types = new int[size];
        java.util.Arrays.fill(types, NORMAL);
        tokens.add("<|begin_of_text|>");
        tokens.add("<|end_of_text|>");
        types[size - 2] = CONTROL;
        types[size - 1] = CONTROL;
        for (int i = 0; i < size - 2; i++) if (tokens.get(i).startsWith("<|reserved_")) types[i] = CONTROL;
        return new SyntheticVocab(List.copyOf(tokens), new float[size], types, List.copyOf(merges), size - 2, size - 1, -1);
    }

    /** This {@link #spm} vocabulary as a GGUF "llama" vocabulary (BOS added; spacePrefix: the add_space_prefix setting, false for Gemma). */
    public Vocabulary spmVocabulary(boolean spacePrefix) {
        return new Vocabulary(Vocabulary.SPM, null, tokens, scores, types, List.of(), bos, eos, -1, unk, true, spacePrefix);
    }

    /** This {@link #bpe} vocabulary as a GGUF "gpt2" vocabulary with pre-tokenizer pre ("llama-bpe", "qwen2", "gpt-4o"). */
    public Vocabulary bpeVocabulary(String pre, boolean addBos) {
        return new Vocabulary(Vocabulary.BPE, pre, tokens, null, types, merges, bos, eos, -1, unk, addBos, false);
    }

    // Single characters, words with a leading space mark and all their prefixes, then random
    // concatenations of a known piece and a character, until `count` distinct pieces.
    private static LinkedHashSet<String> pieces(String space, int count, long seed) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        out.add(space);
        for (char c : CHARS.toCharArray()) out.add(String.valueOf(c));
        for (String w : WORDS.split(" ")) {
            String word = space + w;
            for (int end = 2; end <= word.length(); end++) out.add(word.substring(0, end));
            for (int end = 2; end <= w.length(); end++) out.add(w.substring(0, end));
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<String> list = new ArrayList<>(out);
        int guard = 0;
        while (out.size() < count + 64 && guard++ < count * 20) {
            String base = list.get(random.nextInt(list.size()));
            if (base.length() >= 10) continue;
            String next = base + CHARS.charAt(random.nextInt(26));
            if (out.add(next)) list.add(next);
        }
        LinkedHashSet<String> cut = new LinkedHashSet<>();
        for (String p : out) {
            if (cut.size() == count) break;
            cut.add(p);
        }
        return cut;
    }
}
