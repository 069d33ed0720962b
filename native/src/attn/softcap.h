// Logit soft-capping (Gemma 2): tanh in f32 by fixed operations, the same in scalar and AVX2
// code so that the variants cap a score to the same bits:
//   |x| < 0.625: x + x z p(z), z = x^2, p Cephes' tanhf polynomial (no cancellation near 0);
//   else:        (1 - e) / (1 + e) with e = e^(-2|x|) (common/exp_poly.h), the sign of x;
// within 1.5 ulp of the exact tanh (a sweep of the floats); tanh(+-Inf) = +-1, NaN stays NaN.
// The caller folds 1 / softcap into the score's scale (as ggml's flash attention does) and
// multiplies the tanh by softcap.
//
// Included by baseline, AVX2 and AVX-512 units alike: everything is static inline and always
// inlined, the AVX2 and AVX-512 versions only where the unit is compiled for them (see
// quant/scalar.h).
#pragma once
#include <math.h>

#include "common/exp_poly.h"
#if defined(__AVX2__)
#include <immintrin.h>

#include "common/exp_poly_avx2.h"
#endif
#if defined(__AVX512F__)
#include "common/exp_poly_avx512.h"
#endif

namespace vane {

static inline __attribute__((always_inline)) float softcap_tanh(float x) {
    const float ax = fabsf(x);
    if (ax < 0.625f) {
        const float z = x * x;
        float p = -5.70498872745e-3f;
        p = p * z + 2.06390887954e-2f;
        p = p * z + -5.37397155531e-2f;
        p = p * z + 1.33314422036e-1f;
        p = p * z + -3.33332819422e-1f;
        return (p * z) * x + x;
    }
    if (x != x) return x;
    const float e = exp_poly_or_zero(-2.0f * ax);
    return copysignf((1.0f - e) / (1.0f + e), x);
}

#if defined(__AVX2__)
// softcap_tanh on 8 lanes (both branches computed, blended).
static inline __attribute__((always_inline)) __m256 softcap_tanh8(__m256 x) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    const __m256 ax = _mm256_andnot_ps(sign, x);
    const __m256 z = _mm256_mul_ps(x, x);
    __m256 p = _mm256_set1_ps(-5.70498872745e-3f);
    p = _mm256_add_ps(_mm256_mul_ps(p, z), _mm256_set1_ps(2.06390887954e-2f));
    p = _mm256_add_ps(_mm256_mul_ps(p, z), _mm256_set1_ps(-5.37397155531e-2f));
    p = _mm256_add_ps(_mm256_mul_ps(p, z), _mm256_set1_ps(1.33314422036e-1f));
    p = _mm256_add_ps(_mm256_mul_ps(p, z), _mm256_set1_ps(-3.33332819422e-1f));
    const __m256 small = _mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(p, z), x), x);
    const __m256 e = exp_poly8_or_zero(_mm256_mul_ps(_mm256_set1_ps(-2.0f), ax));
    const __m256 one = _mm256_set1_ps(1.0f);
    const __m256 large = _mm256_or_ps(_mm256_div_ps(_mm256_sub_ps(one, e), _mm256_add_ps(one, e)), _mm256_and_ps(sign, x));
    const __m256 r = _mm256_blendv_ps(large, small, _mm256_cmp_ps(ax, _mm256_set1_ps(0.625f), _CMP_LT_OQ));
    return _mm256_blendv_ps(r, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));  // NaN lanes stay NaN
}
#endif

#if defined(__AVX512F__)
// softcap_tanh on 16 lanes (both branches computed, picked by mask).
static inline __attribute__((always_inline)) __m512 softcap_tanh16(__m512 x) {
    const __m512 sign = _mm512_set1_ps(-0.0f);
    const __m512 ax = _mm512_andnot_ps(sign, x);
    const __m512 z = _mm512_mul_ps(x, x);
    __m512 p = _mm512_set1_ps(-5.70498872745e-3f);
    p = _mm512_add_ps(_mm512_mul_ps(p, z), _mm512_set1_ps(2.06390887954e-2f));
    p = _mm512_add_ps(_mm512_mul_ps(p, z), _mm512_set1_ps(-5.37397155531e-2f));
    p = _mm512_add_ps(_mm512_mul_ps(p, z), _mm512_set1_ps(1.33314422036e-1f));
    p = _mm512_add_ps(_mm512_mul_ps(p, z), _mm512_set1_ps(-3.33332819422e-1f));
    const __m512 small = _mm512_add_ps(_mm512_mul_ps(_mm512_mul_ps(p, z), x), x);
    const __m512 e = exp_poly16_or_zero(_mm512_mul_ps(_mm512_set1_ps(-2.0f), ax));
    const __m512 one = _mm512_set1_ps(1.0f);
    const __m512 large = _mm512_or_ps(_mm512_div_ps(_mm512_sub_ps(one, e), _mm512_add_ps(one, e)), _mm512_and_ps(sign, x));
    const __m512 r = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(ax, _mm512_set1_ps(0.625f), _CMP_LT_OQ), large, small);
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), r, x);  // NaN lanes stay NaN
}
#endif

}  // namespace vane
