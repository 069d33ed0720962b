// Vane's own block formats (int4_sym_g*, int4_asym_g*, int8_g*) and GGUF's Q4_0 and Q8_0: the
// reference codec of one block, x = G floats, blk = the block's bytes (docs/FORMATS.md). The
// traits table (formats.cpp) points at them; the AVX2 variant (x86_avx2.cpp) gives the same bytes.
#include <math.h>
#include <stdint.h>

#include "quant/quant.h"
#include "quant/scalar.h"
#include "quant/vane_blocks.h"

namespace vane {

namespace {

float clampf(float v, float lo, float hi) {
    if (v < lo) return lo;
    if (v > hi) return hi;
    return v;
}

// The element with the largest magnitude, the first one on ties (a strict comparison while
// scanning, as GGUF's quantize_row_q4_0_ref). An all-zero block gives +0.
float signed_absmax(const float *x, int g) {
    float amax = 0.0f, m = 0.0f;
    for (int j = 0; j < g; j++) {
        if (amax < fabsf(x[j])) {
            amax = fabsf(x[j]);
            m = x[j];
        }
    }
    return m;
}

float absmax(const float *x, int g) {
    float amax = 0.0f;
    for (int j = 0; j < g; j++) {
        if (fabsf(x[j]) > amax) amax = fabsf(x[j]);
    }
    return amax;
}

}  // namespace

// INT4 symmetric: {fp16 d; qs[G/2]}, q in [-8, 7], nibble = q + 8.
int32_t quant_int4_sym(const float *x, int g, uint8_t *blk) {
    float m = signed_absmax(x, g);
    float d = m / -8.0f;
    uint16_t d16 = f32_to_f16_bits(d);
    if (!fp16_bits_finite(d16)) return QUANT_SCALE_RANGE;
    float dd = f16_bits_to_f32(d16);
    put_u16(blk, d16);
    uint8_t *qs = blk + 2;
    for (int j = 0; j < g / 2; j++) {
        int c[2];
        for (int h = 0; h < 2; h++) {
            float v = x[j + h * (g / 2)];
            float q = dd == 0.0f ? 0.0f : clampf(nearbyintf(v / dd), -8.0f, 7.0f);
            c[h] = (int)q + 8;
        }
        qs[j] = (uint8_t)(c[0] | (c[1] << 4));
    }
    return QUANT_OK;
}

void dequant_int4_sym(const uint8_t *blk, int g, float *y) {
    float dd = f16_bits_to_f32(get_u16(blk));
    const uint8_t *qs = blk + 2;
    for (int j = 0; j < g / 2; j++) {
        y[j] = (float)((qs[j] & 0xf) - 8) * dd;
        y[j + g / 2] = (float)((qs[j] >> 4) - 8) * dd;
    }
}

// INT4 asymmetric: {fp16 d; fp16 m; qs[G/2]}, code in [0, 15], x = code * d + m.
int32_t quant_int4_asym(const float *x, int g, uint8_t *blk) {
    float lo = x[0], hi = x[0];
    for (int j = 1; j < g; j++) {
        if (x[j] < lo) lo = x[j];
        if (x[j] > hi) hi = x[j];
    }
    // -0 and +0 compare equal, so which one the scan keeps depends on the order: turn a zero
    // minimum or maximum into +0 so the stored bytes do not.
    lo = lo + 0.0f;
    hi = hi + 0.0f;
    float d = (hi - lo) / 15.0f;
    uint16_t d16 = f32_to_f16_bits(d);
    uint16_t m16 = f32_to_f16_bits(lo);
    if (!fp16_bits_finite(d16) || !fp16_bits_finite(m16)) return QUANT_SCALE_RANGE;
    float dd = f16_bits_to_f32(d16);
    float mm = f16_bits_to_f32(m16);
    put_u16(blk, d16);
    put_u16(blk + 2, m16);
    uint8_t *qs = blk + 4;
    for (int j = 0; j < g / 2; j++) {
        int c[2];
        for (int h = 0; h < 2; h++) {
            float v = x[j + h * (g / 2)];
            float q = dd == 0.0f ? 0.0f : clampf(nearbyintf((v - mm) / dd), 0.0f, 15.0f);
            c[h] = (int)q;
        }
        qs[j] = (uint8_t)(c[0] | (c[1] << 4));
    }
    return QUANT_OK;
}

void dequant_int4_asym(const uint8_t *blk, int g, float *y) {
    float dd = f16_bits_to_f32(get_u16(blk));
    float mm = f16_bits_to_f32(get_u16(blk + 2));
    const uint8_t *qs = blk + 4;
    for (int j = 0; j < g / 2; j++) {
        y[j] = (float)(qs[j] & 0xf) * dd + mm;  // a multiply, then an add (no fma)
        y[j + g / 2] = (float)(qs[j] >> 4) * dd + mm;
    }
}

// INT8: {f32 d; int8 qs[G]}, q in [-127, 127].
int32_t quant_int8(const float *x, int g, uint8_t *blk) {
    float d = absmax(x, g) / 127.0f;
    put_f32(blk, d);
    int8_t *qs = (int8_t *)(blk + 4);
    for (int j = 0; j < g; j++) {
        float q = d == 0.0f ? 0.0f : clampf(nearbyintf(x[j] / d), -127.0f, 127.0f);
        qs[j] = (int8_t)(int)q;
    }
    return QUANT_OK;
}

void dequant_int8(const uint8_t *blk, int g, float *y) {
    float d = get_f32(blk);
    const int8_t *qs = (const int8_t *)(blk + 4);
    for (int j = 0; j < g; j++) y[j] = (float)qs[j] * d;
}

// GGUF Q4_0, byte for byte as llama.cpp's quantize_row_q4_0_ref: {fp16 d; qs[16]}.
int32_t quant_q4_0(const float *x, uint8_t *blk) {
    float max = signed_absmax(x, 32);
    float d = max / -8.0f;
    float id = d != 0.0f ? 1.0f / d : 0.0f;  // from the unrounded d
    uint16_t d16 = f32_to_f16_bits(d);
    if (!fp16_bits_finite(d16)) return QUANT_SCALE_RANGE;
    put_u16(blk, d16);
    uint8_t *qs = blk + 2;
    for (int j = 0; j < 16; j++) {
        // llama.cpp: MIN(15, (int8_t)(x * id + 8.5f)) stored in a uint8_t. The float -> int8_t
        // cast truncates toward zero; where 1/d overflowed (|max| < ~2^-125, d16 == 0) the
        // product is Inf or NaN and x86 gives the low byte of 0x80000000, i.e. 0.
        int8_t t0 = (int8_t)x86_cvtt_i32(x[j] * id + 8.5f);
        int8_t t1 = (int8_t)x86_cvtt_i32(x[j + 16] * id + 8.5f);
        uint8_t c0 = (uint8_t)(t0 < 15 ? t0 : 15);
        uint8_t c1 = (uint8_t)(t1 < 15 ? t1 : 15);
        qs[j] = (uint8_t)(c0 | (c1 << 4));
    }
    return QUANT_OK;
}

// GGUF Q8_0, byte for byte as llama.cpp's quantize_row_q8_0_ref: {fp16 d; int8 qs[32]}.
int32_t quant_q8_0(const float *x, uint8_t *blk) {
    float amax = absmax(x, 32);
    float d = amax / 127.0f;
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    uint16_t d16 = f32_to_f16_bits(d);
    if (!fp16_bits_finite(d16)) return QUANT_SCALE_RANGE;
    put_u16(blk, d16);
    int8_t *qs = (int8_t *)(blk + 2);
    for (int j = 0; j < 32; j++) {
        // roundf: half away from zero. Inf/NaN (1/d overflowed) cast to 0, as on x86.
        qs[j] = (int8_t)x86_cvtt_i32(roundf(x[j] * id));
    }
    return QUANT_OK;
}

void dequant_q8_0(const uint8_t *blk, float *y) {
    float dd = f16_bits_to_f32(get_u16(blk));
    const int8_t *qs = (const int8_t *)(blk + 2);
    for (int j = 0; j < 32; j++) y[j] = (float)qs[j] * dd;
}

}  // namespace vane
