package dev.vane.model;

/**
 * The ranges Vane accepts for the sizes a model's metadata gives (GGUF keys, config.json
 * fields), checked as each key is read so that the message names it, before anything is sized
 * by it: the layer count sizes per-layer arrays, the dims and vocabulary size the activation
 * buffers and the logits, the expert count the routing buffers. Each bound is far above every
 * published model (docs/RELIABILITY.md, "Limits from metadata") and keeps products such as
 * vocab x dim or experts x ffn x dim inside long arithmetic. The context length is not bounded
 * here: a file may declare a 1M-token context and still load; a session's KV cache is sized by
 * {@link SessionOptions} and checked against the machine's memory ({@link KvBudget}).
 */
final class MetadataLimits {
    private MetadataLimits() {}

    static final int MAX_DIM = 1 << 16;
    static final int MAX_LAYERS = 1024;
    static final int MAX_HEADS = 1024;
    static final int MAX_HEAD_DIM = 512;  // libvane's attention kernels
    static final int MAX_FFN = 1 << 18;
    static final int MAX_VOCAB = 1 << 22;
    static final int MAX_EXPERTS = 1024;
    static final int MAX_WINDOW = 1 << 24;  // a sliding window past any context is no window; KvCache sizes windows in ints

    /**
     * v as an int, or a {@link ModelFormatException} naming the key when it is outside min..max.
     *
     * @param key the key as the file spells it ("llama.expert_count", "config.json num_local_experts")
     */
    static int check(String key, long v, long min, long max) {
        if (v < min || v > max) {
            throw new ModelFormatException(key + " = " + v + " is outside " + min + ".." + max + ", the range Vane accepts (docs/RELIABILITY.md, \"Limits from metadata\")");
        }
        return (int) v;
    }
}
