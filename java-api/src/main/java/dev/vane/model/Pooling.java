package dev.vane.model;

/** How an embedding is made from a text's per-token hidden states ({@link Model#embed}). */
public enum Pooling {
    /** The average over every token, BOS included (llama.cpp's mean pooling). */
    MEAN,
    /** The last token's (what a decoder-only model has read the whole text by). */
    LAST,
    /** The first token's, the BOS (the CLS position of encoder models). */
    FIRST
}
