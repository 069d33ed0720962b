// AVX2 + FMA + F16C variant of the number-format family (this file alone is compiled with
// -mavx2 -mfma -mf16c). It must give exactly the bytes and floats of ref.cpp: the same
// operations in the same order (no fma where ref multiplies and adds; -ffp-contract=off keeps
// the compiler from fusing them), with the scalar tails done by the very helpers ref.cpp uses.
//
// Everything except the exported table lives in an anonymous namespace, and scalar.h is all
// `static inline`, so no function compiled here with AVX2 can be picked by the linker for a
// baseline caller.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "quant.h"
#include "scalar.h"

namespace vane {

namespace {
// A named namespace inside the anonymous one keeps these names distinct from ref.cpp's
// internal functions, so tools that map symbols to objects (check_baseline_isa.py) can tell an
// AVX2 copy from a baseline one.
namespace avx2 {

#define VQ_INLINE inline __attribute__((always_inline))

// ---- small helpers -------------------------------------------------------------------------

VQ_INLINE __m256i set1(uint32_t v) { return _mm256_set1_epi32((int32_t)v); }
VQ_INLINE __m256i abs_bits(__m256 x) { return _mm256_and_si256(_mm256_castps_si256(x), set1(0x7fffffffu)); }

// Nearest integer in the current rounding mode, as nearbyintf in ref.cpp.
VQ_INLINE __m256 nearbyint8(__m256 v) { return _mm256_round_ps(v, _MM_FROUND_CUR_DIRECTION | _MM_FROUND_NO_EXC); }

VQ_INLINE uint32_t hmax_u32(__m256i v) {
    __m128i m = _mm_max_epu32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    m = _mm_max_epu32(m, _mm_shuffle_epi32(m, 0x4e));
    m = _mm_max_epu32(m, _mm_shuffle_epi32(m, 0xb1));
    return (uint32_t)_mm_cvtsi128_si32(m);
}
// Horizontal min / max of finite floats (exact: each step returns one of its operands; only the
// sign of a zero can depend on the order, and callers do not depend on it).
VQ_INLINE float hmin_ps(__m256 v) {
    __m128 m = _mm_min_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_min_ps(m, _mm_shuffle_ps(m, m, 0x4e));
    m = _mm_min_ps(m, _mm_shuffle_ps(m, m, 0xb1));
    return _mm_cvtss_f32(m);
}
VQ_INLINE float hmax_ps(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_shuffle_ps(m, m, 0x4e));
    m = _mm_max_ps(m, _mm_shuffle_ps(m, m, 0xb1));
    return _mm_cvtss_f32(m);
}

// Bits of max |x| over n floats (any n). The bits of non-negative floats order like the values,
// and NaN / Inf have the largest bits, so the result is >= 0x7f800000 iff a value is not finite.
uint32_t amax_bits(const float *x, int64_t n) {
    __m256i m = _mm256_setzero_si256();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) m = _mm256_max_epu32(m, abs_bits(_mm256_loadu_ps(x + i)));
    uint32_t r = hmax_u32(m);
    for (; i < n; i++) {
        uint32_t a = f32_bits(x[i]) & 0x7fffffffu;
        if (a > r) r = a;
    }
    return r;
}

// The same for a block of g floats, g a multiple of 8.
VQ_INLINE uint32_t amax_bits_block(const float *x, int g) {
    __m256i m = _mm256_setzero_si256();
    for (int j = 0; j < g; j += 8) m = _mm256_max_epu32(m, abs_bits(_mm256_loadu_ps(x + j)));
    return hmax_u32(m);
}

// Whether all n floats are finite.
bool all_finite(const float *x, int64_t n) {
    const __m256i e = set1(0x7f800000u);
    __m256i bad = _mm256_setzero_si256();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i u = _mm256_castps_si256(_mm256_loadu_ps(x + i));
        bad = _mm256_or_si256(bad, _mm256_cmpeq_epi32(_mm256_and_si256(u, e), e));
    }
    if (!_mm256_testz_si256(bad, bad)) return false;
    for (; i < n; i++) {
        if (!isfinite(x[i])) return false;
    }
    return true;
}

// 8 int32 lanes holding 0..255 each -> 8 bytes; 2 x 8 -> 16 bytes; 4 x 8 -> 32 bytes (in order).
VQ_INLINE __m128i pack16_u8(__m256i a, __m256i b) {
    __m256i w = _mm256_packus_epi32(a, b);      // a0-3 b0-3 | a4-7 b4-7
    w = _mm256_permute4x64_epi64(w, 0xd8);       // a0-3 a4-7 | b0-3 b4-7
    return _mm_packus_epi16(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
}
VQ_INLINE __m256i pack32_u8(__m256i a, __m256i b, __m256i c, __m256i d) {
    __m256i ab = _mm256_packus_epi32(a, b);      // a0-3 b0-3 | a4-7 b4-7
    __m256i cd = _mm256_packus_epi32(c, d);      // c0-3 d0-3 | c4-7 d4-7
    __m256i x = _mm256_packus_epi16(ab, cd);     // dwords: a0 b0 c0 d0 | a1 b1 c1 d1
    return _mm256_permutevar8x32_epi32(x, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}
VQ_INLINE void store8_u8(uint8_t *p, __m256i a) {
    _mm_storel_epi64((__m128i *)p, pack16_u8(a, a));
}

// ---- FP8 -----------------------------------------------------------------------------------

struct Fp8Spec {
    uint32_t mbits, bias, max_f32, max_code;
    float sub_scale;  // 2^(bias - 1 + mbits): |x| * sub_scale is the subnormal code
};
const Fp8Spec kE4M3 = {3, 7, 0x43e00000u, 0x7e, 0x1p9f};
const Fp8Spec kE5M2 = {2, 15, 0x47600000u, 0x7b, 0x1p16f};

// 8 floats -> 8 fp8 codes in int32 lanes; the same rules as fp8_encode_generic in scalar.h.
VQ_INLINE __m256i fp8_enc8(__m256 x, const Fp8Spec &k) {
    __m256i u = _mm256_castps_si256(x);
    __m256i a = _mm256_and_si256(u, set1(0x7fffffffu));
    __m256i sign = _mm256_and_si256(_mm256_srli_epi32(u, 24), set1(0x80u));
    // Normal: rebias the exponent, round the mantissa to mbits bits (add half - 1 + lsb, shift).
    __m128i cnt = _mm_cvtsi32_si128((int)(23 - k.mbits));
    __m256i r = _mm256_sub_epi32(a, set1((127u - k.bias) << 23));
    __m256i lsb = _mm256_and_si256(_mm256_srl_epi32(r, cnt), set1(1u));
    __m256i half = set1((1u << (22 - k.mbits)) - 1u);
    __m256i cn = _mm256_srl_epi32(_mm256_add_epi32(_mm256_add_epi32(r, half), lsb), cnt);
    // Subnormal: |x| * 2^(bias - 1 + mbits) is exact; round it to the nearest even integer.
    __m256 f = _mm256_mul_ps(_mm256_castsi256_ps(a), _mm256_set1_ps(k.sub_scale));
    __m256i cs = _mm256_cvtps_epi32(_mm256_round_ps(f, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    __m256i is_sub = _mm256_cmpgt_epi32(set1((128u - k.bias) << 23), a);
    __m256i c = _mm256_blendv_epi8(cn, cs, is_sub);
    // Saturate (Inf included), then NaN, then the sign.
    c = _mm256_blendv_epi8(c, set1(k.max_code), _mm256_cmpgt_epi32(a, set1(k.max_f32 - 1)));
    c = _mm256_blendv_epi8(c, set1(0x7fu), _mm256_cmpgt_epi32(a, set1(0x7f800000u)));
    return _mm256_or_si256(c, sign);
}

VQ_INLINE __m128i load8_u16(const uint8_t *p) { return _mm_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)p)); }

// Sets the quiet bit of NaN lanes (what f16_bits_to_f32 does), whatever F16C does with sNaNs.
VQ_INLINE __m256 quiet_nans(__m256 f) {
    __m256 isnan = _mm256_cmp_ps(f, f, _CMP_UNORD_Q);
    return _mm256_or_ps(f, _mm256_and_ps(isnan, _mm256_castsi256_ps(set1(0x400000u))));
}

// E4M3 codes (8 x u16) -> floats: the code placed as fp16 bits (sign, 4 exponent + 3 mantissa
// bits) is the value * 2^-8, subnormals included; then patch the NaN codes.
VQ_INLINE __m256 e4m3_dec8(__m128i w) {
    __m128i h = _mm_or_si128(_mm_slli_epi16(_mm_and_si128(w, _mm_set1_epi16(0x80)), 8),
                             _mm_slli_epi16(_mm_and_si128(w, _mm_set1_epi16(0x7f)), 7));
    __m256 f = _mm256_mul_ps(_mm256_cvtph_ps(h), _mm256_set1_ps(256.0f));
    __m256i c = _mm256_cvtepu16_epi32(w);
    __m256i nan_mask = _mm256_cmpeq_epi32(_mm256_and_si256(c, set1(0x7fu)), set1(0x7fu));
    __m256i nan = _mm256_or_si256(_mm256_slli_epi32(_mm256_and_si256(c, set1(0x80u)), 24), set1(0x7fc00000u));
    return _mm256_blendv_ps(f, _mm256_castsi256_ps(nan), _mm256_castsi256_ps(nan_mask));
}
// E5M2 codes are the top byte of an fp16.
VQ_INLINE __m256 e5m2_dec8(__m128i w) { return quiet_nans(_mm256_cvtph_ps(_mm_slli_epi16(w, 8))); }

void fp8_encode_avx2(int32_t kind, const float *src, uint8_t *dst, int64_t n) {
    const Fp8Spec &k = kind == VANE_FP8_E5M2 ? kE5M2 : kE4M3;
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i c0 = fp8_enc8(_mm256_loadu_ps(src + i), k);
        __m256i c1 = fp8_enc8(_mm256_loadu_ps(src + i + 8), k);
        __m256i c2 = fp8_enc8(_mm256_loadu_ps(src + i + 16), k);
        __m256i c3 = fp8_enc8(_mm256_loadu_ps(src + i + 24), k);
        _mm256_storeu_si256((__m256i *)(dst + i), pack32_u8(c0, c1, c2, c3));
    }
    for (; i + 8 <= n; i += 8) store8_u8(dst + i, fp8_enc8(_mm256_loadu_ps(src + i), k));
    for (; i < n; i++) dst[i] = kind == VANE_FP8_E5M2 ? f32_to_e5m2(src[i]) : f32_to_e4m3(src[i]);
}

void fp8_decode_avx2(int32_t kind, const uint8_t *src, float *dst, int64_t n) {
    int64_t i = 0;
    if (kind == VANE_FP8_E5M2) {
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, e5m2_dec8(load8_u16(src + i)));
        for (; i < n; i++) dst[i] = e5m2_to_f32(src[i]);
    } else {
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, e4m3_dec8(load8_u16(src + i)));
        for (; i < n; i++) dst[i] = e4m3_to_f32(src[i]);
    }
}

// Planar FP8: code = e4m3(x / scale) (a true division); all 0 if scale == 0.
void encode_scaled(const float *x, float scale, uint8_t *codes, int64_t n) {
    if (scale == 0.0f) {
        memset(codes, 0, (size_t)n);
        return;
    }
    const __m256 s = _mm256_set1_ps(scale);
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i c0 = fp8_enc8(_mm256_div_ps(_mm256_loadu_ps(x + i), s), kE4M3);
        __m256i c1 = fp8_enc8(_mm256_div_ps(_mm256_loadu_ps(x + i + 8), s), kE4M3);
        __m256i c2 = fp8_enc8(_mm256_div_ps(_mm256_loadu_ps(x + i + 16), s), kE4M3);
        __m256i c3 = fp8_enc8(_mm256_div_ps(_mm256_loadu_ps(x + i + 24), s), kE4M3);
        _mm256_storeu_si256((__m256i *)(codes + i), pack32_u8(c0, c1, c2, c3));
    }
    for (; i + 8 <= n; i += 8) store8_u8(codes + i, fp8_enc8(_mm256_div_ps(_mm256_loadu_ps(x + i), s), kE4M3));
    for (; i < n; i++) codes[i] = f32_to_e4m3(x[i] / scale);
}

void decode_scaled(const uint8_t *codes, float scale, float *y, int64_t n) {
    const __m256 s = _mm256_set1_ps(scale);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(e4m3_dec8(load8_u16(codes + i)), s));
    for (; i < n; i++) y[i] = e4m3_to_f32(codes[i]) * scale;
}

int32_t quant_fp8_row(const float *src, int64_t rows, int64_t cols, int64_t r0, int64_t r1,
                      uint8_t *dst) {
    uint8_t *scales = dst + planar_scales_offset(rows, cols);
    for (int64_t r = r0; r < r1; r++) {
        const float *x = src + r * cols;
        uint32_t ab = amax_bits(x, cols);
        if (ab >= 0x7f800000u) return QUANT_NON_FINITE;
        float scale = f32_from_bits(ab) / 448.0f;
        put_f32(scales + 4 * r, scale);
        encode_scaled(x, scale, dst + r * cols, cols);
    }
    return QUANT_OK;
}

int32_t quant_fp8_b128(const float *src, int64_t rows, int64_t cols, int64_t r0, int64_t r1,
                       uint8_t *dst) {
    const int64_t T = 128, kGroup = 64;
    int64_t tr0 = r0 / T, tr1 = ceil_div(r1, T), tiles_per_row = ceil_div(cols, T);
    uint8_t *scales = dst + planar_scales_offset(rows, cols);
    uint32_t ab[kGroup];
    float sc[kGroup];
    for (int64_t tr = tr0; tr < tr1; tr++) {
        int64_t ra = tr * T, rb = ra + T < rows ? ra + T : rows;
        int64_t wa = ra > r0 ? ra : r0, wb = rb < r1 ? rb : r1;  // rows this call writes
        // Tiles in groups of up to 64 columns of tiles, each pass reading the rows in order
        // (the maximum is exact, so the order does not change it).
        for (int64_t tg = 0; tg < tiles_per_row; tg += kGroup) {
            int64_t ng = tiles_per_row - tg < kGroup ? tiles_per_row - tg : kGroup;
            int64_t ca = tg * T, cb = (tg + ng) * T < cols ? (tg + ng) * T : cols;
            for (int64_t t = 0; t < ng; t++) ab[t] = 0;
            for (int64_t r = ra; r < rb; r++) {
                for (int64_t t = 0; t < ng; t++) {
                    int64_t c0 = ca + t * T, c1 = c0 + T < cb ? c0 + T : cb;
                    uint32_t a = amax_bits(src + r * cols + c0, c1 - c0);
                    if (a > ab[t]) ab[t] = a;
                }
            }
            for (int64_t t = 0; t < ng; t++) {
                if (ab[t] >= 0x7f800000u) return QUANT_NON_FINITE;
                sc[t] = f32_from_bits(ab[t]) / 448.0f;
                put_f32(scales + 4 * (tr * tiles_per_row + tg + t), sc[t]);
            }
            for (int64_t r = wa; r < wb; r++) {
                for (int64_t t = 0; t < ng; t++) {
                    int64_t c0 = ca + t * T, c1 = c0 + T < cb ? c0 + T : cb;
                    encode_scaled(src + r * cols + c0, sc[t], dst + r * cols + c0, c1 - c0);
                }
            }
        }
    }
    return QUANT_OK;
}

void dequant_fp8_planar(int32_t format, const uint8_t *src, int64_t rows, int64_t cols,
                        int64_t r0, int64_t r1, float *dst) {
    const uint8_t *scales = src + planar_scales_offset(rows, cols);
    int64_t tiles_per_row = ceil_div(cols, 128);
    for (int64_t r = r0; r < r1; r++) {
        if (format == VANE_FORMAT_FP8_E4M3_ROW) {
            decode_scaled(src + r * cols, get_f32(scales + 4 * r), dst + r * cols, cols);
            continue;
        }
        for (int64_t tc = 0; tc < tiles_per_row; tc++) {
            int64_t ca = tc * 128, cb = ca + 128 < cols ? ca + 128 : cols;
            float scale = get_f32(scales + 4 * ((r / 128) * tiles_per_row + tc));
            decode_scaled(src + r * cols + ca, scale, dst + r * cols + ca, cb - ca);
        }
    }
}

// ---- block formats (G is 32, 64 or 128: whole vectors, no tails) -----------------------------

// The first element with the largest magnitude (+0 for an all-zero block), given its bits.
VQ_INLINE float first_with_abs(const float *x, int g, uint32_t ab) {
    if (ab == 0) return 0.0f;
    const __m256i t = set1(ab);
    for (int j = 0; j < g; j += 8) {
        int mask = _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(abs_bits(_mm256_loadu_ps(x + j)), t)));
        if (mask != 0) return x[j + __builtin_ctz((unsigned)mask)];
    }
    return 0.0f;  // not reached
}

int32_t quant_int4_sym(const float *x, int g, uint8_t *blk) {
    uint32_t ab = amax_bits_block(x, g);
    if (ab >= 0x7f800000u) return QUANT_NON_FINITE;
    float m = first_with_abs(x, g, ab);
    float d = m / -8.0f;
    uint16_t d16 = f32_to_f16_bits(d);
    if (!fp16_bits_finite(d16)) return QUANT_SCALE_RANGE;
    float dd = f16_bits_to_f32(d16);
    put_u16(blk, d16);
    uint8_t *qs = blk + 2;
    const __m256 vdd = _mm256_set1_ps(dd), lo = _mm256_set1_ps(-8.0f), hi = _mm256_set1_ps(7.0f);
    const __m256i eight = set1(8);
    const int h = g / 2;
    for (int j = 0; j < h; j += 16) {
        __m256i c[4];
        const float *p[4] = {x + j, x + j + 8, x + j + h, x + j + h + 8};
        for (int t = 0; t < 4; t++) {
            if (dd == 0.0f) {
                c[t] = eight;
            } else {
                __m256 q = nearbyint8(_mm256_div_ps(_mm256_loadu_ps(p[t]), vdd));
                q = _mm256_max_ps(_mm256_min_ps(q, hi), lo);
                c[t] = _mm256_add_epi32(_mm256_cvtps_epi32(q), eight);
            }
        }
        __m256i b0 = _mm256_or_si256(c[0], _mm256_slli_epi32(c[2], 4));
        __m256i b1 = _mm256_or_si256(c[1], _mm256_slli_epi32(c[3], 4));
        _mm_storeu_si128((__m128i *)(qs + j), pack16_u8(b0, b1));
    }
    return QUANT_OK;
}

// Also Q4_0's dequantization (same layout and formula).
void dequant_int4_sym(const uint8_t *blk, int g, float *y) {
    const __m256 vdd = _mm256_set1_ps(f16_bits_to_f32(get_u16(blk)));
    const uint8_t *qs = blk + 2;
    const int h = g / 2;
    const __m256i eight = set1(8), low = set1(0xf);
    for (int j = 0; j < h; j += 8) {
        __m256i b = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(qs + j)));
        __m256i c0 = _mm256_sub_epi32(_mm256_and_si256(b, low), eight);
        __m256i c1 = _mm256_sub_epi32(_mm256_srli_epi32(b, 4), eight);
        _mm256_storeu_ps(y + j, _mm256_mul_ps(_mm256_cvtepi32_ps(c0), vdd));
        _mm256_storeu_ps(y + j + h, _mm256_mul_ps(_mm256_cvtepi32_ps(c1), vdd));
    }
}

int32_t quant_int4_asym(const float *x, int g, uint8_t *blk) {
    if (amax_bits_block(x, g) >= 0x7f800000u) return QUANT_NON_FINITE;
    __m256 vlo = _mm256_loadu_ps(x), vhi = vlo;
    for (int j = 8; j < g; j += 8) {
        __m256 v = _mm256_loadu_ps(x + j);
        vlo = _mm256_min_ps(vlo, v);
        vhi = _mm256_max_ps(vhi, v);
    }
    float lo = hmin_ps(vlo) + 0.0f;  // -0 -> +0, as ref
    float hi = hmax_ps(vhi) + 0.0f;
    float d = (hi - lo) / 15.0f;
    uint16_t d16 = f32_to_f16_bits(d);
    uint16_t m16 = f32_to_f16_bits(lo);
    if (!fp16_bits_finite(d16) || !fp16_bits_finite(m16)) return QUANT_SCALE_RANGE;
    float dd = f16_bits_to_f32(d16);
    float mm = f16_bits_to_f32(m16);
    put_u16(blk, d16);
    put_u16(blk + 2, m16);
    uint8_t *qs = blk + 4;
    const __m256 vdd = _mm256_set1_ps(dd), vmm = _mm256_set1_ps(mm);
    const __m256 zero = _mm256_setzero_ps(), fifteen = _mm256_set1_ps(15.0f);
    const int h = g / 2;
    for (int j = 0; j < h; j += 16) {
        __m256i c[4];
        const float *p[4] = {x + j, x + j + 8, x + j + h, x + j + h + 8};
        for (int t = 0; t < 4; t++) {
            if (dd == 0.0f) {
                c[t] = _mm256_setzero_si256();
            } else {
                __m256 q = nearbyint8(_mm256_div_ps(_mm256_sub_ps(_mm256_loadu_ps(p[t]), vmm), vdd));
                q = _mm256_max_ps(_mm256_min_ps(q, fifteen), zero);
                c[t] = _mm256_cvtps_epi32(q);
            }
        }
        __m256i b0 = _mm256_or_si256(c[0], _mm256_slli_epi32(c[2], 4));
        __m256i b1 = _mm256_or_si256(c[1], _mm256_slli_epi32(c[3], 4));
        _mm_storeu_si128((__m128i *)(qs + j), pack16_u8(b0, b1));
    }
    return QUANT_OK;
}

void dequant_int4_asym(const uint8_t *blk, int g, float *y) {
    const __m256 vdd = _mm256_set1_ps(f16_bits_to_f32(get_u16(blk)));
    const __m256 vmm = _mm256_set1_ps(f16_bits_to_f32(get_u16(blk + 2)));
    const uint8_t *qs = blk + 4;
    const int h = g / 2;
    const __m256i low = set1(0xf);
    for (int j = 0; j < h; j += 8) {
        __m256i b = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(qs + j)));
        __m256 c0 = _mm256_cvtepi32_ps(_mm256_and_si256(b, low));
        __m256 c1 = _mm256_cvtepi32_ps(_mm256_srli_epi32(b, 4));
        // A multiply, then an add (no fma), as ref.
        _mm256_storeu_ps(y + j, _mm256_add_ps(_mm256_mul_ps(c0, vdd), vmm));
        _mm256_storeu_ps(y + j + h, _mm256_add_ps(_mm256_mul_ps(c1, vdd), vmm));
    }
}

int32_t quant_int8(const float *x, int g, uint8_t *blk) {
    uint32_t ab = amax_bits_block(x, g);
    if (ab >= 0x7f800000u) return QUANT_NON_FINITE;
    float d = f32_from_bits(ab) / 127.0f;
    put_f32(blk, d);
    uint8_t *qs = blk + 4;
    if (d == 0.0f) {
        memset(qs, 0, (size_t)g);
        return QUANT_OK;
    }
    const __m256 vd = _mm256_set1_ps(d), lo = _mm256_set1_ps(-127.0f), hi = _mm256_set1_ps(127.0f);
    const __m256i byte = set1(0xffu);
    for (int j = 0; j < g; j += 32) {
        __m256i c[4];
        for (int t = 0; t < 4; t++) {
            __m256 q = nearbyint8(_mm256_div_ps(_mm256_loadu_ps(x + j + 8 * t), vd));
            q = _mm256_max_ps(_mm256_min_ps(q, hi), lo);
            c[t] = _mm256_and_si256(_mm256_cvtps_epi32(q), byte);  // two's complement low byte
        }
        _mm256_storeu_si256((__m256i *)(qs + j), pack32_u8(c[0], c[1], c[2], c[3]));
    }
    return QUANT_OK;
}

void dequant_int8(const uint8_t *blk, int g, float *y) {
    const __m256 vd = _mm256_set1_ps(get_f32(blk));
    const uint8_t *qs = blk + 4;
    for (int j = 0; j < g; j += 8) {
        __m256i q = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(qs + j)));
        _mm256_storeu_ps(y + j, _mm256_mul_ps(_mm256_cvtepi32_ps(q), vd));
    }
}

// GGUF Q4_0: c = MIN(15, (int8_t)(x * id + 8.5f)) kept as a uint8_t, exactly as ref.
VQ_INLINE __m256i q4_0_code(__m256 v, __m256 vid) {
    __m256i t = _mm256_cvttps_epi32(_mm256_add_ps(_mm256_mul_ps(v, vid), _mm256_set1_ps(8.5f)));
    t = _mm256_srai_epi32(_mm256_slli_epi32(t, 24), 24);  // (int8_t) cast: sign-extended low byte
    t = _mm256_min_epi32(t, set1(15));
    return _mm256_and_si256(t, set1(0xffu));               // stored as uint8_t
}

int32_t quant_q4_0(const float *x, uint8_t *blk) {
    uint32_t ab = amax_bits_block(x, 32);
    if (ab >= 0x7f800000u) return QUANT_NON_FINITE;
    float max = first_with_abs(x, 32, ab);
    float d = max / -8.0f;
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    uint16_t d16 = f32_to_f16_bits(d);
    if (!fp16_bits_finite(d16)) return QUANT_SCALE_RANGE;
    put_u16(blk, d16);
    const __m256 vid = _mm256_set1_ps(id);
    __m256i c0 = q4_0_code(_mm256_loadu_ps(x), vid);
    __m256i c1 = q4_0_code(_mm256_loadu_ps(x + 8), vid);
    __m256i c2 = q4_0_code(_mm256_loadu_ps(x + 16), vid);
    __m256i c3 = q4_0_code(_mm256_loadu_ps(x + 24), vid);
    const __m256i byte = set1(0xffu);
    __m256i b0 = _mm256_and_si256(_mm256_or_si256(c0, _mm256_slli_epi32(c2, 4)), byte);
    __m256i b1 = _mm256_and_si256(_mm256_or_si256(c1, _mm256_slli_epi32(c3, 4)), byte);
    _mm_storeu_si128((__m128i *)(blk + 2), pack16_u8(b0, b1));
    return QUANT_OK;
}

// roundf (half away from zero) of 8 floats, then C's float -> int8_t on x86: truncate the
// integral value (exact), 0x80000000 for NaN / Inf, keep the low byte.
VQ_INLINE __m256i q8_0_code(__m256 v) {
    __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    __m256 frac = _mm256_sub_ps(v, t);  // exact
    const __m256 sign_mask = _mm256_castsi256_ps(set1(0x80000000u));
    __m256 afrac = _mm256_andnot_ps(sign_mask, frac);
    __m256 up = _mm256_cmp_ps(afrac, _mm256_set1_ps(0.5f), _CMP_GE_OQ);
    __m256 one = _mm256_or_ps(_mm256_and_ps(v, sign_mask), _mm256_set1_ps(1.0f));  // copysign(1, v)
    t = _mm256_add_ps(t, _mm256_and_ps(up, one));
    return _mm256_and_si256(_mm256_cvttps_epi32(t), set1(0xffu));
}

int32_t quant_q8_0(const float *x, uint8_t *blk) {
    uint32_t ab = amax_bits_block(x, 32);
    if (ab >= 0x7f800000u) return QUANT_NON_FINITE;
    float d = f32_from_bits(ab) / 127.0f;
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    uint16_t d16 = f32_to_f16_bits(d);
    if (!fp16_bits_finite(d16)) return QUANT_SCALE_RANGE;
    put_u16(blk, d16);
    const __m256 vid = _mm256_set1_ps(id);
    __m256i c0 = q8_0_code(_mm256_mul_ps(_mm256_loadu_ps(x), vid));
    __m256i c1 = q8_0_code(_mm256_mul_ps(_mm256_loadu_ps(x + 8), vid));
    __m256i c2 = q8_0_code(_mm256_mul_ps(_mm256_loadu_ps(x + 16), vid));
    __m256i c3 = q8_0_code(_mm256_mul_ps(_mm256_loadu_ps(x + 24), vid));
    _mm256_storeu_si256((__m256i *)(blk + 2), pack32_u8(c0, c1, c2, c3));
    return QUANT_OK;
}

void dequant_q8_0(const uint8_t *blk, float *y) {
    const __m256 vd = _mm256_set1_ps(f16_bits_to_f32(get_u16(blk)));
    const uint8_t *qs = blk + 2;
    for (int j = 0; j < 32; j += 8) {
        __m256i q = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(qs + j)));
        _mm256_storeu_ps(y + j, _mm256_mul_ps(_mm256_cvtepi32_ps(q), vd));
    }
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
        default:  // GGUF's other formats: the reference codec (they are quantized at load or by vane quantize)
            if (!all_finite(x, g)) return QUANT_NON_FINITE;
            return format_traits(format)->quantize_block(x, blk);
    }
}

void dequant_block(int32_t format, const uint8_t *blk, int g, float *y) {
    switch (format) {
        case VANE_FORMAT_INT4_SYM_G32:
        case VANE_FORMAT_INT4_SYM_G64:
        case VANE_FORMAT_INT4_SYM_G128:
        case VANE_FORMAT_Q4_0: dequant_int4_sym(blk, g, y); break;
        case VANE_FORMAT_INT4_ASYM_G32:
        case VANE_FORMAT_INT4_ASYM_G64:
        case VANE_FORMAT_INT4_ASYM_G128: dequant_int4_asym(blk, g, y); break;
        case VANE_FORMAT_INT8_G32:
        case VANE_FORMAT_INT8_G64:
        case VANE_FORMAT_INT8_G128: dequant_int8(blk, g, y); break;
        case VANE_FORMAT_Q8_0: dequant_q8_0(blk, y); break;
        default: format_traits(format)->dequantize_block(blk, y); break;  // the reference codec
    }
}

// ---- unscaled formats (flat over the rows' elements) -----------------------------------------

int32_t quant_f16(const float *x, uint8_t *dst, int64_t n) {
    if (!all_finite(x, n)) return QUANT_NON_FINITE;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        _mm_storeu_si128((__m128i *)(dst + 2 * i), h);
    }
    for (; i < n; i++) put_u16(dst + 2 * i, f32_to_f16_bits(x[i]));
    return QUANT_OK;
}

VQ_INLINE __m256i bf16_round8(__m256 x) {  // finite inputs: RNE of the top 16 bits
    __m256i u = _mm256_castps_si256(x);
    __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(u, 16), set1(1u));
    return _mm256_srli_epi32(_mm256_add_epi32(_mm256_add_epi32(u, set1(0x7fffu)), lsb), 16);
}

int32_t quant_bf16(const float *x, uint8_t *dst, int64_t n) {
    if (!all_finite(x, n)) return QUANT_NON_FINITE;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256i w = _mm256_packus_epi32(bf16_round8(_mm256_loadu_ps(x + i)), bf16_round8(_mm256_loadu_ps(x + i + 8)));
        _mm256_storeu_si256((__m256i *)(dst + 2 * i), _mm256_permute4x64_epi64(w, 0xd8));
    }
    for (; i < n; i++) put_u16(dst + 2 * i, f32_to_bf16_bits(x[i]));
    return QUANT_OK;
}

void dequant_f16(const uint8_t *src, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m128i h = _mm_loadu_si128((const __m128i *)(src + 2 * i));
        _mm256_storeu_ps(y + i, quiet_nans(_mm256_cvtph_ps(h)));
    }
    for (; i < n; i++) y[i] = f16_bits_to_f32(get_u16(src + 2 * i));
}

void dequant_bf16(const uint8_t *src, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(src + 2 * i)));
        _mm256_storeu_si256((__m256i *)(y + i), _mm256_slli_epi32(w, 16));
    }
    for (; i < n; i++) y[i] = bf16_bits_to_f32(get_u16(src + 2 * i));
}

// ---- the kernel-table entries ----------------------------------------------------------------

int32_t quantize_avx2(int32_t format, const float *src, int64_t rows, int64_t cols, int64_t r0,
                      int64_t r1, void *dst_v) {
    uint8_t *dst = (uint8_t *)dst_v;
    const float *x = src + r0 * cols;
    int64_t n = (r1 - r0) * cols;
    switch (format) {
        case VANE_FORMAT_F32:
            if (!all_finite(x, n)) return QUANT_NON_FINITE;
            memcpy(dst + 4 * r0 * cols, x, (size_t)(4 * n));
            return QUANT_OK;
        case VANE_FORMAT_F16: return quant_f16(x, dst + 2 * r0 * cols, n);
        case VANE_FORMAT_BF16: return quant_bf16(x, dst + 2 * r0 * cols, n);
        case VANE_FORMAT_FP8_E4M3_ROW: return quant_fp8_row(src, rows, cols, r0, r1, dst);
        case VANE_FORMAT_FP8_E4M3_B128: return quant_fp8_b128(src, rows, cols, r0, r1, dst);
        default: break;
    }
    const FormatTraits *f = format_traits(format);
    if (f == nullptr) return QUANT_OK;
    int g = f->block_elems;
    int64_t nb = cols / g;
    // A non-finite input wins over a scale overflow wherever they are (as ref, which checks
    // finiteness first), so keep scanning after an overflow.
    int32_t result = QUANT_OK;
    for (int64_t r = r0; r < r1; r++) {
        for (int64_t b = 0; b < nb; b++) {
            int32_t res = quant_block(format, src + r * cols + b * g, g, dst + (r * nb + b) * f->block_bytes);
            if (res == QUANT_NON_FINITE) return res;
            if (res != QUANT_OK) result = res;
        }
    }
    return result;
}

void dequantize_avx2(int32_t format, const void *src_v, int64_t rows, int64_t cols, int64_t r0,
                     int64_t r1, float *dst) {
    const uint8_t *src = (const uint8_t *)src_v;
    int64_t n = (r1 - r0) * cols;
    switch (format) {
        case VANE_FORMAT_F32:
            memcpy(dst + r0 * cols, src + 4 * r0 * cols, (size_t)(4 * n));
            return;
        case VANE_FORMAT_F16: dequant_f16(src + 2 * r0 * cols, dst + r0 * cols, n); return;
        case VANE_FORMAT_BF16: dequant_bf16(src + 2 * r0 * cols, dst + r0 * cols, n); return;
        case VANE_FORMAT_FP8_E4M3_ROW:
        case VANE_FORMAT_FP8_E4M3_B128: dequant_fp8_planar(format, src, rows, cols, r0, r1, dst); return;
        default: break;
    }
    const FormatTraits *f = format_traits(format);
    if (f == nullptr) return;
    int g = f->block_elems;
    int64_t nb = cols / g;
    for (int64_t r = r0; r < r1; r++) {
        for (int64_t b = 0; b < nb; b++) {
            dequant_block(format, src + (r * nb + b) * f->block_bytes, g, dst + r * cols + b * g);
        }
    }
}

#undef VQ_INLINE

}  // namespace avx2
}  // namespace

const QuantKernels quant_kernels_avx2 = {avx2::fp8_encode_avx2, avx2::fp8_decode_avx2, avx2::quantize_avx2,
                                         avx2::dequantize_avx2};

}  // namespace vane
