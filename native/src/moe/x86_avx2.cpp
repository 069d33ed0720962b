// AVX2 variant of the gated activations: ref.cpp's operations, 8 lanes at a time (no FMA, so
// every rounding is the reference's; its selects become masks and blends, std::min and
// std::clamp the min/max instructions that return the second operand on NaN, as they do), the
// tail by the same steps on a zero-padded copy.
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "common/exp_poly_avx2.h"
#include "moe/moe.h"

namespace vane {

namespace {
namespace avx2m {

constexpr float kGeluC = 0.79788456080286535587989211986876f;
constexpr float kGeluA = 0.044715f;

inline __attribute__((always_inline)) __m256 sigmoid8(__m256 s) {
    const __m256 a = _mm256_or_ps(s, _mm256_set1_ps(-0.0f));  // -|s|
    const __m256 e = exp_poly8_or_zero(a);                     // NaN: 0
    const __m256 num = _mm256_blendv_ps(e, _mm256_set1_ps(1.0f), _mm256_cmp_ps(s, _mm256_setzero_ps(), _CMP_GE_OQ));
    return _mm256_div_ps(num, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

template <int Act>
inline __attribute__((always_inline)) __m256 glu8(__m256 g, __m256 u, __m256 alpha, __m256 limit) {
    if (Act == VANE_ACT_SILU) return _mm256_mul_ps(_mm256_mul_ps(g, sigmoid8(g)), u);
    if (Act == VANE_ACT_GELU) {
        const __m256 inner = _mm256_add_ps(_mm256_set1_ps(1.0f), _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(kGeluA), g), g));
        const __m256 z = _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(kGeluC), g), inner);
        return _mm256_mul_ps(_mm256_mul_ps(g, sigmoid8(_mm256_add_ps(z, z))), u);
    }
    // min_ps(a, b) is a < b ? a : b, so min_ps(limit, g) = std::min(g, limit) (g if NaN);
    // max_ps(-limit, u) = u < -limit ? -limit : u; then min_ps(limit, .).
    const __m256 gc = _mm256_min_ps(limit, g);
    const __m256 uc = _mm256_min_ps(limit, _mm256_max_ps(_mm256_xor_ps(limit, _mm256_set1_ps(-0.0f)), u));
    return _mm256_mul_ps(_mm256_mul_ps(gc, sigmoid8(_mm256_mul_ps(alpha, gc))), _mm256_add_ps(uc, _mm256_set1_ps(1.0f)));
}

template <int Act>
void glu_loop(const Glu &p, const float *g, const float *u, float *out, int64_t n) {
    const __m256 alpha = _mm256_set1_ps(p.alpha), limit = _mm256_set1_ps(p.limit);
    const float *gb = p.gate_bias, *ub = p.up_bias;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 gv = _mm256_loadu_ps(g + i), uv = _mm256_loadu_ps(u + i);
        if (gb) gv = _mm256_add_ps(gv, _mm256_loadu_ps(gb + i));
        if (ub) uv = _mm256_add_ps(uv, _mm256_loadu_ps(ub + i));
        _mm256_storeu_ps(out + i, glu8<Act>(gv, uv, alpha, limit));
    }
    if (i < n) {
        const size_t rest = (size_t)(n - i) * 4;
        float gt[8] = {0}, ut[8] = {0}, gbt[8] = {0}, ubt[8] = {0}, ot[8];
        memcpy(gt, g + i, rest);
        memcpy(ut, u + i, rest);
        __m256 gv = _mm256_loadu_ps(gt), uv = _mm256_loadu_ps(ut);
        if (gb) memcpy(gbt, gb + i, rest), gv = _mm256_add_ps(gv, _mm256_loadu_ps(gbt));
        if (ub) memcpy(ubt, ub + i, rest), uv = _mm256_add_ps(uv, _mm256_loadu_ps(ubt));
        _mm256_storeu_ps(ot, glu8<Act>(gv, uv, alpha, limit));
        memcpy(out + i, ot, rest);
    }
}

void glu_avx2(const Glu &p, const float *g, const float *u, float *out, int64_t n) {
    switch (p.activation) {
        case VANE_ACT_GELU: glu_loop<VANE_ACT_GELU>(p, g, u, out, n); break;
        case VANE_ACT_SWIGLU_OAI: glu_loop<VANE_ACT_SWIGLU_OAI>(p, g, u, out, n); break;
        default: glu_loop<VANE_ACT_SILU>(p, g, u, out, n); break;
    }
}

}  // namespace avx2m
}  // namespace

const MoeKernels moe_kernels_avx2 = {avx2m::glu_avx2};

}  // namespace vane
