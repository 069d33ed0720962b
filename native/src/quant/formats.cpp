// The layout table of every weight format (docs/FORMATS.md describes the bytes).
#include <stddef.h>
#include <string.h>

#include "quant.h"

namespace vane {

namespace {
const FormatLayout kFormats[] = {
    {VANE_FORMAT_F32, "f32", 1, 4, 0, 0, 0, 1},
    {VANE_FORMAT_F16, "f16", 1, 2, 0, 0, 0, 1},
    {VANE_FORMAT_BF16, "bf16", 1, 2, 0, 0, 0, 1},
    {VANE_FORMAT_FP8_E4M3_ROW, "fp8_e4m3_row", 1, 1, 1, 1, 0, 1},
    {VANE_FORMAT_FP8_E4M3_B128, "fp8_e4m3_b128", 1, 1, 1, 128, 128, 1},
    {VANE_FORMAT_INT4_SYM_G32, "int4_sym_g32", 32, sizeof(vane_block_int4_sym_g32), 0, 0, 0, 1},
    {VANE_FORMAT_INT4_SYM_G64, "int4_sym_g64", 64, sizeof(vane_block_int4_sym_g64), 0, 0, 0, 1},
    {VANE_FORMAT_INT4_SYM_G128, "int4_sym_g128", 128, sizeof(vane_block_int4_sym_g128), 0, 0, 0, 1},
    {VANE_FORMAT_INT4_ASYM_G32, "int4_asym_g32", 32, sizeof(vane_block_int4_asym_g32), 0, 0, 0, 1},
    {VANE_FORMAT_INT4_ASYM_G64, "int4_asym_g64", 64, sizeof(vane_block_int4_asym_g64), 0, 0, 0, 1},
    {VANE_FORMAT_INT4_ASYM_G128, "int4_asym_g128", 128, sizeof(vane_block_int4_asym_g128), 0, 0, 0, 1},
    {VANE_FORMAT_INT8_G32, "int8_g32", 32, sizeof(vane_block_int8_g32), 0, 0, 0, 1},
    {VANE_FORMAT_INT8_G64, "int8_g64", 64, sizeof(vane_block_int8_g64), 0, 0, 0, 1},
    {VANE_FORMAT_INT8_G128, "int8_g128", 128, sizeof(vane_block_int8_g128), 0, 0, 0, 1},
    {VANE_FORMAT_Q4_0, "q4_0", 32, sizeof(vane_block_q4_0), 0, 0, 0, 1},
    {VANE_FORMAT_Q8_0, "q8_0", 32, sizeof(vane_block_q8_0), 0, 0, 0, 1},
    // Per row, 18 bytes per 32 columns, as q4_0; stored 8 rows at a time (vane_block_q4_0x8).
    {VANE_FORMAT_Q4_0_X8, "q4_0x8", 32, sizeof(vane_block_q4_0), 0, 0, 0, 8},
};
}  // namespace

const FormatLayout *format_layout(int32_t format) {
    for (const FormatLayout &f : kFormats) {
        if (f.format == format) return &f;
    }
    return nullptr;
}

// q4_0x8 block column b of a group: d[8] at 0, code chunk j (bytes 4j..4j+3 of each row) at
// 16 + 32j + 4 * (row in group).
void q4_0x8_get_row(const void *src, int64_t r, int64_t nb, uint8_t *out) {
    const uint8_t *g = (const uint8_t *)src + (r / 8) * nb * 144;
    const int64_t i = r % 8;
    for (int64_t b = 0; b < nb; b++, out += 18) {
        const uint8_t *blk = g + b * 144;
        memcpy(out, blk + 2 * i, 2);
        for (int j = 0; j < 4; j++) memcpy(out + 2 + 4 * j, blk + 16 + 32 * j + 4 * i, 4);
    }
}

void q4_0x8_put_group(const uint8_t *rows8, int64_t nb, void *group) {
    uint8_t *g = (uint8_t *)group;
    for (int64_t b = 0; b < nb; b++) {
        uint8_t *blk = g + b * 144;
        for (int i = 0; i < 8; i++) {
            const uint8_t *in = rows8 + (i * nb + b) * 18;
            memcpy(blk + 2 * i, in, 2);
            for (int j = 0; j < 4; j++) memcpy(blk + 16 + 32 * j + 4 * i, in + 2 + 4 * j, 4);
        }
    }
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
