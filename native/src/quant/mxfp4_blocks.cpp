// MXFP4 (OCP MX FP4, as gpt-oss ships it), byte for byte as ggml's quantize_row_mxfp4_ref and
// dequantize_row_mxfp4.
//
// Layout (vane.h): {E8M0 exponent e; qs[16]}: element j < 16 is the low nibble of qs[j], j + 16
// the high one. A nibble is an E2M1 code (sign bit 3); ggml stores the E2M1 values doubled
// (kMxfp4Values) and halves the scale instead, so value = kMxfp4Values[code] * 2^(e - 128).
#include <math.h>
#include <stdint.h>

#include "ggml_blocks.h"
#include "quant.h"
#include "scalar.h"

namespace vane {

const int8_t kMxfp4Values[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

// ggml_e8m0_to_fp32_half: 2^(e - 128) built from its bits; e = 0 and 1 are the f32 subnormals
// 2^-128 and 2^-127, e = 255 gives 2^127.
float mxfp4_half_scale(uint8_t e) {
    uint32_t bits = e < 2 ? 0x00200000u << e : (uint32_t)(e - 1) << 23;
    return f32_from_bits(bits);
}

namespace {

// The code whose value times d is nearest to x, the lowest code on ties: +0 rather than -0, and
// the smaller magnitude at a midpoint (codes rise in magnitude within each sign half).
uint8_t nearest_e2m1(float x, float d) {
    int best = 0;
    float best_err = fabsf((float)kMxfp4Values[0] * d - x);
    for (int i = 1; i < 16; i++) {
        float err = fabsf((float)kMxfp4Values[i] * d - x);
        if (err < best_err) {
            best = i;
            best_err = err;
        }
    }
    return (uint8_t)best;
}

}  // namespace

int32_t quantize_mxfp4(const float *x, uint8_t *blk) {
    float amax = 0.0f;
    for (int j = 0; j < 32; j++) {
        if (amax < fabsf(x[j])) amax = fabsf(x[j]);
    }
    // e = floor(log2(amax)) - 2 + 127: the largest element lands in [4, 8) * 2^(e - 127),
    // i.e. doubled in [8, 16) * 2^(e - 128). For amax below 2^-125 that is negative, which ggml
    // casts to uint8_t (undefined in C; on x86 a large e, 0xFF, the NaN code, for amax in
    // [2^-126, 2^-125)): Vane takes the smallest exponent, 0, so such tiny blocks keep their
    // values as well as E8M0 allows and never hold the NaN code.
    uint8_t e = 0;
    if (amax > 0.0f) {
        const float v = floorf(log2f(amax)) - 2.0f + 127.0f;
        e = v > 0.0f ? (uint8_t)v : 0;
    }
    float d = mxfp4_half_scale(e);
    blk[0] = e;
    uint8_t *qs = blk + 1;
    for (int j = 0; j < 16; j++) {
        uint8_t c0 = nearest_e2m1(x[j], d);
        uint8_t c1 = nearest_e2m1(x[j + 16], d);
        qs[j] = (uint8_t)(c0 | (c1 << 4));
    }
    return QUANT_OK;
}

void dequantize_mxfp4(const uint8_t *blk, float *y) {
    float d = mxfp4_half_scale(blk[0]);
    const uint8_t *qs = blk + 1;
    for (int j = 0; j < 16; j++) {
        y[j] = (float)kMxfp4Values[qs[j] & 0x0f] * d;
        y[j + 16] = (float)kMxfp4Values[qs[j] >> 4] * d;
    }
}

}  // namespace vane
