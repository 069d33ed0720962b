// exp_poly.h's e^a, 8 lanes at a time, for AVX2 units only (the same operations, so the same
// bits as the scalar version).
#pragma once
#include <immintrin.h>

namespace vane {

// e^a for lanes in [-87, 0] (other lanes: garbage).
static inline __attribute__((always_inline)) __m256 exp_poly8(__m256 a) {
    const __m256 magic = _mm256_set1_ps(12582912.0f);
    const __m256 n = _mm256_sub_ps(_mm256_add_ps(_mm256_mul_ps(a, _mm256_set1_ps(1.44269504088896341f)), magic), magic);
    const __m256 r = _mm256_sub_ps(_mm256_sub_ps(a, _mm256_mul_ps(n, _mm256_set1_ps(0.693359375f))),
                                   _mm256_mul_ps(n, _mm256_set1_ps(-2.12194440e-4f)));
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_add_ps(_mm256_mul_ps(p, _mm256_mul_ps(r, r)), r);
    p = _mm256_add_ps(p, _mm256_set1_ps(1.0f));
    const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

// e^a, or 0 when a < -87 or a is NaN (exp_poly_or_zero).
static inline __attribute__((always_inline)) __m256 exp_poly8_or_zero(__m256 a) {
    return _mm256_and_ps(exp_poly8(a), _mm256_cmp_ps(a, _mm256_set1_ps(-87.0f), _CMP_GE_OQ));
}

}  // namespace vane
