// Plain scalar reference of the number-format family: the definition of correct. Every other
// variant (x86_avx2.cpp) must produce the same bytes and the same floats, bit for bit.
//
// Layouts (docs/FORMATS.md, vane.h): a matrix is [rows, cols] row-major. Block formats store
// each row as cols / G blocks; planar FP8 formats store rows * cols codes, then f32 scales at
// planar_scales_offset(rows, cols).
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "quant.h"
#include "scalar.h"

namespace vane {

namespace {

// ---- small helpers -------------------------------------------------------------------------

bool rows_finite(const float *src, int64_t cols, int64_t r0, int64_t r1) {
    for (int64_t i = r0 * cols; i < r1 * cols; i++) {
        if (!isfinite(src[i])) return false;
    }
    return true;
}

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

float absmax(const float *x, int64_t n) {
    float amax = 0.0f;
    for (int64_t j = 0; j < n; j++) {
        if (fabsf(x[j]) > amax) amax = fabsf(x[j]);
    }
    return amax;
}

// ---- FP8 scalars ---------------------------------------------------------------------------

void fp8_encode_ref(int32_t kind, const float *src, uint8_t *dst, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        dst[i] = kind == VANE_FP8_E5M2 ? f32_to_e5m2(src[i]) : f32_to_e4m3(src[i]);
    }
}

void fp8_decode_ref(int32_t kind, const uint8_t *src, float *dst, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        dst[i] = kind == VANE_FP8_E5M2 ? e5m2_to_f32(src[i]) : e4m3_to_f32(src[i]);
    }
}

// ---- blocks: one function per format, x = G floats, blk = the block's bytes ------------------

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

int32_t quant_block(int32_t format, const float *x, int g, uint8_t *blk) {
    switch (format) {
        case VANE_FORMAT_INT4_SYM_G32:
        case VANE_FORMAT_INT4_SYM_G64:
        case VANE_FORMAT_INT4_SYM_G128: return quant_int4_sym(x, g, blk);
        case VANE_FORMAT_INT4_ASYM_G32:
        case VANE_FORMAT_INT4_ASYM_G64:
        case VANE_FORMAT_INT4_ASYM_G128: return quant_int4_asym(x, g, blk);
        case VANE_FORMAT_INT8_G32:
        case VANE_FORMAT_INT8_G64:
        case VANE_FORMAT_INT8_G128: return quant_int8(x, g, blk);
        case VANE_FORMAT_Q4_0: return quant_q4_0(x, blk);
        case VANE_FORMAT_Q8_0: return quant_q8_0(x, blk);
        default: return QUANT_OK;
    }
}

void dequant_block(int32_t format, const uint8_t *blk, int g, float *y) {
    switch (format) {
        case VANE_FORMAT_INT4_SYM_G32:
        case VANE_FORMAT_INT4_SYM_G64:
        case VANE_FORMAT_INT4_SYM_G128:
        case VANE_FORMAT_Q4_0: dequant_int4_sym(blk, g, y); break;  // same layout and formula
        case VANE_FORMAT_INT4_ASYM_G32:
        case VANE_FORMAT_INT4_ASYM_G64:
        case VANE_FORMAT_INT4_ASYM_G128: dequant_int4_asym(blk, g, y); break;
        case VANE_FORMAT_INT8_G32:
        case VANE_FORMAT_INT8_G64:
        case VANE_FORMAT_INT8_G128: dequant_int8(blk, g, y); break;
        case VANE_FORMAT_Q8_0: dequant_q8_0(blk, y); break;
        default: break;
    }
}

// ---- planar FP8 (e4m3 codes + f32 scales) ----------------------------------------------------

// Encodes n values with one scale: code = e4m3(x / scale) (a true division), all 0 if scale == 0.
void encode_scaled(const float *x, float scale, uint8_t *codes, int64_t n) {
    for (int64_t i = 0; i < n; i++) codes[i] = scale == 0.0f ? 0 : f32_to_e4m3(x[i] / scale);
}

int32_t quant_fp8_row(const float *src, int64_t rows, int64_t cols, int64_t r0, int64_t r1,
                      uint8_t *dst) {
    if (!rows_finite(src, cols, r0, r1)) return QUANT_NON_FINITE;
    uint8_t *scales = dst + planar_scales_offset(rows, cols);
    for (int64_t r = r0; r < r1; r++) {
        const float *x = src + r * cols;
        float scale = absmax(x, cols) / 448.0f;
        put_f32(scales + 4 * r, scale);
        encode_scaled(x, scale, dst + r * cols, cols);
    }
    return QUANT_OK;
}

// One scale per 128x128 tile. The scale of a tile is taken over the whole tile, so a call for
// rows [r0, r1) that cuts a tile (the API never does) still agrees with the whole-matrix call.
int32_t quant_fp8_b128(const float *src, int64_t rows, int64_t cols, int64_t r0, int64_t r1,
                       uint8_t *dst) {
    const int64_t T = 128;
    int64_t tr0 = r0 / T, tr1 = ceil_div(r1, T), tiles_per_row = ceil_div(cols, T);
    int64_t read_hi = tr1 * T < rows ? tr1 * T : rows;
    if (!rows_finite(src, cols, tr0 * T, read_hi)) return QUANT_NON_FINITE;
    uint8_t *scales = dst + planar_scales_offset(rows, cols);
    for (int64_t tr = tr0; tr < tr1; tr++) {
        int64_t ra = tr * T, rb = ra + T < rows ? ra + T : rows;
        for (int64_t tc = 0; tc < tiles_per_row; tc++) {
            int64_t ca = tc * T, cb = ca + T < cols ? ca + T : cols;
            float amax = 0.0f;
            for (int64_t r = ra; r < rb; r++) {
                float a = absmax(src + r * cols + ca, cb - ca);
                if (a > amax) amax = a;
            }
            float scale = amax / 448.0f;
            put_f32(scales + 4 * (tr * tiles_per_row + tc), scale);
            for (int64_t r = (ra > r0 ? ra : r0); r < (rb < r1 ? rb : r1); r++) {
                encode_scaled(src + r * cols + ca, scale, dst + r * cols + ca, cb - ca);
            }
        }
    }
    return QUANT_OK;
}

// One row of a planar FP8 matrix: decode(code) * the scale of the code's row or tile.
void dequant_fp8_planar_row(int32_t format, const uint8_t *src, int64_t rows, int64_t cols,
                            int64_t r, float *out) {
    const uint8_t *scales = src + planar_scales_offset(rows, cols);
    int64_t tiles_per_row = ceil_div(cols, 128);
    for (int64_t c = 0; c < cols; c++) {
        int64_t si = format == VANE_FORMAT_FP8_E4M3_ROW ? r : (r / 128) * tiles_per_row + c / 128;
        out[c] = e4m3_to_f32(src[r * cols + c]) * get_f32(scales + 4 * si);
    }
}

// ---- the kernel-table entries ----------------------------------------------------------------

int32_t quantize_ref(int32_t format, const float *src, int64_t rows, int64_t cols, int64_t r0,
                     int64_t r1, void *dst_v) {
    uint8_t *dst = (uint8_t *)dst_v;
    switch (format) {
        case VANE_FORMAT_FP8_E4M3_ROW: return quant_fp8_row(src, rows, cols, r0, r1, dst);
        case VANE_FORMAT_FP8_E4M3_B128: return quant_fp8_b128(src, rows, cols, r0, r1, dst);
        default: break;
    }
    if (!rows_finite(src, cols, r0, r1)) return QUANT_NON_FINITE;
    switch (format) {
        case VANE_FORMAT_F32:
            memcpy(dst + 4 * r0 * cols, src + r0 * cols, (size_t)(4 * (r1 - r0) * cols));
            return QUANT_OK;
        case VANE_FORMAT_F16:
            for (int64_t i = r0 * cols; i < r1 * cols; i++) put_u16(dst + 2 * i, f32_to_f16_bits(src[i]));
            return QUANT_OK;
        case VANE_FORMAT_BF16:
            for (int64_t i = r0 * cols; i < r1 * cols; i++) put_u16(dst + 2 * i, f32_to_bf16_bits(src[i]));
            return QUANT_OK;
        default: break;
    }
    const FormatLayout *f = format_layout(format);
    if (f == nullptr) return QUANT_OK;
    int g = f->block_elems;
    int64_t nb = cols / g;
    for (int64_t r = r0; r < r1; r++) {
        for (int64_t b = 0; b < nb; b++) {
            int32_t res = quant_block(format, src + r * cols + b * g, g,
                                      dst + (r * nb + b) * f->block_bytes);
            if (res != QUANT_OK) return res;
        }
    }
    return QUANT_OK;
}

void dequantize_ref(int32_t format, const void *src, int64_t rows, int64_t cols, int64_t r0,
                    int64_t r1, float *dst) {
    for (int64_t r = r0; r < r1; r++) dequantize_row_ref(format, src, rows, cols, r, dst + r * cols);
}

}  // namespace

void dequantize_row_ref(int32_t format, const void *src_v, int64_t rows, int64_t cols, int64_t r,
                        float *out) {
    const uint8_t *src = (const uint8_t *)src_v;
    switch (format) {
        case VANE_FORMAT_F32:
            memcpy(out, src + 4 * r * cols, (size_t)(4 * cols));
            return;
        case VANE_FORMAT_F16:
            for (int64_t c = 0; c < cols; c++) out[c] = f16_bits_to_f32(get_u16(src + 2 * (r * cols + c)));
            return;
        case VANE_FORMAT_BF16:
            for (int64_t c = 0; c < cols; c++) out[c] = bf16_bits_to_f32(get_u16(src + 2 * (r * cols + c)));
            return;
        case VANE_FORMAT_FP8_E4M3_ROW:
        case VANE_FORMAT_FP8_E4M3_B128:
            dequant_fp8_planar_row(format, src, rows, cols, r, out);
            return;
        default: break;
    }
    const FormatLayout *f = format_layout(format);
    if (f == nullptr) return;
    int g = f->block_elems;
    int64_t nb = cols / g;
    for (int64_t b = 0; b < nb; b++) dequant_block(format, src + (r * nb + b) * f->block_bytes, g, out + b * g);
}

const QuantKernels quant_kernels_ref = {fp8_encode_ref, fp8_decode_ref, quantize_ref, dequantize_ref};

}  // namespace vane
