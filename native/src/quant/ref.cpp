// Plain scalar reference of the number-format family: the definition of correct. Every other
// variant (x86_avx2.cpp, x86_avx512*.cpp) must produce the same bytes and the same floats, bit for bit.
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
    const FormatTraits *f = format_traits(format);
    if (f == nullptr || f->quantize_block == nullptr) return QUANT_OK;  // the API sends block formats only
    int g = f->block_elems;
    int64_t nb = cols / g;
    for (int64_t r = r0; r < r1; r++) {
        for (int64_t b = 0; b < nb; b++) {
            int32_t res = f->quantize_block(src + r * cols + b * g, dst + (r * nb + b) * f->block_bytes);
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
    // An empty row (k = 0 in a GEMM) may come with null src and out: memcpy of null is
    // undefined even for 0 bytes (found by UBSan, test_gemm's k = 0 case).
    if (cols == 0) return;
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
    const FormatTraits *f = format_traits(format);
    if (f == nullptr || f->dequantize_block == nullptr) return;
    int g = f->block_elems;
    int64_t nb = cols / g;
    for (int64_t b = 0; b < nb; b++) f->dequantize_block(src + (r * nb + b) * f->block_bytes, out + b * g);
}

const QuantKernels quant_kernels_ref = {fp8_encode_ref, fp8_decode_ref, quantize_ref, dequantize_ref};

const Variants<QuantKernels> quant_variants = {{&quant_kernels_ref, &quant_kernels_avx2, &quant_kernels_avx512}};

}  // namespace vane
