// The integer formats' prepare step (prepare.cpp) in AVX-512, a block of 32 floats in two
// vectors. The same arithmetic gives the same bytes: |x|'s maximum taken on the bits (a NaN or
// an Inf shows as >= 0x7f800000), d = amax / 127 a scalar f32 division, x / d a true division
// (vdivps rounds as divps), the clamp before cvtps2dq's rounding (nearest, ties to even), and
// the q in range so the narrowing vpmovdb cannot cut. test_gemm_prepare checks the bytes.
//
// Why: prepare.cpp's SSE2 loop took about 2.4 cycles a float (perf over gemm_bench incache with
// M = 16, N = 128, K = 4096: as much time as the kernel), 3-4% of a 16-sequence decode step.
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "gemm/gemm.h"
#include "gemm/prepare_rows.h"
#include "gemm/x86_avx512.h"

// GCC 12's unmasked AVX-512 intrinsics pass an undefined vector as the mask source.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace vane {

namespace {

// One block of 32 floats: q (32 bytes, in order), d, qsum and s as prepare.cpp defines them.
__attribute__((always_inline)) inline void quantize_block(const float *x, int8_t q[32], float *d_out, int32_t *qsum_out,
                                                          float *s_out) {
    const __m512i abs_mask = _mm512_set1_epi32(0x7fffffff);
    const __m512 a0 = _mm512_loadu_ps(x), a1 = _mm512_loadu_ps(x + 16);
    const __m512i m = _mm512_max_epu32(_mm512_and_si512(_mm512_castps_si512(a0), abs_mask),
                                       _mm512_and_si512(_mm512_castps_si512(a1), abs_mask));
    const uint32_t ab = _mm512_reduce_max_epu32(m);
    if (ab >= 0x7f800000u) {  // a NaN or an Inf
        memset(q, 0, 32);
        const float nan = __builtin_nanf("");
        *d_out = nan;
        *qsum_out = 0;
        *s_out = nan;
        return;
    }
    float amax;
    memcpy(&amax, &ab, 4);
    const float d = amax / 127.0f;
    if (d == 0.0f) {
        memset(q, 0, 32);
        *d_out = 0.0f;
        *qsum_out = 0;
        *s_out = 0.0f;
        return;
    }
    const __m512 vd = _mm512_set1_ps(d), lo = _mm512_set1_ps(-127.0f), hi = _mm512_set1_ps(127.0f);
    const __m512i c0 = _mm512_cvtps_epi32(_mm512_max_ps(_mm512_min_ps(_mm512_div_ps(a0, vd), hi), lo));
    const __m512i c1 = _mm512_cvtps_epi32(_mm512_max_ps(_mm512_min_ps(_mm512_div_ps(a1, vd), hi), lo));
    _mm_storeu_si128((__m128i *)q, _mm512_cvtepi32_epi8(c0));
    _mm_storeu_si128((__m128i *)(q + 16), _mm512_cvtepi32_epi8(c1));
    const int32_t qs = _mm512_reduce_add_epi32(_mm512_add_epi32(c0, c1));
    *d_out = d;
    *qsum_out = qs;
    *s_out = d * (float)qs;
}

}  // namespace

void gemm_prepare_avx512(const GemmArgs &a, int64_t m0, int64_t m1) {
    prepare_rows(a, m0, m1, quantize_block);
}

}  // namespace vane
