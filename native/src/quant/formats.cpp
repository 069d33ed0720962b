// The layout table of every weight format (docs/FORMATS.md describes the bytes).
#include <stddef.h>

#include "quant.h"

namespace vane {

namespace {
const FormatLayout kFormats[] = {
    {VANE_FORMAT_F32, "f32", 1, 4, 0, 0, 0},
    {VANE_FORMAT_F16, "f16", 1, 2, 0, 0, 0},
    {VANE_FORMAT_BF16, "bf16", 1, 2, 0, 0, 0},
    {VANE_FORMAT_FP8_E4M3_ROW, "fp8_e4m3_row", 1, 1, 1, 1, 0},
    {VANE_FORMAT_FP8_E4M3_B128, "fp8_e4m3_b128", 1, 1, 1, 128, 128},
    {VANE_FORMAT_INT4_SYM_G32, "int4_sym_g32", 32, sizeof(vane_block_int4_sym_g32), 0, 0, 0},
    {VANE_FORMAT_INT4_SYM_G64, "int4_sym_g64", 64, sizeof(vane_block_int4_sym_g64), 0, 0, 0},
    {VANE_FORMAT_INT4_SYM_G128, "int4_sym_g128", 128, sizeof(vane_block_int4_sym_g128), 0, 0, 0},
    {VANE_FORMAT_INT4_ASYM_G32, "int4_asym_g32", 32, sizeof(vane_block_int4_asym_g32), 0, 0, 0},
    {VANE_FORMAT_INT4_ASYM_G64, "int4_asym_g64", 64, sizeof(vane_block_int4_asym_g64), 0, 0, 0},
    {VANE_FORMAT_INT4_ASYM_G128, "int4_asym_g128", 128, sizeof(vane_block_int4_asym_g128), 0, 0, 0},
    {VANE_FORMAT_INT8_G32, "int8_g32", 32, sizeof(vane_block_int8_g32), 0, 0, 0},
    {VANE_FORMAT_INT8_G64, "int8_g64", 64, sizeof(vane_block_int8_g64), 0, 0, 0},
    {VANE_FORMAT_INT8_G128, "int8_g128", 128, sizeof(vane_block_int8_g128), 0, 0, 0},
    {VANE_FORMAT_Q4_0, "q4_0", 32, sizeof(vane_block_q4_0), 0, 0, 0},
    {VANE_FORMAT_Q8_0, "q8_0", 32, sizeof(vane_block_q8_0), 0, 0, 0},
};
}  // namespace

const FormatLayout *format_layout(int32_t format) {
    for (const FormatLayout &f : kFormats) {
        if (f.format == format) return &f;
    }
    return nullptr;
}

int64_t planar_scale_count(const FormatLayout &f, int64_t rows, int64_t cols) {
    int64_t tile_cols = f.scale_cols == 0 ? cols : f.scale_cols;
    if (rows == 0 || cols == 0) return 0;
    return ceil_div(rows, f.scale_rows) * ceil_div(cols, tile_cols);
}

int64_t quant_size(const FormatLayout &f, int64_t rows, int64_t cols) {
    if (f.planar) return planar_scales_offset(rows, cols) + 4 * planar_scale_count(f, rows, cols);
    return rows * (cols / f.block_elems) * f.block_bytes;
}

}  // namespace vane
