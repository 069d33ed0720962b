package dev.vane.model.grammar;

import dev.vane.model.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A test tokenizer over given token bytes (empty bytes: a control token); eos ends generation. */
final class ByteVocabulary implements Tokenizer {
    private final List<byte[]> tokens;
    private final int eos;

    ByteVocabulary(List<byte[]> tokens, int eos) {
        this.tokens = tokens;
        this.eos = eos;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return tokens.size();
    }

    @Override
    public int bos() {
        return -1;
    }

    @Override
    public int eos() {
        return eos;
    }

    @Override
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        throw new UnsupportedOperationException("a test vocabulary does not encode");
    }

    @Override
    public int[] encode(java.util.List<dev.vane.model.tokenizer.TextSegment> segments, boolean addBos) {
        throw new UnsupportedOperationException("a test vocabulary does not encode");
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int id : ids) b.writeBytes(tokens.get(id));
        return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] tokenBytes(int id) {
        return tokens.get(id).clone();
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return id == eos;
    }
}
