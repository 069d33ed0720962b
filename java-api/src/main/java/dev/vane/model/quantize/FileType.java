package dev.vane.model.quantize;

import dev.vane.model.gguf.GgmlType;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * llama.cpp's file types (the {@code LLAMA_FTYPE_*} ids a GGUF file stores in
 * {@code general.file_type}): a name for a mix of tensor types, with the type most tensors get.
 * These are the file types whose tensors need no importance matrix and whose types Vane reads.
 */
public enum FileType {
    ALL_F32(0, GgmlType.F32, "F32"),
    MOSTLY_F16(1, GgmlType.F16, "F16"),
    Q4_0(2, GgmlType.Q4_0),
    Q4_1(3, GgmlType.Q4_1),
    Q8_0(7, GgmlType.Q8_0),
    Q5_0(8, GgmlType.Q5_0),
    Q5_1(9, GgmlType.Q5_1),
    Q2_K(10, GgmlType.Q2_K),
    Q3_K_S(11, GgmlType.Q3_K),
    Q3_K_M(12, GgmlType.Q3_K, "Q3_K_M", "Q3_K"),
    Q3_K_L(13, GgmlType.Q3_K),
    Q4_K_S(14, GgmlType.Q4_K),
    Q4_K_M(15, GgmlType.Q4_K, "Q4_K_M", "Q4_K"),
    Q5_K_S(16, GgmlType.Q5_K),
    Q5_K_M(17, GgmlType.Q5_K, "Q5_K_M", "Q5_K"),
    Q6_K(18, GgmlType.Q6_K),
    IQ4_NL(25, GgmlType.IQ4_NL),
    IQ4_XS(30, GgmlType.IQ4_XS),
    BF16(32, GgmlType.BF16),
    /** Expert tensors (3-D) in MXFP4, every other quantized tensor in Q8_0. */
    MXFP4_MOE(38, GgmlType.MXFP4);

    private final int id;
    private final GgmlType defaultType;
    private final String[] names;

    FileType(int id, GgmlType defaultType, String... names) {
        this.id = id;
        this.defaultType = defaultType;
        this.names = names.length > 0 ? names : new String[] {name()};
    }

    /** The {@code LLAMA_FTYPE_*} id. */
    public int id() {
        return id;
    }

    /** The type of the tensors no rule singles out. */
    public GgmlType defaultType() {
        return defaultType;
    }

    /** Whether the default type is a block format; F32, F16 and BF16 files convert every tensor alike. */
    public boolean quantized() {
        return defaultType.blockElements() > 1;
    }

    /** The name llama-quantize takes for this file type (Q4_K_M, F16, ...). */
    public String llamaName() {
        return names[0];
    }

    /** The file type with this id, or null. */
    public static FileType ofId(int id) {
        for (FileType t : values()) if (t.id == id) return t;
        return null;
    }

    /**
     * The file type llama-quantize means by {@code name}: its names (Q4_K_M, F16, F32, BF16, ...)
     * and aliases (Q3_K, Q4_K, Q5_K for the _M mixes) in any case, this enum's names, or an id.
     */
    public static FileType named(String name) {
        String n = name.strip().toUpperCase(Locale.ROOT);
        for (FileType t : values()) {
            if (t.name().equals(n) || Arrays.asList(t.names).contains(n)) return t;
        }
        if (!n.isEmpty() && n.chars().allMatch(c -> c >= '0' && c <= '9') && n.length() < 10) {
            FileType t = ofId(Integer.parseInt(n));
            if (t != null) return t;
        }
        throw new IllegalArgumentException("unknown file type '" + name + "'; known: "
                + Arrays.stream(values()).map(FileType::llamaName).collect(Collectors.joining(", ")));
    }
}
