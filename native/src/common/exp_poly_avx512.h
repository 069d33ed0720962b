// exp_poly.h's e^a, 16 lanes at a time, for AVX-512 units only (the same operations, so the same
// bits as the scalar and AVX2 versions).
#pragma once
#include <immintrin.h>

namespace vane {

// e^a for lanes in [-87, 0] (other lanes: garbage).
static inline __attribute__((always_inline)) __m512 exp_poly16(__m512 a) {
    const __m512 magic = _mm512_set1_ps(12582912.0f);
    const __m512 n = _mm512_sub_ps(_mm512_add_ps(_mm512_mul_ps(a, _mm512_set1_ps(1.44269504088896341f)), magic), magic);
    const __m512 r = _mm512_sub_ps(_mm512_sub_ps(a, _mm512_mul_ps(n, _mm512_set1_ps(0.693359375f))),
                                   _mm512_mul_ps(n, _mm512_set1_ps(-2.12194440e-4f)));
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(5.0000001201e-1f));
    p = _mm512_add_ps(_mm512_mul_ps(p, _mm512_mul_ps(r, r)), r);
    p = _mm512_add_ps(p, _mm512_set1_ps(1.0f));
    const __m512i bits = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvttps_epi32(n), _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(p, _mm512_castsi512_ps(bits));
}

// e^a, or 0 when a < -87 or a is NaN (exp_poly_or_zero).
static inline __attribute__((always_inline)) __m512 exp_poly16_or_zero(__m512 a) {
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(a, _mm512_set1_ps(-87.0f), _CMP_GE_OQ), exp_poly16(a));
}

}  // namespace vane
