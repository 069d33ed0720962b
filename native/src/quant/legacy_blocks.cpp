// GGUF's legacy 32-element formats Q4_1, Q5_0 and Q5_1, byte for byte as ggml's reference code
// (quantize_row_q4_1_ref / q5_0_ref / q5_1_ref and dequantize_row_q4_1 / q5_0 / q5_1).
//
// Layouts (vane.h): Q4_1 {fp16 d; fp16 m; qs[16]}, Q5_0 {fp16 d; qh[4]; qs[16]},
// Q5_1 {fp16 d; fp16 m; qh[4]; qs[16]}. Element j < 16 is the low nibble of qs[j], element
// j + 16 the high nibble; Q5's fifth bit of element i is bit i of the little-endian qh.
//
// The quantizers scale with the unrounded f32 d (and min), as ggml does, and store the fp16
// roundings. ggml turns floats into codes with C casts (float -> int8_t / uint8_t): a truncation
// to a 32-bit integer (cvttss2si) whose low byte is kept, as x86_cvtt_i32 does. Where 1/d
// overflows (a block spanning less than about 2^-124) the cast of Inf or NaN is undefined in C
// and ggml's compiled code varies (vectorized, it saturates); here it gives x86's scalar
// 0x80000000, code 0, and the block still decodes to its fp16 minimum (0).
#include <float.h>
#include <math.h>
#include <stdint.h>

#include "ggml_blocks.h"
#include "quant.h"
#include "scalar.h"

namespace vane {

namespace {

// The smallest and largest element, scanning from +FLT_MAX / -FLT_MAX as ggml does.
void min_max(const float *x, float *mn, float *mx) {
    float lo = FLT_MAX, hi = -FLT_MAX;
    for (int j = 0; j < 32; j++) {
        if (x[j] < lo) lo = x[j];
        if (x[j] > hi) hi = x[j];
    }
    *mn = lo;
    *mx = hi;
}

// The element with the largest magnitude, the first on ties; +0 for an all-zero block.
float signed_absmax32(const float *x) {
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < 32; j++) {
        if (amax < fabsf(x[j])) {
            amax = fabsf(x[j]);
            max = x[j];
        }
    }
    return max;
}

// ggml's (int8_t)v on x86.
int8_t cast_i8(float v) { return (int8_t)x86_cvtt_i32(v); }

// min(cap, (int8_t)v) stored in a uint8_t, as ggml's MIN(cap, (int8_t)(...)).
uint8_t capped_code(float v, int cap) {
    int t = cast_i8(v);
    return (uint8_t)(t < cap ? t : cap);
}

// Stores 32 five-bit codes: low nibbles in qs, fifth bits in qh (little-endian).
void put_q5_codes(const uint8_t *c, uint8_t *qh, uint8_t *qs) {
    uint32_t h = 0;
    for (int j = 0; j < 16; j++) {
        qs[j] = (uint8_t)((c[j] & 0x0f) | ((c[j + 16] & 0x0f) << 4));
        h |= (uint32_t)((c[j] & 0x10u) >> 4) << j;
        h |= (uint32_t)((c[j + 16] & 0x10u) >> 4) << (j + 16);
    }
    for (int b = 0; b < 4; b++) qh[b] = (uint8_t)(h >> (8 * b));
}

// The 32 five-bit codes of a Q5 block (low nibble | fifth bit << 4).
void get_q5_codes(const uint8_t *qh, const uint8_t *qs, int *c) {
    uint32_t h = (uint32_t)qh[0] | ((uint32_t)qh[1] << 8) | ((uint32_t)qh[2] << 16) | ((uint32_t)qh[3] << 24);
    for (int j = 0; j < 16; j++) {
        c[j] = (qs[j] & 0x0f) | (int)(((h >> j) << 4) & 0x10u);
        c[j + 16] = (qs[j] >> 4) | (int)((h >> (j + 12)) & 0x10u);
    }
}

// d = (max - min) / levels and its reciprocal; stores fp16 d and m at blk. QUANT_SCALE_RANGE
// when either overflows fp16.
int32_t put_scale_min(const float *x, float levels, uint8_t *blk, float *min_out, float *id_out) {
    float min, max;
    min_max(x, &min, &max);
    float d = (max - min) / levels;
    uint16_t d16 = f32_to_f16_bits(d), m16 = f32_to_f16_bits(min);
    if (!fp16_bits_finite(d16) || !fp16_bits_finite(m16)) return QUANT_SCALE_RANGE;
    put_u16(blk, d16);
    put_u16(blk + 2, m16);
    *min_out = min;
    *id_out = d != 0.0f ? 1.0f / d : 0.0f;
    return QUANT_OK;
}

}  // namespace

int32_t quantize_q4_1(const float *x, uint8_t *blk) {
    float min, id;
    if (put_scale_min(x, 15.0f, blk, &min, &id) != QUANT_OK) return QUANT_SCALE_RANGE;
    uint8_t *qs = blk + 4;
    for (int j = 0; j < 16; j++) {
        uint8_t c0 = capped_code((x[j] - min) * id + 0.5f, 15);
        uint8_t c1 = capped_code((x[j + 16] - min) * id + 0.5f, 15);
        qs[j] = (uint8_t)(c0 | (c1 << 4));
    }
    return QUANT_OK;
}

int32_t quantize_q5_0(const float *x, uint8_t *blk) {
    float d = signed_absmax32(x) / -16.0f;
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    uint16_t d16 = f32_to_f16_bits(d);
    if (!fp16_bits_finite(d16)) return QUANT_SCALE_RANGE;
    put_u16(blk, d16);
    uint8_t c[32];
    for (int j = 0; j < 32; j++) c[j] = capped_code(x[j] * id + 16.5f, 31);
    put_q5_codes(c, blk + 2, blk + 6);
    return QUANT_OK;
}

int32_t quantize_q5_1(const float *x, uint8_t *blk) {
    float min, id;
    if (put_scale_min(x, 31.0f, blk, &min, &id) != QUANT_OK) return QUANT_SCALE_RANGE;
    uint8_t c[32];
    // ggml: (uint8_t)(x + 0.5f), no cap (the value never passes 31.5 when 1/d is finite).
    for (int j = 0; j < 32; j++) c[j] = (uint8_t)x86_cvtt_i32((x[j] - min) * id + 0.5f);
    put_q5_codes(c, blk + 4, blk + 8);
    return QUANT_OK;
}

void dequantize_q4_1(const uint8_t *blk, float *y) {
    float d = f16_bits_to_f32(get_u16(blk));
    float m = f16_bits_to_f32(get_u16(blk + 2));
    const uint8_t *qs = blk + 4;
    for (int j = 0; j < 16; j++) {
        y[j] = (float)(qs[j] & 0x0f) * d + m;  // a multiply, then an add
        y[j + 16] = (float)(qs[j] >> 4) * d + m;
    }
}

void dequantize_q5_0(const uint8_t *blk, float *y) {
    float d = f16_bits_to_f32(get_u16(blk));
    int c[32];
    get_q5_codes(blk + 2, blk + 6, c);
    for (int j = 0; j < 32; j++) y[j] = (float)(c[j] - 16) * d;
}

void dequantize_q5_1(const uint8_t *blk, float *y) {
    float d = f16_bits_to_f32(get_u16(blk));
    float m = f16_bits_to_f32(get_u16(blk + 2));
    int c[32];
    get_q5_codes(blk + 4, blk + 8, c);
    for (int j = 0; j < 32; j++) y[j] = (float)c[j] * d + m;
}

}  // namespace vane
