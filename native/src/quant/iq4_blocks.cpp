// GGUF's non-linear 4-bit formats, byte for byte as llama.cpp's quantizer writes them into files
// without an importance matrix (ggml_quantize_chunk): IQ4_NL (quantize_iq4_nl, which unlike
// quantize_row_iq4_nl_ref searches the scale) and IQ4_XS (quantize_iq4_xs, which
// quantize_row_iq4_xs_ref is too), and dequantize_row_iq4_nl / dequantize_row_iq4_xs.
//
// Layouts (vane.h): IQ4_NL {fp16 d; qs[16]}: element j < 16 is the low nibble of qs[j], j + 16
// the high one, value d * kIq4Values[code]. IQ4_XS {fp16 d; u16 scales_h; scales_l[4]; qs[128]}:
// eight sub-blocks of 32 laid out like IQ4_NL's qs, sub-block ib with the 6-bit scale
// ls = (nibble ib of scales_l) | (bits 2ib..2ib+1 of scales_h) << 4, value d * (ls - 32) * code.
//
// Both quantizers pick each sub-block's scale the way ggml's quantize_row_iq4_nl_impl does: the
// weights are x^2 (no importance matrix); the first scale is amax / 127 (IQ4_NL maps the
// largest-magnitude element to -127, IQ4_XS to +127, past the table's 113, as ggml's sign rule
// has it); the least-squares scale of those codes follows, and IQ4_XS then tries 15 more
// starting scales (ntry = 7) and keeps the best; so does IQ4_NL, which then codes its elements
// again with the final scale. The float operations are ggml's, in its order.
#include <math.h>
#include <stdint.h>

#include "ggml_blocks.h"
#include "quant.h"
#include "scalar.h"

namespace vane {

const int8_t kIq4Values[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

namespace {

// Sub-blocks whose largest magnitude is below this get the scale 0 (ggml's GROUP_MAX_EPS).
constexpr float kGroupMaxEps = 1e-15f;

// The index of the table value nearest to x (ggml's best_index_int8): a binary search, the
// upper neighbour on an exact tie. A NaN lands on 15, as in ggml.
int nearest_code(float x) {
    if (x <= (float)kIq4Values[0]) return 0;
    if (x >= (float)kIq4Values[15]) return 15;
    int lo = 0, hi = 15;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (x < (float)kIq4Values[mid]) hi = mid;
        else lo = mid;
    }
    return x - (float)kIq4Values[hi - 1] < (float)kIq4Values[hi] - x ? hi - 1 : hi;
}

// ggml's nearest_int: round to nearest even through the f32 bits of x + 1.5 * 2^23 (valid for
// |x| <= 2^22 - 1; the callers stay within +-32).
int nearest_int(float x) {
    float v = x + 12582912.0f;
    return (int)(f32_bits(v) & 0x007fffffu) - 0x00400000;
}

// For scale factor id: the codes of xb (into L) and the sums sum w*q*x and sum w*q*q.
void code_sums(const float *xb, const float *w, float id, uint8_t *L, float *sumqx, float *sumq2) {
    float sx = 0.0f, s2 = 0.0f;
    for (int j = 0; j < 32; j++) {
        int l = nearest_code(id * xb[j]);
        if (L) L[j] = (uint8_t)l;
        float q = (float)kIq4Values[l];
        sx += w[j] * q * xb[j];
        s2 += w[j] * q * q;
    }
    *sumqx = sx;
    *sumq2 = s2;
}

// One sub-block of 32: its scale, and its codes into L (left unwritten when the sub-block is
// below kGroupMaxEps: the scale is 0 then). ntry > 0 searches 2 * ntry + 1 more scales.
float subblock_scale(const float *xb, int ntry, uint8_t *L) {
    float w[32];
    for (int j = 0; j < 32; j++) w[j] = xb[j] * xb[j];
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < 32; j++) {
        float ax = fabsf(xb[j]);
        if (ax > amax) {
            amax = ax;
            max = xb[j];
        }
    }
    if (amax < kGroupMaxEps) return 0.0f;
    const float v0 = (float)kIq4Values[0];
    float d = ntry > 0 ? -max / v0 : max / v0;
    float sumqx, sumq2;
    code_sums(xb, w, 1.0f / d, L, &sumqx, &sumq2);
    d = sumq2 > 0.0f ? sumqx / sumq2 : 0.0f;
    float best = d * sumqx;
    for (int itry = -ntry; itry <= ntry; itry++) {
        float id = (float)(itry + kIq4Values[0]) / max;
        code_sums(xb, w, id, nullptr, &sumqx, &sumq2);
        // sumqx^2 / sumq2 larger: a smaller weighted squared error with its best scale.
        if (sumq2 > 0.0f && sumqx * sumqx > best * sumq2) {
            d = sumqx / sumq2;
            best = d * sumqx;
        }
    }
    return d;
}

// Packs 32 codes as 16 bytes: element j in the low nibble of byte j, j + 16 in the high one.
void pack_codes(const uint8_t *L, uint8_t *qs) {
    for (int j = 0; j < 16; j++) qs[j] = (uint8_t)(L[j] | (L[j + 16] << 4));
}

}  // namespace

int32_t quantize_iq4_nl(const float *x, uint8_t *blk) {
    // As llama.cpp writes files (quantize_iq4_nl, ntry = 7): the searched scale, then every
    // element coded again with it (with a scale of 0, the code nearest 0).
    uint8_t L[32];
    const float d = subblock_scale(x, 7, L);
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    for (int j = 0; j < 32; j++) L[j] = (uint8_t)nearest_code(id * x[j]);
    uint16_t d16 = f32_to_f16_bits(d);
    if (!fp16_bits_finite(d16)) return QUANT_SCALE_RANGE;
    put_u16(blk, d16);
    pack_codes(L, blk + 2);
    return QUANT_OK;
}

int32_t quantize_iq4_xs(const float *x, uint8_t *blk) {
    float scales[8];
    float max_scale = 0.0f, amax_scale = 0.0f;
    for (int ib = 0; ib < 8; ib++) {
        scales[ib] = subblock_scale(x + 32 * ib, 7, nullptr);
        float a = fabsf(scales[ib]);
        if (a > amax_scale) {
            amax_scale = a;
            max_scale = scales[ib];
        }
    }
    // The super-block scale maps the largest sub-block scale to -32; each sub-block's 6-bit
    // scale is then rounded, and its codes are recomputed with the rounded scale d * l.
    float d = -max_scale / 32.0f;
    uint16_t d16 = f32_to_f16_bits(d);
    if (!fp16_bits_finite(d16)) return QUANT_SCALE_RANGE;
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    uint16_t scales_h = 0;
    uint8_t *scales_l = blk + 4;
    uint8_t *qs = blk + 8;
    for (int ib = 0; ib < 8; ib++) {
        int l = nearest_int(id * scales[ib]);
        l = l < -32 ? -32 : (l > 31 ? 31 : l);
        float dl = d * (float)l;
        float idl = dl != 0.0f ? 1.0f / dl : 0.0f;
        const float *xb = x + 32 * ib;
        uint8_t L[32];
        for (int j = 0; j < 32; j++) L[j] = (uint8_t)nearest_code(idl * xb[j]);
        pack_codes(L, qs + 16 * ib);
        uint32_t ls = (uint32_t)(l + 32);
        if (ib % 2 == 0) scales_l[ib / 2] = (uint8_t)(ls & 0xf);
        else scales_l[ib / 2] = (uint8_t)(scales_l[ib / 2] | ((ls & 0xf) << 4));
        scales_h = (uint16_t)(scales_h | ((ls >> 4) << (2 * ib)));
    }
    put_u16(blk, d16);
    put_u16(blk + 2, scales_h);
    return QUANT_OK;
}

void dequantize_iq4_nl(const uint8_t *blk, float *y) {
    float d = f16_bits_to_f32(get_u16(blk));
    const uint8_t *qs = blk + 2;
    for (int j = 0; j < 16; j++) {
        y[j] = d * (float)kIq4Values[qs[j] & 0xf];
        y[j + 16] = d * (float)kIq4Values[qs[j] >> 4];
    }
}

void dequantize_iq4_xs(const uint8_t *blk, float *y) {
    float d = f16_bits_to_f32(get_u16(blk));
    uint16_t scales_h = get_u16(blk + 2);
    const uint8_t *scales_l = blk + 4;
    const uint8_t *qs = blk + 8;
    for (int ib = 0; ib < 8; ib++) {
        int ls = ((scales_l[ib / 2] >> (4 * (ib % 2))) & 0xf) | (((scales_h >> (2 * ib)) & 3) << 4);
        float dl = d * (float)(ls - 32);
        for (int j = 0; j < 16; j++) {
            y[32 * ib + j] = dl * (float)kIq4Values[qs[16 * ib + j] & 0xf];
            y[32 * ib + j + 16] = dl * (float)kIq4Values[qs[16 * ib + j] >> 4];
        }
    }
}

}  // namespace vane
