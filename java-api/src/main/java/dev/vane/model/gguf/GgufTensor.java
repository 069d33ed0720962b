package dev.vane.model.gguf;

import dev.vane.QuantizedMatrix;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One tensor of a GGUF file: its name, its shape in GGUF's order (ne[0] varies fastest: a matrix
 * [rows, cols] is {@code ne = {cols, rows}}), its type, and its bytes, a zero-copy slice of the
 * mapped file.
 */
public record GgufTensor(String name, long[] ne, GgmlType type, long fileOffset, MemorySegment data) {
    public GgufTensor {
        ne = ne.clone();
    }

    @Override
    public long[] ne() {
        return ne.clone();
    }

    public long elementCount() {
        long n = 1;
        for (long d : ne) n *= d;
        return n;
    }

    /** Columns (ne[0]). */
    public long cols() {
        return ne[0];
    }

    /** Rows: the product of ne[1..]. */
    public long rows() {
        return elementCount() / Math.max(1, ne[0]);
    }

    /**
     * The tensor as a [rows, cols] matrix for Vane's kernels, zero-copy (every type with a
     * {@link GgmlType#vaneFormat()} shares GGUF's bytes). The file must stay open while the matrix is used.
     */
    public QuantizedMatrix matrix() {
        if (type.vaneFormat() == null) {
            throw new IllegalArgumentException("tensor '" + name + "' is " + type + ", which Vane's kernels do not take as it is"
                    + " (see GgmlType.vaneFormat for the types they do)");
        }
        if (ne.length > 2 && Arrays.stream(ne, 2, ne.length).anyMatch(d -> d != 1)) {
            throw new IllegalArgumentException("tensor '" + name + "' has shape " + Arrays.toString(ne) + ", not a matrix");
        }
        return QuantizedMatrix.wrap(type.vaneFormat(), data, rows(), cols());
    }

    @Override
    public String toString() {
        return "GgufTensor[" + name + " " + type + " ne=" + Arrays.toString(ne) + ", " + data.byteSize() + " bytes at " + fileOffset + "]";
    }
}
