// AVX2 variant of the SwiGLU activation: ref.cpp's operations, 8 lanes at a time (no FMA, so
// every rounding is the reference's; the reference's selects become masks and blends), the tail
// by the same steps on a zero-padded copy.
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "common/exp_poly_avx2.h"
#include "moe/moe.h"

namespace vane {

namespace {
namespace avx2m {

inline __attribute__((always_inline)) __m256 swiglu8(__m256 g, __m256 u) {
    const __m256 a = _mm256_or_ps(g, _mm256_set1_ps(-0.0f));  // -|g|
    const __m256 e = exp_poly8_or_zero(a);  // NaN: 0
    const __m256 num = _mm256_blendv_ps(e, _mm256_set1_ps(1.0f), _mm256_cmp_ps(g, _mm256_setzero_ps(), _CMP_GE_OQ));
    return _mm256_mul_ps(_mm256_mul_ps(g, _mm256_div_ps(num, _mm256_add_ps(_mm256_set1_ps(1.0f), e))), u);
}

void swiglu_avx2(const float *g, const float *u, float *out, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, swiglu8(_mm256_loadu_ps(g + i), _mm256_loadu_ps(u + i)));
    if (i < n) {
        float gb[8] = {0}, ub[8] = {0}, ob[8];
        memcpy(gb, g + i, (size_t)(n - i) * 4);
        memcpy(ub, u + i, (size_t)(n - i) * 4);
        _mm256_storeu_ps(ob, swiglu8(_mm256_loadu_ps(gb), _mm256_loadu_ps(ub)));
        memcpy(out + i, ob, (size_t)(n - i) * 4);
    }
}

}  // namespace avx2m
}  // namespace

const MoeKernels moe_kernels_avx2 = {avx2m::swiglu_avx2};

}  // namespace vane
