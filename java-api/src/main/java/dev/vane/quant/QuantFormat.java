package dev.vane.quant;

/**
 * Weight formats of Vane. A matrix is [rows, cols] row-major (rows = N outputs, cols = K inputs);
 * docs/FORMATS.md gives every byte layout. Ids match VANE_FORMAT_* in vane.h and never change.
 */
public enum QuantFormat {
    F32(0, "f32", 1, 4),
    F16(1, "f16", 1, 2),
    BF16(2, "bf16", 1, 2),
    /** FP8 E4M3 codes, then one f32 scale per row (planar). */
    FP8_E4M3_ROW(3, "fp8_e4m3_row", 1, 0),
    /** FP8 E4M3 codes, then one f32 scale per 128x128 tile (planar), as weight_scale_inv. */
    FP8_E4M3_B128(4, "fp8_e4m3_b128", 128, 128),
    INT4_SYM_G32(5, "int4_sym_g32", 32, 18),
    INT4_SYM_G64(6, "int4_sym_g64", 64, 34),
    INT4_SYM_G128(7, "int4_sym_g128", 128, 66),
    INT4_ASYM_G32(8, "int4_asym_g32", 32, 20),
    INT4_ASYM_G64(9, "int4_asym_g64", 64, 36),
    INT4_ASYM_G128(10, "int4_asym_g128", 128, 68),
    INT8_G32(11, "int8_g32", 32, 36),
    INT8_G64(12, "int8_g64", 64, 68),
    INT8_G128(13, "int8_g128", 128, 132),
    /** GGUF Q4_0, byte-for-byte as llama.cpp. */
    Q4_0(14, "q4_0", 32, 18),
    /** GGUF Q8_0, byte-for-byte as llama.cpp. */
    Q8_0(15, "q8_0", 32, 34),
    /**
     * Q4_0 repacked for speed: the same values and bytes, rows in groups of 8 (rows must be a
     * multiple of 8) stored 8 rows x 32 columns at a time, so the GEMV reads 8 rows' scales in one
     * load. Made by {@link Quantizer#repack} from Q4_0 (a model file's tensors) or by quantizing.
     */
    Q4_0_X8(16, "q4_0x8", 32, 18),
    /** GGUF Q4_1: 4-bit codes with an fp16 scale and minimum per 32. */
    Q4_1(17, "q4_1", 32, 20),
    /** GGUF Q5_0: 5-bit codes (4 + 1 high bit) with an fp16 scale per 32. */
    Q5_0(18, "q5_0", 32, 22),
    /** GGUF Q5_1: 5-bit codes with an fp16 scale and minimum per 32. */
    Q5_1(19, "q5_1", 32, 24),
    /** GGUF Q2_K: 256-column super-blocks of 2-bit codes with 4-bit scales and minimums per 16. */
    Q2_K(20, "q2_k", 256, 84),
    /** GGUF Q3_K: 3-bit codes with 6-bit scales per 16. */
    Q3_K(21, "q3_k", 256, 110),
    /** GGUF Q4_K: 4-bit codes with 6-bit scales and minimums per 32. */
    Q4_K(22, "q4_k", 256, 144),
    /** GGUF Q5_K: 5-bit codes with 6-bit scales and minimums per 32. */
    Q5_K(23, "q5_k", 256, 176),
    /** GGUF Q6_K: 6-bit codes with 8-bit scales per 16. */
    Q6_K(24, "q6_k", 256, 210),
    /** GGUF IQ4_NL: 4-bit indices into a fixed non-linear table, an fp16 scale per 32. */
    IQ4_NL(25, "iq4_nl", 32, 18),
    /** GGUF IQ4_XS: IQ4_NL's table in 256-column super-blocks with 6-bit scales per 32. */
    IQ4_XS(26, "iq4_xs", 256, 136),
    /** GGUF MXFP4 (gpt-oss): E2M1 codes with an E8M0 power-of-two scale per 32. */
    MXFP4(27, "mxfp4", 32, 17),
    /**
     * Q4_K repacked for speed: the same values, rows in groups of 8 (rows must be a multiple of 8)
     * stored 8 rows x 256 columns at a time with the 6-bit scales and minimums unpacked to bytes,
     * so the GEMV reads 8 rows' scales in one load: 148 bytes per row and 256 columns (Q4_K: 144).
     * Made by {@link Quantizer#repack} from Q4_K (a model file's tensors) or by quantizing.
     */
    Q4_K_X8(28, "q4_kx8", 256, 148),
    /**
     * Q6_K repacked for speed: the same values, rows in groups of 8 (rows must be a multiple of 8)
     * stored 8 rows x 256 columns at a time, the 8 rows' scales of a sub-block side by side and
     * the 6-bit codes packed 4 to 3 bytes so one load gives 4 columns of 8 rows: 210 bytes per
     * row and 256 columns, as Q6_K. Made by {@link Quantizer#repack} from Q6_K or by quantizing.
     */
    Q6_K_X8(29, "q6_kx8", 256, 210),
    /**
     * IQ4_XS repacked for speed: the same values, rows in groups of 8 (rows must be a multiple of
     * 8) stored 8 rows x 256 columns at a time with the 6-bit scales decoded to bytes (ls - 32), so
     * the GEMV reads 8 rows' scales in one load: 138 bytes per row and 256 columns (IQ4_XS: 136).
     * Made by {@link Quantizer#repack} from IQ4_XS (a model file's tensors) or by quantizing.
     */
    IQ4_XS_X8(30, "iq4_xsx8", 256, 138),
    /**
     * IQ4_NL repacked for speed: the same bytes (18 per row and 32 columns) in {@link #Q4_0_X8}'s
     * layout, rows in groups of 8 (rows must be a multiple of 8). Made by {@link Quantizer#repack}
     * from IQ4_NL (a model file's tensors) or by quantizing.
     */
    IQ4_NL_X8(31, "iq4_nlx8", 32, 18);

    private final int id;
    private final String formatName;
    private final int blockElems;
    private final int blockBytes;
    private final boolean planar;
    private final int scaleRows;
    private final int scaleCols;

    /**
     * Block formats: (elements per block, bytes per block). Unscaled formats: (1, bytes per
     * element). Planar FP8: (tile rows, tile cols), 0 cols meaning a whole row.
     */
    QuantFormat(int id, String formatName, int a, int b) {
        this.id = id;
        this.formatName = formatName;
        this.planar = formatName.startsWith("fp8");
        this.blockElems = planar ? 1 : a;
        this.blockBytes = planar ? 1 : b;
        this.scaleRows = planar ? a : 0;
        this.scaleCols = planar ? b : 0;
    }

    /** The VANE_FORMAT_* id. */
    public int id() {
        return id;
    }

    /** Stable lower-case name, as libvane reports it (e.g. "int4_asym_g64"). */
    public String formatName() {
        return formatName;
    }

    /** cols must be a multiple of this. */
    public int blockElements() {
        return blockElems;
    }

    /** Bytes per block (per element for unscaled and planar formats). */
    public int blockBytes() {
        return blockBytes;
    }

    /** True for FP8 formats: all codes first, then the f32 scales from a 64-byte boundary. */
    public boolean planar() {
        return planar;
    }

    /** Planar: rows per scale tile (0 for block formats). */
    public int scaleRows() {
        return scaleRows;
    }

    /** Planar: cols per scale tile, 0 = a whole row (0 for block formats). */
    public int scaleCols() {
        return scaleCols;
    }

    /**
     * Bytes of a [rows, cols] matrix in this format.
     *
     * @throws IllegalArgumentException for negative dims, cols not a multiple of the block, or a size past 2^60
     */
    public long byteSize(long rows, long cols) {
        checkShape(rows, cols);
        if (!planar) return rows * (cols / blockElems) * blockBytes;
        return scalesOffset(rows, cols) + 4L * scaleCount(rows, cols);
    }

    /** Planar formats: byte offset of the f32 scales (rows*cols rounded up to 64). */
    public long scalesOffset(long rows, long cols) {
        requirePlanar();
        checkShape(rows, cols);
        return (rows * cols + 63) / 64 * 64;
    }

    /** Planar formats: number of f32 scales. */
    public long scaleCount(long rows, long cols) {
        requirePlanar();
        checkShape(rows, cols);
        if (rows == 0 || cols == 0) return 0;
        long tileCols = scaleCols == 0 ? cols : scaleCols;
        return ceilDiv(rows, scaleRows) * ceilDiv(cols, tileCols);
    }

    /**
     * Alignment the packed bytes must start at: that of the widest field (f32 values and scales: 4;
     * fp16 values and block scales: 2; MXFP4, all bytes: 1). Blocks within a row follow each other
     * without padding.
     */
    public int byteAlignment() {
        return switch (this) {
            case F32, INT8_G32, INT8_G64, INT8_G128, FP8_E4M3_ROW, FP8_E4M3_B128 -> 4;
            case MXFP4 -> 1;
            default -> 2;
        };
    }

    /** Rows must be a multiple of this: 8 for the repacked formats ({@link #repackedFormat()}), 1 for every other format. */
    public int rowGroup() {
        return this == Q4_0_X8 || this == Q4_K_X8 || this == Q6_K_X8 || this == IQ4_XS_X8 || this == IQ4_NL_X8 ? 8 : 1;
    }

    /**
     * The layout of the same values that {@link Quantizer#repack} makes of this format for the
     * faster kernels ({@link #Q4_0_X8} for Q4_0, {@link #Q4_K_X8} for Q4_K, {@link #Q6_K_X8} for
     * Q6_K, {@link #IQ4_XS_X8} for IQ4_XS, {@link #IQ4_NL_X8} for IQ4_NL; rows a multiple of 8),
     * or null when there is none.
     */
    public QuantFormat repackedFormat() {
        return switch (this) {
            case Q4_0 -> Q4_0_X8;
            case Q4_K -> Q4_K_X8;
            case Q6_K -> Q6_K_X8;
            case IQ4_XS -> IQ4_XS_X8;
            case IQ4_NL -> IQ4_NL_X8;
            default -> null;
        };
    }

    /** Average bytes per weight for a large matrix (scales included). */
    public double bytesPerWeight() {
        if (planar) return 1.0 + (scaleCols == 0 ? 0.0 : 4.0 / ((double) scaleRows * scaleCols));
        return (double) blockBytes / blockElems;
    }

    private void requirePlanar() {
        if (!planar) throw new IllegalStateException(formatName + " keeps its scales inside its blocks; only FP8 formats are planar");
    }

    void checkShape(long rows, long cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("rows and cols must be >= 0, got [" + rows + ", " + cols + "]");
        }
        if (cols % blockElems != 0) {
            throw new IllegalArgumentException("cols (K) = " + cols + " is not a multiple of the " + formatName
                    + " block size " + blockElems);
        }
        if (rows % rowGroup() != 0) {
            throw new IllegalArgumentException("rows = " + rows + " is not a multiple of " + rowGroup() + " (" + formatName
                    + " stores rows in groups of " + rowGroup() + ")");
        }
        if (cols > 0 && rows > (1L << 60) / cols) {
            throw new IllegalArgumentException("matrix [" + rows + ", " + cols + "] is too large");
        }
    }

    /** The format with this VANE_FORMAT_* id. */
    public static QuantFormat ofId(int id) {
        for (QuantFormat f : values()) if (f.id == id) return f;
        throw new IllegalArgumentException("unknown format id " + id);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
