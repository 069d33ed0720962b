// AVX-512 kernels of the group formats (compiled with F, BW, VL, DQ, VNNI): int4_sym_g*,
// int4_asym_g*, int8_g*, q4_0 and q8_0, the same bytes and floats as their reference codecs
// (vane_blocks.cpp) and as the AVX2 variant. A block is 32, 64 or 128 floats: 2, 4 or 8 whole
// vectors of 16, so no tails. Each block's scale is worked out in scalar code by scalar.h's
// helpers, as ref does; the codes are vectors narrowed by vpmovdb (its truncation is the low byte
// that ref's casts keep). A 4-bit block stores element j in the low nibble of byte j and element
// j + G/2 in its high nibble, so one 16-lane half of each makes 16 bytes.
#include "x86_avx512.h"  // first: it includes immintrin.h

#include <stdint.h>
#include <string.h>

#include "quant.h"
#include "scalar.h"

namespace vane {

namespace {
namespace avx512_blocks {  // named: see x86_avx512.cpp

using namespace avx512q;

#define VQ_INLINE inline __attribute__((always_inline))

// Bits of max |x| over a block (g a multiple of 16).
VQ_INLINE uint32_t block_amax_bits(const float *x, int g) {
    __m512i m = _mm512_setzero_si512();
    for (int j = 0; j < g; j += 16) m = _mm512_max_epu32(m, abs_bits(_mm512_loadu_ps(x + j)));
    return (uint32_t)_mm512_reduce_max_epu32(m);
}

// The first element with the largest magnitude (+0 for an all-zero block), given its bits: the
// element ref's strict-comparison scan keeps.
VQ_INLINE float first_with_abs(const float *x, int g, uint32_t ab) {
    if (ab == 0) return 0.0f;
    for (int j = 0; j < g; j += 16) {
        __mmask16 m = _mm512_cmpeq_epi32_mask(abs_bits(_mm512_loadu_ps(x + j)), set1(ab));
        if (m != 0) return x[j + __builtin_ctz((unsigned)m)];
    }
    return 0.0f;  // not reached
}

// 16 bytes lo | hi << 4 of two vectors of codes in 0..15.
VQ_INLINE void store_nibbles(uint8_t *p, __m512i lo, __m512i hi) {
    _mm_storeu_si128((__m128i *)p, _mm512_cvtepi32_epi8(_mm512_or_si512(lo, _mm512_slli_epi32(hi, 4))));
}

// ---- Vane's int4 / int8 groups --------------------------------------------------------------

int32_t quant_int4_sym(const float *x, int g, uint8_t *blk) {
    uint32_t ab = block_amax_bits(x, g);
    if (ab >= 0x7f800000u) return QUANT_NON_FINITE;
    float d = first_with_abs(x, g, ab) / -8.0f;
    uint16_t d16 = f32_to_f16_bits(d);
    if (!fp16_bits_finite(d16)) return QUANT_SCALE_RANGE;
    float dd = f16_bits_to_f32(d16);
    put_u16(blk, d16);
    const int h = g / 2;
    const __m512 vdd = _mm512_set1_ps(dd), lo = _mm512_set1_ps(-8.0f), hi = _mm512_set1_ps(7.0f);
    auto code = [&](const float *p) {  // clamp(rint(x / dd), -8, 7) + 8; 8 where dd == 0
        if (dd == 0.0f) return set1(8);
        __m512 q = _mm512_max_ps(_mm512_min_ps(nearbyint16(_mm512_div_ps(_mm512_loadu_ps(p), vdd)), hi), lo);
        return _mm512_add_epi32(_mm512_cvtps_epi32(q), set1(8));
    };
    for (int j = 0; j < h; j += 16) store_nibbles(blk + 2 + j, code(x + j), code(x + j + h));
    return QUANT_OK;
}

// Also Q4_0's dequantization (the same layout and formula).
void dequant_int4_sym(const uint8_t *blk, int g, float *y) {
    const __m512 vdd = _mm512_set1_ps(f16_bits_to_f32(get_u16(blk)));
    const int h = g / 2;
    for (int j = 0; j < h; j += 16) {
        __m512i b = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(blk + 2 + j)));
        __m512i c0 = _mm512_sub_epi32(_mm512_and_si512(b, set1(0xf)), set1(8));
        __m512i c1 = _mm512_sub_epi32(_mm512_srli_epi32(b, 4), set1(8));
        _mm512_storeu_ps(y + j, _mm512_mul_ps(_mm512_cvtepi32_ps(c0), vdd));
        _mm512_storeu_ps(y + j + h, _mm512_mul_ps(_mm512_cvtepi32_ps(c1), vdd));
    }
}

int32_t quant_int4_asym(const float *x, int g, uint8_t *blk) {
    if (block_amax_bits(x, g) >= 0x7f800000u) return QUANT_NON_FINITE;
    __m512 vlo = _mm512_loadu_ps(x), vhi = vlo;
    for (int j = 16; j < g; j += 16) {
        __m512 v = _mm512_loadu_ps(x + j);
        vlo = _mm512_min_ps(vlo, v);
        vhi = _mm512_max_ps(vhi, v);
    }
    // Exact (each step keeps one operand; only a zero's sign depends on the order): -0 -> +0, as ref.
    float lo = _mm512_reduce_min_ps(vlo) + 0.0f;
    float hi = _mm512_reduce_max_ps(vhi) + 0.0f;
    float d = (hi - lo) / 15.0f;
    uint16_t d16 = f32_to_f16_bits(d);
    uint16_t m16 = f32_to_f16_bits(lo);
    if (!fp16_bits_finite(d16) || !fp16_bits_finite(m16)) return QUANT_SCALE_RANGE;
    float dd = f16_bits_to_f32(d16);
    float mm = f16_bits_to_f32(m16);
    put_u16(blk, d16);
    put_u16(blk + 2, m16);
    const int h = g / 2;
    const __m512 vdd = _mm512_set1_ps(dd), vmm = _mm512_set1_ps(mm);
    const __m512 zero = _mm512_setzero_ps(), fifteen = _mm512_set1_ps(15.0f);
    auto code = [&](const float *p) {  // clamp(rint((x - mm) / dd), 0, 15); 0 where dd == 0
        if (dd == 0.0f) return _mm512_setzero_si512();
        __m512 q = nearbyint16(_mm512_div_ps(_mm512_sub_ps(_mm512_loadu_ps(p), vmm), vdd));
        return _mm512_cvtps_epi32(_mm512_max_ps(_mm512_min_ps(q, fifteen), zero));
    };
    for (int j = 0; j < h; j += 16) store_nibbles(blk + 4 + j, code(x + j), code(x + j + h));
    return QUANT_OK;
}

void dequant_int4_asym(const uint8_t *blk, int g, float *y) {
    const __m512 vdd = _mm512_set1_ps(f16_bits_to_f32(get_u16(blk)));
    const __m512 vmm = _mm512_set1_ps(f16_bits_to_f32(get_u16(blk + 2)));
    const int h = g / 2;
    for (int j = 0; j < h; j += 16) {
        __m512i b = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(blk + 4 + j)));
        __m512 c0 = _mm512_cvtepi32_ps(_mm512_and_si512(b, set1(0xf)));
        __m512 c1 = _mm512_cvtepi32_ps(_mm512_srli_epi32(b, 4));
        // A multiply, then an add (no fma), as ref.
        _mm512_storeu_ps(y + j, _mm512_add_ps(_mm512_mul_ps(c0, vdd), vmm));
        _mm512_storeu_ps(y + j + h, _mm512_add_ps(_mm512_mul_ps(c1, vdd), vmm));
    }
}

int32_t quant_int8(const float *x, int g, uint8_t *blk) {
    uint32_t ab = block_amax_bits(x, g);
    if (ab >= 0x7f800000u) return QUANT_NON_FINITE;
    float d = f32_from_bits(ab) / 127.0f;
    put_f32(blk, d);
    if (d == 0.0f) {
        memset(blk + 4, 0, (size_t)g);
        return QUANT_OK;
    }
    const __m512 vd = _mm512_set1_ps(d), lo = _mm512_set1_ps(-127.0f), hi = _mm512_set1_ps(127.0f);
    for (int j = 0; j < g; j += 16) {
        __m512 q = nearbyint16(_mm512_div_ps(_mm512_loadu_ps(x + j), vd));
        q = _mm512_max_ps(_mm512_min_ps(q, hi), lo);
        _mm_storeu_si128((__m128i *)(blk + 4 + j), _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(q)));
    }
    return QUANT_OK;
}

// 16 int8 codes times d (also Q8_0's dequantization).
VQ_INLINE void dequant_i8x16(const uint8_t *qs, __m512 vd, float *y) {
    __m512i q = _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)qs));
    _mm512_storeu_ps(y, _mm512_mul_ps(_mm512_cvtepi32_ps(q), vd));
}

void dequant_int8(const uint8_t *blk, int g, float *y) {
    const __m512 vd = _mm512_set1_ps(get_f32(blk));
    for (int j = 0; j < g; j += 16) dequant_i8x16(blk + 4 + j, vd, y + j);
}

// ---- GGUF Q4_0 and Q8_0 ---------------------------------------------------------------------

// Q4_0: MIN(15, (int8_t)(x * id + 8.5f)) kept as a uint8_t, as ref: the truncating conversion
// (0x80000000 for NaN / out of range, as x86_cvtt_i32), its low byte (vpmovdb), then a signed
// byte minimum.
VQ_INLINE __m128i q4_0_codes(const float *x, __m512 vid) {
    __m512 v = _mm512_add_ps(_mm512_mul_ps(_mm512_loadu_ps(x), vid), _mm512_set1_ps(8.5f));
    return _mm_min_epi8(_mm512_cvtepi32_epi8(_mm512_cvttps_epi32(v)), _mm_set1_epi8(15));
}

int32_t quant_q4_0(const float *x, uint8_t *blk) {
    uint32_t ab = block_amax_bits(x, 32);
    if (ab >= 0x7f800000u) return QUANT_NON_FINITE;
    float d = first_with_abs(x, 32, ab) / -8.0f;
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    uint16_t d16 = f32_to_f16_bits(d);
    if (!fp16_bits_finite(d16)) return QUANT_SCALE_RANGE;
    put_u16(blk, d16);
    const __m512 vid = _mm512_set1_ps(id);
    __m128i c0 = q4_0_codes(x, vid), c1 = q4_0_codes(x + 16, vid);
    // (uint8_t)(c0 | c1 << 4): c1's low nibble only (masked first: the shift is 16-bit).
    __m128i hi = _mm_slli_epi16(_mm_and_si128(c1, _mm_set1_epi8(0x0f)), 4);
    _mm_storeu_si128((__m128i *)(blk + 2), _mm_or_si128(c0, hi));
    return QUANT_OK;
}

// Q8_0: roundf (half away from zero) of x * id, then C's float -> int8_t on x86: truncate the
// integral value (exact), 0x80000000 for NaN / Inf, keep the low byte.
VQ_INLINE __m128i q8_0_codes(const float *x, __m512 vid) {
    __m512 v = _mm512_mul_ps(_mm512_loadu_ps(x), vid);
    __m512 t = _mm512_roundscale_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    __m512 afrac = _mm512_abs_ps(_mm512_sub_ps(v, t));  // exact
    __mmask16 up = _mm512_cmp_ps_mask(afrac, _mm512_set1_ps(0.5f), _CMP_GE_OQ);
    // copysign(1, v): the sign bit of v on 1.0f.
    __m512 one = _mm512_castsi512_ps(_mm512_ternarylogic_epi32(_mm512_castps_si512(v), set1(0x80000000u),
                                                              set1(0x3f800000u), 0xea));
    t = _mm512_mask_add_ps(t, up, t, one);
    return _mm512_cvtepi32_epi8(_mm512_cvttps_epi32(t));
}

int32_t quant_q8_0(const float *x, uint8_t *blk) {
    uint32_t ab = block_amax_bits(x, 32);
    if (ab >= 0x7f800000u) return QUANT_NON_FINITE;
    float d = f32_from_bits(ab) / 127.0f;
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    uint16_t d16 = f32_to_f16_bits(d);
    if (!fp16_bits_finite(d16)) return QUANT_SCALE_RANGE;
    put_u16(blk, d16);
    const __m512 vid = _mm512_set1_ps(id);
    _mm_storeu_si128((__m128i *)(blk + 2), q8_0_codes(x, vid));
    _mm_storeu_si128((__m128i *)(blk + 18), q8_0_codes(x + 16, vid));
    return QUANT_OK;
}

void dequant_q8_0(const uint8_t *blk, float *y) {
    const __m512 vd = _mm512_set1_ps(f16_bits_to_f32(get_u16(blk)));
    dequant_i8x16(blk + 2, vd, y);
    dequant_i8x16(blk + 18, vd, y + 16);
}

// ---- over many blocks ------------------------------------------------------------------------

// Quantizes nb blocks with fn(x, blk); a non-finite input wins over a scale overflow wherever
// they are (ref checks finiteness first), so the scan goes on after an overflow.
template <class Fn>
VQ_INLINE int32_t quant_each(const float *x, int64_t nb, int g, int bytes, uint8_t *dst, Fn fn) {
    int32_t result = QUANT_OK;
    for (int64_t b = 0; b < nb; b++) {
        int32_t res = fn(x + b * g, dst + b * bytes);
        if (res == QUANT_NON_FINITE) return res;
        if (res != QUANT_OK) result = res;
    }
    return result;
}

template <class Fn>
VQ_INLINE void dequant_each(const uint8_t *src, int64_t nb, int g, int bytes, float *y, Fn fn) {
    for (int64_t b = 0; b < nb; b++) fn(src + b * bytes, y + b * g);
}

}  // namespace avx512_blocks
}  // namespace

using namespace avx512_blocks;

bool quant_blocks_avx512_handles(int32_t format) {
    switch (format) {
        case VANE_FORMAT_INT4_SYM_G32:
        case VANE_FORMAT_INT4_SYM_G64:
        case VANE_FORMAT_INT4_SYM_G128:
        case VANE_FORMAT_INT4_ASYM_G32:
        case VANE_FORMAT_INT4_ASYM_G64:
        case VANE_FORMAT_INT4_ASYM_G128:
        case VANE_FORMAT_INT8_G32:
        case VANE_FORMAT_INT8_G64:
        case VANE_FORMAT_INT8_G128:
        case VANE_FORMAT_Q4_0:
        case VANE_FORMAT_Q8_0: return true;
        default: return false;
    }
}

int32_t quantize_blocks_avx512(int32_t format, const float *x, int64_t nb, uint8_t *dst) {
    const FormatTraits &f = *format_traits(format);
    const int g = f.block_elems, bytes = f.block_bytes;
    switch (format) {
        case VANE_FORMAT_Q4_0: return quant_each(x, nb, g, bytes, dst, quant_q4_0);
        case VANE_FORMAT_Q8_0: return quant_each(x, nb, g, bytes, dst, quant_q8_0);
        case VANE_FORMAT_INT8_G32:
        case VANE_FORMAT_INT8_G64:
        case VANE_FORMAT_INT8_G128:
            return quant_each(x, nb, g, bytes, dst, [g](const float *p, uint8_t *q) { return quant_int8(p, g, q); });
        case VANE_FORMAT_INT4_ASYM_G32:
        case VANE_FORMAT_INT4_ASYM_G64:
        case VANE_FORMAT_INT4_ASYM_G128:
            return quant_each(x, nb, g, bytes, dst, [g](const float *p, uint8_t *q) { return quant_int4_asym(p, g, q); });
        default:  // int4_sym_g*
            return quant_each(x, nb, g, bytes, dst, [g](const float *p, uint8_t *q) { return quant_int4_sym(p, g, q); });
    }
}

void dequantize_blocks_avx512(int32_t format, const uint8_t *src, int64_t nb, float *y) {
    const FormatTraits &f = *format_traits(format);
    const int g = f.block_elems, bytes = f.block_bytes;
    switch (format) {
        case VANE_FORMAT_Q8_0: return dequant_each(src, nb, g, bytes, y, dequant_q8_0);
        case VANE_FORMAT_INT8_G32:
        case VANE_FORMAT_INT8_G64:
        case VANE_FORMAT_INT8_G128:
            return dequant_each(src, nb, g, bytes, y, [g](const uint8_t *p, float *o) { dequant_int8(p, g, o); });
        case VANE_FORMAT_INT4_ASYM_G32:
        case VANE_FORMAT_INT4_ASYM_G64:
        case VANE_FORMAT_INT4_ASYM_G128:
            return dequant_each(src, nb, g, bytes, y, [g](const uint8_t *p, float *o) { dequant_int4_asym(p, g, o); });
        default:  // int4_sym_g* and q4_0
            return dequant_each(src, nb, g, bytes, y, [g](const uint8_t *p, float *o) { dequant_int4_sym(p, g, o); });
    }
}

#undef VQ_INLINE

}  // namespace vane
