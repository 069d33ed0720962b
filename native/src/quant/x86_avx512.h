// The AVX-512 variant of the number-format family (F, BW, VL, DQ): what its two units share.
// x86_avx512.cpp holds the FP8, planar FP8, f16 / bf16 kernels and the table;
// x86_avx512_blocks.cpp the group formats (int4_*, int8_*, q4_0, q8_0). Included by those AVX-512
// units alone.
//
// The helpers are `static inline` and always inlined (as scalar.h's), in a namespace of their
// own, so no baseline or AVX2 unit can end up calling an AVX-512 copy of them.
#pragma once
#include <stdint.h>

// GCC 12's 512-bit intrinsics start from _mm512_undefined_*(), which it then reports as (maybe)
// used uninitialized once they are inlined; the values are never read. The warning is placed in
// the intrinsics' header, so silencing it there (this unit's first include of it) is enough.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

namespace vane {

// quant/x86_avx512_blocks.cpp. Whether the AVX-512 block kernels cover `format`.
bool quant_blocks_avx512_handles(int32_t format);
// nblocks consecutive blocks of `format` (g floats each) from x into dst; a QuantResult, where a
// non-finite input anywhere wins over a scale overflow (as in ref.cpp, which checks first).
int32_t quantize_blocks_avx512(int32_t format, const float *x, int64_t nblocks, uint8_t *dst);
void dequantize_blocks_avx512(int32_t format, const uint8_t *src, int64_t nblocks, float *y);

namespace avx512q {

#define VQ512_INLINE static inline __attribute__((always_inline))

VQ512_INLINE __m512i set1(uint32_t v) { return _mm512_set1_epi32((int32_t)v); }
VQ512_INLINE __m512i abs_bits(__m512 x) { return _mm512_and_si512(_mm512_castps_si512(x), set1(0x7fffffffu)); }
// The first n lanes (0 <= n <= 16).
VQ512_INLINE __mmask16 first_lanes(int64_t n) { return (__mmask16)((1u << n) - 1u); }

// The running maximum m of the float bits of |x| over n more floats (any n; the tail by a masked
// load, its other lanes 0). The bits of non-negative floats order like the values, and NaN / Inf
// have the largest bits.
VQ512_INLINE __m512i amax_bits_acc(__m512i m, const float *x, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) m = _mm512_max_epu32(m, abs_bits(_mm512_loadu_ps(x + i)));
    if (i < n) m = _mm512_max_epu32(m, abs_bits(_mm512_maskz_loadu_ps(first_lanes(n - i), x + i)));
    return m;
}
// Bits of max |x| over n floats: >= 0x7f800000 iff a value is not finite.
VQ512_INLINE uint32_t amax_bits(const float *x, int64_t n) {
    return (uint32_t)_mm512_reduce_max_epu32(amax_bits_acc(_mm512_setzero_si512(), x, n));
}

// Lanes holding a NaN or an Inf (vfpclassps: QNaN 0x01, +Inf 0x08, -Inf 0x10, SNaN 0x80).
VQ512_INLINE __mmask16 non_finite(__m512 x) { return _mm512_fpclass_ps_mask(x, 0x99); }

// Nearest integer in the current rounding mode, as nearbyintf in ref.cpp.
VQ512_INLINE __m512 nearbyint16(__m512 v) { return _mm512_roundscale_ps(v, _MM_FROUND_CUR_DIRECTION | _MM_FROUND_NO_EXC); }

// Sets the quiet bit of NaN lanes (what f16_bits_to_f32 does), whatever vcvtph2ps does with sNaNs.
VQ512_INLINE __m512 quiet_nans(__m512 f) {
    __mmask16 nan = _mm512_cmp_ps_mask(f, f, _CMP_UNORD_Q);
    return _mm512_castsi512_ps(_mm512_mask_or_epi32(_mm512_castps_si512(f), nan, _mm512_castps_si512(f), set1(0x400000u)));
}

#undef VQ512_INLINE

}  // namespace avx512q
}  // namespace vane
