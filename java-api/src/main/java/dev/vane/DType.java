package dev.vane;

/** Element types of a {@link Tensor}; all in native byte order. */
public enum DType {
    /** IEEE binary32: activations and outputs of every Vane kernel. */
    F32(4),
    /** IEEE binary16. */
    F16(2),
    /** bfloat16: the high 16 bits of a binary32. */
    BF16(2),
    /** 32-bit signed integers (token ids, expert ids). */
    I32(4);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }

    /** Whether elements are floating point (read and written as float by {@link Tensor#get}). */
    public boolean isFloatingPoint() {
        return this != I32;
    }
}
