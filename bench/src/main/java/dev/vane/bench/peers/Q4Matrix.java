package dev.vane.bench.peers;

/**
 * A Q4_0 weight matrix [n, k] on the Java heap, the way pure-Java engines hold GGUF weights:
 * 18-byte blocks of 32 weights (fp16 scale d, then 16 bytes of nibbles; byte j holds element j
 * in its low nibble and j + 16 in its high nibble; weight = (nibble - 8) * d). The peers below
 * read it as those engines do.
 */
public record Q4Matrix(byte[] blocks, int n, int k) {
    public static final int BLOCK = 32;
    public static final int BLOCK_BYTES = 18;

    public Q4Matrix {
        if (k % BLOCK != 0) throw new IllegalArgumentException("k must be a multiple of 32, got " + k);
        if (blocks.length != (long) n * (k / BLOCK) * BLOCK_BYTES) {
            throw new IllegalArgumentException("expected " + (long) n * (k / BLOCK) * BLOCK_BYTES + " bytes, got " + blocks.length);
        }
    }

    float scale(int row, int block) {
        int off = (row * (k / BLOCK) + block) * BLOCK_BYTES;
        return Float.float16ToFloat((short) ((blocks[off] & 0xFF) | (blocks[off + 1] << 8)));
    }

    int blockOffset(int row, int block) {
        return (row * (k / BLOCK) + block) * BLOCK_BYTES + 2;
    }
}
