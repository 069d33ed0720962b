package dev.vane.model.tokenizer;

import dev.vane.model.gguf.GgufFile;
import java.io.IOException;
import java.nio.file.Path;

/** Text to token ids and back, for a model's vocabulary. Implementations are immutable and thread-safe. */
public interface Tokenizer {
    int vocabSize();

    /** The beginning-of-sequence token, or -1 if the vocabulary has none. */
    int bos();

    /** The end-of-sequence token, or -1 if the vocabulary has none. */
    int eos();

    /** Token ids of text, with the BOS token first when addBos (and the vocabulary has one). */
    int[] encode(String text, boolean addBos);

    /** The text of token ids (control tokens left out). */
    String decode(int[] ids);

    /**
     * The bytes token id stands for in decoded text (empty for control tokens). A UTF-8 character
     * may be split over several tokens; {@link TextStream} joins them when streaming.
     */
    byte[] tokenBytes(int id);

    /** Whether id ends generation by itself (end of sequence, end of turn). */
    boolean isEndOfGeneration(int id);

    /** The tokenizer a GGUF file names in tokenizer.ggml.model: "llama" (SentencePiece-style) or "gpt2" (byte-level BPE). */
    static Tokenizer fromGguf(GgufFile f) {
        return Vocabulary.fromGguf(f).tokenizer();
    }

    /**
     * The tokenizer a Hugging Face tokenizer.json describes (Llama 2 style SentencePiece BPE with
     * byte fallback, or GPT-2 / Llama 3 byte-level BPE); see {@link HfTokenizerJson}.
     */
    static Tokenizer fromTokenizerJson(Path tokenizerJson) throws IOException {
        return HfTokenizerJson.read(tokenizerJson).tokenizer();
    }
}
