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

    /**
     * Token ids of text, with the BOS token first when addBos (and the vocabulary has one); special
     * tokens written in the text (e.g. "<|im_start|>") are parsed, as prompts rendered by a chat
     * template need.
     */
    default int[] encode(String text, boolean addBos) {
        return encode(text, addBos, true);
    }

    /**
     * Token ids of text, as llama.cpp's llama_tokenize(text, addBos, parseSpecial): without
     * parseSpecial the text of control tokens stays text (how text a user typed should be
     * encoded), while user-defined tokens (e.g. Qwen's "<think>") are still taken whole.
     */
    int[] encode(String text, boolean addBos, boolean parseSpecial);

    /**
     * Token ids of the segments' concatenated text, each segment's special-token text parsed or
     * not as it says. Special tokens are matched within each segment; the raw text between them is
     * then tokenized as one stretch even where it spans segments, so a prompt without special-token
     * text in its contents gets the ids of {@code encode(String.join("", texts), addBos, true)}.
     */
    int[] encode(java.util.List<TextSegment> segments, boolean addBos);

    /** The text of token ids (control tokens left out). */
    String decode(int[] ids);

    /**
     * The bytes token id stands for in decoded text (empty for control tokens). A UTF-8 character
     * may be split over several tokens; {@link TextStream} joins them when streaming.
     */
    byte[] tokenBytes(int id);

    /** Whether id ends generation by itself (end of sequence, end of turn). */
    boolean isEndOfGeneration(int id);

    /**
     * The tokenizer a GGUF file names in tokenizer.ggml.model: "llama" (SentencePiece-style: Llama 2,
     * Gemma) or "gpt2" (byte-level BPE: Llama 3, Qwen2/2.5/3, gpt-oss, by tokenizer.ggml.pre).
     */
    static Tokenizer fromGguf(GgufFile f) {
        return Vocabulary.fromGguf(f).tokenizer();
    }

    /**
     * The tokenizer a Hugging Face tokenizer.json describes (SentencePiece-style BPE with byte
     * fallback as Llama 2 and Gemma, or byte-level BPE as GPT-2, Llama 3, Qwen and gpt-oss); see
     * {@link HfTokenizerJson}.
     */
    static Tokenizer fromTokenizerJson(Path tokenizerJson) throws IOException {
        return HfTokenizerJson.read(tokenizerJson).tokenizer();
    }
}
