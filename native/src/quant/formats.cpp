// The traits table of every weight format (docs/FORMATS.md describes the bytes).
#include <stddef.h>
#include <string.h>

#include "quant/ggml_blocks.h"
#include "quant/quant.h"
#include "quant/scalar.h"
#include "quant/vane_blocks.h"

namespace vane {

namespace {

// The int4 / int8 families' codecs at a fixed group size.
template <int G> int32_t q_int4_sym(const float *x, uint8_t *b) { return quant_int4_sym(x, G, b); }
template <int G> void dq_int4_sym(const uint8_t *b, float *y) { dequant_int4_sym(b, G, y); }
template <int G> int32_t q_int4_asym(const float *x, uint8_t *b) { return quant_int4_asym(x, G, b); }
template <int G> void dq_int4_asym(const uint8_t *b, float *y) { dequant_int4_asym(b, G, y); }
template <int G> int32_t q_int8(const float *x, uint8_t *b) { return quant_int8(x, G, b); }
template <int G> void dq_int8(const uint8_t *b, float *y) { dequant_int8(b, G, y); }

#define BLOCK(T) (int32_t)sizeof(T)
// Columns: id, name, block elems, block bytes, planar, scale rows, scale cols, row group, GGUF
// type (-1: none), activation format, scale kind and the scales' offsets in a block, reference
// quantizer, dequantizer.
const FormatTraits kFormats[] = {
    {VANE_FORMAT_F32, "f32", 1, 4, 0, 0, 0, 1, 0, ACT_NONE, SCALE_NONE, {-1, -1}, nullptr, nullptr},
    {VANE_FORMAT_F16, "f16", 1, 2, 0, 0, 0, 1, 1, ACT_NONE, SCALE_NONE, {-1, -1}, nullptr, nullptr},
    {VANE_FORMAT_BF16, "bf16", 1, 2, 0, 0, 0, 1, 30, ACT_NONE, SCALE_NONE, {-1, -1}, nullptr, nullptr},
    {VANE_FORMAT_FP8_E4M3_ROW, "fp8_e4m3_row", 1, 1, 1, 1, 0, 1, -1, ACT_NONE, SCALE_F32, {-1, -1}, nullptr, nullptr},
    {VANE_FORMAT_FP8_E4M3_B128, "fp8_e4m3_b128", 1, 1, 1, 128, 128, 1, -1, ACT_NONE, SCALE_F32, {-1, -1}, nullptr, nullptr},
    {VANE_FORMAT_INT4_SYM_G32, "int4_sym_g32", 32, BLOCK(vane_block_int4_sym_g32), 0, 0, 0, 1, -1, ACT_VANE, SCALE_F16, {0, -1}, q_int4_sym<32>, dq_int4_sym<32>},
    {VANE_FORMAT_INT4_SYM_G64, "int4_sym_g64", 64, BLOCK(vane_block_int4_sym_g64), 0, 0, 0, 1, -1, ACT_VANE, SCALE_F16, {0, -1}, q_int4_sym<64>, dq_int4_sym<64>},
    {VANE_FORMAT_INT4_SYM_G128, "int4_sym_g128", 128, BLOCK(vane_block_int4_sym_g128), 0, 0, 0, 1, -1, ACT_VANE, SCALE_F16, {0, -1}, q_int4_sym<128>, dq_int4_sym<128>},
    {VANE_FORMAT_INT4_ASYM_G32, "int4_asym_g32", 32, BLOCK(vane_block_int4_asym_g32), 0, 0, 0, 1, -1, ACT_VANE, SCALE_F16, {0, 2}, q_int4_asym<32>, dq_int4_asym<32>},
    {VANE_FORMAT_INT4_ASYM_G64, "int4_asym_g64", 64, BLOCK(vane_block_int4_asym_g64), 0, 0, 0, 1, -1, ACT_VANE, SCALE_F16, {0, 2}, q_int4_asym<64>, dq_int4_asym<64>},
    {VANE_FORMAT_INT4_ASYM_G128, "int4_asym_g128", 128, BLOCK(vane_block_int4_asym_g128), 0, 0, 0, 1, -1, ACT_VANE, SCALE_F16, {0, 2}, q_int4_asym<128>, dq_int4_asym<128>},
    {VANE_FORMAT_INT8_G32, "int8_g32", 32, BLOCK(vane_block_int8_g32), 0, 0, 0, 1, -1, ACT_VANE, SCALE_F32, {0, -1}, q_int8<32>, dq_int8<32>},
    {VANE_FORMAT_INT8_G64, "int8_g64", 64, BLOCK(vane_block_int8_g64), 0, 0, 0, 1, -1, ACT_VANE, SCALE_F32, {0, -1}, q_int8<64>, dq_int8<64>},
    {VANE_FORMAT_INT8_G128, "int8_g128", 128, BLOCK(vane_block_int8_g128), 0, 0, 0, 1, -1, ACT_VANE, SCALE_F32, {0, -1}, q_int8<128>, dq_int8<128>},
    {VANE_FORMAT_Q4_0, "q4_0", 32, BLOCK(vane_block_q4_0), 0, 0, 0, 1, 2, ACT_VANE, SCALE_F16, {0, -1}, quant_q4_0, dq_int4_sym<32>},
    {VANE_FORMAT_Q8_0, "q8_0", 32, BLOCK(vane_block_q8_0), 0, 0, 0, 1, 8, ACT_VANE, SCALE_F16, {0, -1}, quant_q8_0, dequant_q8_0},
    // Per row, 18 bytes per 32 columns, as q4_0; stored 8 rows at a time (vane_block_q4_0x8).
    {VANE_FORMAT_Q4_0_X8, "q4_0x8", 32, BLOCK(vane_block_q4_0), 0, 0, 0, 8, -1, ACT_VANE, SCALE_NONE, {-1, -1}, nullptr, nullptr},
    {VANE_FORMAT_Q4_1, "q4_1", 32, BLOCK(vane_block_q4_1), 0, 0, 0, 1, 3, ACT_Q8_1, SCALE_F16, {0, 2}, quantize_q4_1, dequantize_q4_1},
    {VANE_FORMAT_Q5_0, "q5_0", 32, BLOCK(vane_block_q5_0), 0, 0, 0, 1, 6, ACT_Q8_0, SCALE_F16, {0, -1}, quantize_q5_0, dequantize_q5_0},
    {VANE_FORMAT_Q5_1, "q5_1", 32, BLOCK(vane_block_q5_1), 0, 0, 0, 1, 7, ACT_Q8_1, SCALE_F16, {0, 2}, quantize_q5_1, dequantize_q5_1},
    {VANE_FORMAT_Q2_K, "q2_k", 256, BLOCK(vane_block_q2_k), 0, 0, 0, 1, 10, ACT_Q8_K, SCALE_F16, {80, 82}, quantize_q2_k, dequantize_q2_k},
    {VANE_FORMAT_Q3_K, "q3_k", 256, BLOCK(vane_block_q3_k), 0, 0, 0, 1, 11, ACT_Q8_K, SCALE_F16, {108, -1}, quantize_q3_k, dequantize_q3_k},
    {VANE_FORMAT_Q4_K, "q4_k", 256, BLOCK(vane_block_q4_k), 0, 0, 0, 1, 12, ACT_Q8_K, SCALE_F16, {0, 2}, quantize_q4_k, dequantize_q4_k},
    {VANE_FORMAT_Q5_K, "q5_k", 256, BLOCK(vane_block_q5_k), 0, 0, 0, 1, 13, ACT_Q8_K, SCALE_F16, {0, 2}, quantize_q5_k, dequantize_q5_k},
    {VANE_FORMAT_Q6_K, "q6_k", 256, BLOCK(vane_block_q6_k), 0, 0, 0, 1, 14, ACT_Q8_K, SCALE_F16, {208, -1}, quantize_q6_k, dequantize_q6_k},
    {VANE_FORMAT_IQ4_NL, "iq4_nl", 32, BLOCK(vane_block_iq4_nl), 0, 0, 0, 1, 20, ACT_Q8_0, SCALE_F16, {0, -1}, quantize_iq4_nl, dequantize_iq4_nl},
    {VANE_FORMAT_IQ4_XS, "iq4_xs", 256, BLOCK(vane_block_iq4_xs), 0, 0, 0, 1, 23, ACT_Q8_K, SCALE_F16, {0, -1}, quantize_iq4_xs, dequantize_iq4_xs},
    {VANE_FORMAT_MXFP4, "mxfp4", 32, BLOCK(vane_block_mxfp4), 0, 0, 0, 1, 39, ACT_Q8_0, SCALE_E8M0, {0, -1}, quantize_mxfp4, dequantize_mxfp4},
    // Per row, 148 bytes per 256 columns (q4_k's 144 with its 12 packed scale bytes spread to
    // 16); stored 8 rows at a time (vane_block_q4_kx8).
    {VANE_FORMAT_Q4_K_X8, "q4_kx8", 256, BLOCK(vane_block_q4_kx8) / 8, 0, 0, 0, 8, -1, ACT_Q8_K, SCALE_NONE, {-1, -1}, nullptr, nullptr},
    // Per row, 210 bytes per 256 columns, as q6_k; stored 8 rows at a time (vane_block_q6_kx8).
    {VANE_FORMAT_Q6_K_X8, "q6_kx8", 256, BLOCK(vane_block_q6_kx8) / 8, 0, 0, 0, 8, -1, ACT_Q8_K, SCALE_NONE, {-1, -1}, nullptr, nullptr},
    // Per row, 138 bytes per 256 columns (iq4_xs's 136 with its 6 packed scale bytes decoded to
    // 8); stored 8 rows at a time (vane_block_iq4_xsx8).
    {VANE_FORMAT_IQ4_XS_X8, "iq4_xsx8", 256, BLOCK(vane_block_iq4_xsx8) / 8, 0, 0, 0, 8, -1, ACT_Q8_K, SCALE_NONE, {-1, -1}, nullptr, nullptr},
    // iq4_nl's bytes (18 per row and 32 columns) in q4_0x8's layout (vane_block_iq4_nlx8); not
    // checked (made from checked iq4_nl only).
    {VANE_FORMAT_IQ4_NL_X8, "iq4_nlx8", 32, BLOCK(vane_block_iq4_nlx8) / 8, 0, 0, 0, 8, -1, ACT_Q8_0, SCALE_NONE, {-1, -1}, nullptr, nullptr},
};
#undef BLOCK
}  // namespace

const FormatTraits *format_traits(int32_t format) {
    for (const FormatTraits &f : kFormats) {
        if (f.format == format) return &f;
    }
    return nullptr;
}

const FormatTraits *format_table(int *count) {
    *count = (int)(sizeof kFormats / sizeof kFormats[0]);
    return kFormats;
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

namespace {

// q4_kx8 block column b of a group (vane_block_q4_kx8): d[i] at 2i, dmin[i] at 16 + 2i, the
// scale and min of sub-block g at 32 + 16g + i and 32 + 16g + 8 + i, code chunk j (bytes
// 4j..4j+3 of each row's qs) at 160 + 32j + 4i, for row i of the group.
constexpr int64_t kQ4kx8Bytes = sizeof(vane_block_q4_kx8);
constexpr int kQ4kx8Codes = offsetof(vane_block_q4_kx8, qs);
static_assert(sizeof(vane_block_iq4_nl) == sizeof(vane_block_q4_0) && sizeof(vane_block_iq4_nlx8) == sizeof(vane_block_q4_0x8),
              "iq4_nlx8 reuses q4_0x8's copies");
static_assert(offsetof(vane_block_q4_kx8, dmin) == 16 && offsetof(vane_block_q4_kx8, scales) == 32 && kQ4kx8Codes == 160,
              "q4_kx8 layout");

// Q4_K's 12 scale bytes <-> the 8 6-bit scales and 8 6-bit mins (ggml's get_scale_min_k4): for
// g < 4, sc = s[g] & 63, m = s[g + 4] & 63; for g >= 4 the low 4 bits are nibbles of s[g + 4]
// and the high 2 bits the top bits of s[g - 4] (scale) and s[g] (min). All 96 bits are used, so
// the two directions are inverses.
void unpack_scales_k4(const uint8_t *s, uint8_t sc[8], uint8_t m[8]) {
    for (int g = 0; g < 4; g++) {
        sc[g] = s[g] & 63;
        m[g] = s[g + 4] & 63;
        sc[g + 4] = (uint8_t)((s[g + 8] & 0xF) | ((s[g] >> 6) << 4));
        m[g + 4] = (uint8_t)((s[g + 8] >> 4) | ((s[g + 4] >> 6) << 4));
    }
}

void pack_scales_k4(const uint8_t sc[8], const uint8_t m[8], uint8_t *s) {
    for (int g = 0; g < 4; g++) {
        s[g] = (uint8_t)((sc[g] & 63) | ((sc[g + 4] >> 4) << 6));
        s[g + 4] = (uint8_t)((m[g] & 63) | ((m[g + 4] >> 4) << 6));
        s[g + 8] = (uint8_t)((sc[g + 4] & 0xF) | ((m[g + 4] & 0xF) << 4));
    }
}

}  // namespace

void q4_kx8_get_row(const void *src, int64_t r, int64_t nb, uint8_t *out) {
    const uint8_t *g = (const uint8_t *)src + (r / 8) * nb * kQ4kx8Bytes;
    const int64_t i = r % 8;
    for (int64_t b = 0; b < nb; b++, out += sizeof(vane_block_q4_k)) {
        const uint8_t *blk = g + b * kQ4kx8Bytes;
        memcpy(out, blk + 2 * i, 2);
        memcpy(out + 2, blk + 16 + 2 * i, 2);
        uint8_t sc[8], m[8];
        for (int s = 0; s < 8; s++) {
            sc[s] = blk[32 + 16 * s + i];
            m[s] = blk[32 + 16 * s + 8 + i];
        }
        pack_scales_k4(sc, m, out + 4);
        for (int j = 0; j < 32; j++) memcpy(out + 16 + 4 * j, blk + kQ4kx8Codes + 32 * j + 4 * i, 4);
    }
}

void q4_kx8_put_group(const uint8_t *rows8, int64_t nb, void *group) {
    uint8_t *g = (uint8_t *)group;
    for (int64_t b = 0; b < nb; b++) {
        uint8_t *blk = g + b * kQ4kx8Bytes;
        for (int i = 0; i < 8; i++) {
            const uint8_t *in = rows8 + (i * nb + b) * sizeof(vane_block_q4_k);
            memcpy(blk + 2 * i, in, 2);
            memcpy(blk + 16 + 2 * i, in + 2, 2);
            uint8_t sc[8], m[8];
            unpack_scales_k4(in + 4, sc, m);
            for (int s = 0; s < 8; s++) {
                blk[32 + 16 * s + i] = sc[s];
                blk[32 + 16 * s + 8 + i] = m[s];
            }
            for (int j = 0; j < 32; j++) memcpy(blk + kQ4kx8Codes + 32 * j + 4 * i, in + 16 + 4 * j, 4);
        }
    }
}

namespace {

// iq4_xsx8 block column b of a group (vane_block_iq4_xsx8): d[i] at 2i, the scale of sub-block g
// (ls - 32, int8) at 16 + 8g + i, code chunk j (bytes 4j..4j+3 of each row's qs) at 80 + 32j + 4i,
// for row i of the group. IQ4_XS's 6-bit ls of sub-block g: nibble g of scales_l (low 4 bits)
// and bits 2g, 2g + 1 of scales_h (high 2); all 48 bits are used, so both directions are inverses.
constexpr int64_t kIq4xsx8Bytes = sizeof(vane_block_iq4_xsx8);
constexpr int kIq4xsx8Codes = offsetof(vane_block_iq4_xsx8, qs);
static_assert(offsetof(vane_block_iq4_xsx8, scales) == 16 && kIq4xsx8Codes == 80 && offsetof(vane_block_iq4_xs, qs) == 8,
              "iq4_xsx8 layout");

}  // namespace

void iq4_xsx8_get_row(const void *src, int64_t r, int64_t nb, uint8_t *out) {
    const uint8_t *g = (const uint8_t *)src + (r / 8) * nb * kIq4xsx8Bytes;
    const int64_t i = r % 8;
    for (int64_t b = 0; b < nb; b++, out += sizeof(vane_block_iq4_xs)) {
        const uint8_t *blk = g + b * kIq4xsx8Bytes;
        memcpy(out, blk + 2 * i, 2);
        uint16_t h = 0;
        uint8_t l[4] = {0, 0, 0, 0};
        for (int s = 0; s < 8; s++) {
            const int ls = (int)(int8_t)blk[16 + 8 * s + i] + 32;
            h = (uint16_t)(h | ((ls >> 4) & 3) << (2 * s));
            l[s / 2] = (uint8_t)(l[s / 2] | (ls & 0xF) << (4 * (s % 2)));
        }
        put_u16(out + 2, h);
        memcpy(out + 4, l, 4);
        for (int j = 0; j < 32; j++) memcpy(out + 8 + 4 * j, blk + kIq4xsx8Codes + 32 * j + 4 * i, 4);
    }
}

void iq4_xsx8_put_group(const uint8_t *rows8, int64_t nb, void *group) {
    uint8_t *g = (uint8_t *)group;
    for (int64_t b = 0; b < nb; b++) {
        uint8_t *blk = g + b * kIq4xsx8Bytes;
        for (int i = 0; i < 8; i++) {
            const uint8_t *in = rows8 + (i * nb + b) * sizeof(vane_block_iq4_xs);
            memcpy(blk + 2 * i, in, 2);
            const uint16_t h = get_u16(in + 2);
            for (int s = 0; s < 8; s++) {
                const int ls = ((in[4 + s / 2] >> (4 * (s % 2))) & 0xF) | (((h >> (2 * s)) & 3) << 4);
                blk[16 + 8 * s + i] = (uint8_t)(int8_t)(ls - 32);
            }
            for (int j = 0; j < 32; j++) memcpy(blk + kIq4xsx8Codes + 32 * j + 4 * i, in + 8 + 4 * j, 4);
        }
    }
}

const RowGroupLayout *row_group_layout(int32_t format) {
    static const RowGroupLayout kLayouts[] = {
        {VANE_FORMAT_Q4_0_X8, VANE_FORMAT_Q4_0, q4_0x8_get_row, q4_0x8_put_group},
        {VANE_FORMAT_Q4_K_X8, VANE_FORMAT_Q4_K, q4_kx8_get_row, q4_kx8_put_group},
        {VANE_FORMAT_Q6_K_X8, VANE_FORMAT_Q6_K, q6_kx8_get_row, q6_kx8_put_group},
        {VANE_FORMAT_IQ4_XS_X8, VANE_FORMAT_IQ4_XS, iq4_xsx8_get_row, iq4_xsx8_put_group},
        // iq4_nlx8 is q4_0x8's layout over iq4_nl's blocks (the same {fp16 d; qs[16]}).
        {VANE_FORMAT_IQ4_NL_X8, VANE_FORMAT_IQ4_NL, q4_0x8_get_row, q4_0x8_put_group},
    };
    for (const RowGroupLayout &l : kLayouts)
        if (l.format == format) return &l;
    return nullptr;
}

int64_t planar_scale_count(const FormatTraits &f, int64_t rows, int64_t cols) {
    int64_t tile_cols = f.scale_cols == 0 ? cols : f.scale_cols;
    if (rows == 0 || cols == 0) return 0;
    return ceil_div(rows, f.scale_rows) * ceil_div(cols, tile_cols);
}

int64_t quant_size(const FormatTraits &f, int64_t rows, int64_t cols) {
    if (f.planar) return planar_scales_offset(rows, cols) + 4 * planar_scale_count(f, rows, cols);
    return rows * (cols / f.block_elems) * f.block_bytes;
}

}  // namespace vane
