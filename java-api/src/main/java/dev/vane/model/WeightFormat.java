package dev.vane.model;

import dev.vane.quant.QuantFormat;
import java.util.Locale;

/**
 * How a model's matrices are held after loading: as the file stores them (zero-copy, but Q4_0,
 * Q4_K, Q6_K, IQ4_XS and IQ4_NL, which are repacked into Vane's faster interleaved layouts), or
 * requantized at load to one of Vane's formats. Names for the command line: as-is, f32, f16, bf16, fp8 (E4M3, a scale per
 * row), fp8-block (128x128 tile scales), int4 / int4-g32, int4-g128, int4-asym-g32,
 * int4-asym-g128, q8_0, q4_0, or any format's name (q4_k, q6_k, iq4_xs, mxfp4, ...).
 */
public record WeightFormat(QuantFormat target) {
    /** The file's own formats. */
    public static final WeightFormat AS_IS = new WeightFormat(null);

    public boolean asIs() {
        return target == null;
    }

    public static WeightFormat of(QuantFormat target) {
        return new WeightFormat(java.util.Objects.requireNonNull(target, "target must not be null"));
    }

    /** Parses a command-line name (see the class comment) or a Vane format name (fp8_e4m3_row, int4_sym_g64, ...). */
    public static WeightFormat parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        QuantFormat f = switch (n) {
            case "as-is", "asis" -> null;
            case "fp8" -> QuantFormat.FP8_E4M3_ROW;
            case "fp8-block" -> QuantFormat.FP8_E4M3_B128;
            case "int4", "int4-g32" -> QuantFormat.INT4_SYM_G32;
            case "int4-g64" -> QuantFormat.INT4_SYM_G64;
            case "int4-g128" -> QuantFormat.INT4_SYM_G128;
            case "int4-asym-g32" -> QuantFormat.INT4_ASYM_G32;
            case "int4-asym-g128" -> QuantFormat.INT4_ASYM_G128;
            default -> {
                for (QuantFormat q : QuantFormat.values()) if (q.formatName().equals(n)) yield q;
                throw new IllegalArgumentException("unknown weight format '" + name + "'; use as-is, f32, f16, bf16, fp8, fp8-block, int4, int4-g128,"
                        + " int4-asym-g32, int4-asym-g128, q8_0, q4_0 or a Vane format name (q4_k, q6_k, iq4_xs, mxfp4, ...)");
            }
        };
        return f == null ? AS_IS : of(f);
    }

    @Override
    public String toString() {
        return target == null ? "as-is" : target.formatName();
    }
}
