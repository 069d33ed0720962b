package dev.vane;

/** Element types of a {@link Tensor}. */
public enum DType {
    /** IEEE binary32, native byte order. */
    F32(4);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }
}
