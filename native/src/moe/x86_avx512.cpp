// AVX-512 variant of the gated activations: the AVX2 variant's operations 16 lanes at a time
// (no FMA, every rounding the reference's; its selects become mask moves, std::min and
// std::clamp the min/max instructions that return the second operand on NaN, as they do), and
// the tail by the same steps under a lane mask, so no padded copy. Bit-identical to ref.cpp.
#include <immintrin.h>
#include <stdint.h>

// GCC 12's 512-bit intrinsics start from _mm512_undefined_*(), which it then reports as maybe
// used uninitialized once they are inlined into templates; the values are never read.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "common/exp_poly_avx512.h"
#include "moe/moe.h"

namespace vane {

namespace {
namespace avx512m {

constexpr float kGeluC = 0.79788456080286535587989211986876f;
constexpr float kGeluA = 0.044715f;

inline __attribute__((always_inline)) __m512 sigmoid16(__m512 s) {
    const __m512 a = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(s), _mm512_set1_epi32((int)0x80000000u)));  // -|s|
    const __m512 e = exp_poly16_or_zero(a);                                                                            // NaN: 0
    const __m512 num = _mm512_mask_mov_ps(e, _mm512_cmp_ps_mask(s, _mm512_setzero_ps(), _CMP_GE_OQ), _mm512_set1_ps(1.0f));
    return _mm512_div_ps(num, _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

template <int Act>
inline __attribute__((always_inline)) __m512 glu16(__m512 g, __m512 u, __m512 alpha, __m512 limit) {
    if (Act == VANE_ACT_SILU) return _mm512_mul_ps(_mm512_mul_ps(g, sigmoid16(g)), u);
    if (Act == VANE_ACT_GELU) {
        const __m512 inner = _mm512_add_ps(_mm512_set1_ps(1.0f), _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(kGeluA), g), g));
        const __m512 z = _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(kGeluC), g), inner);
        return _mm512_mul_ps(_mm512_mul_ps(g, sigmoid16(_mm512_add_ps(z, z))), u);
    }
    // min_ps(a, b) is a < b ? a : b (b when either is NaN), as in the AVX2 variant.
    const __m512 neg_limit = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(limit), _mm512_set1_epi32((int)0x80000000u)));
    const __m512 gc = _mm512_min_ps(limit, g);
    const __m512 uc = _mm512_min_ps(limit, _mm512_max_ps(neg_limit, u));
    return _mm512_mul_ps(_mm512_mul_ps(gc, sigmoid16(_mm512_mul_ps(alpha, gc))), _mm512_add_ps(uc, _mm512_set1_ps(1.0f)));
}

// Lanes of `lanes` (all 16, or the tail's) of g and u with their biases, into out.
template <int Act>
inline __attribute__((always_inline)) void glu_lanes(const Glu &p, const float *g, const float *u, float *out, int64_t i,
                                                     __mmask16 lanes, __m512 alpha, __m512 limit) {
    __m512 gv = _mm512_maskz_loadu_ps(lanes, g + i), uv = _mm512_maskz_loadu_ps(lanes, u + i);
    if (p.gate_bias) gv = _mm512_add_ps(gv, _mm512_maskz_loadu_ps(lanes, p.gate_bias + i));
    if (p.up_bias) uv = _mm512_add_ps(uv, _mm512_maskz_loadu_ps(lanes, p.up_bias + i));
    _mm512_mask_storeu_ps(out + i, lanes, glu16<Act>(gv, uv, alpha, limit));
}

template <int Act>
void glu_loop(const Glu &p, const float *g, const float *u, float *out, int64_t n) {
    const __m512 alpha = _mm512_set1_ps(p.alpha), limit = _mm512_set1_ps(p.limit);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) glu_lanes<Act>(p, g, u, out, i, (__mmask16)0xFFFF, alpha, limit);
    if (i < n) glu_lanes<Act>(p, g, u, out, i, (__mmask16)((1u << (n - i)) - 1), alpha, limit);
}

void glu_avx512(const Glu &p, const float *g, const float *u, float *out, int64_t n) {
    switch (p.activation) {
        case VANE_ACT_GELU: glu_loop<VANE_ACT_GELU>(p, g, u, out, n); break;
        case VANE_ACT_SWIGLU_OAI: glu_loop<VANE_ACT_SWIGLU_OAI>(p, g, u, out, n); break;
        default: glu_loop<VANE_ACT_SILU>(p, g, u, out, n); break;
    }
}

}  // namespace avx512m
}  // namespace

const MoeKernels moe_kernels_avx512 = {avx512m::glu_avx512};

}  // namespace vane
