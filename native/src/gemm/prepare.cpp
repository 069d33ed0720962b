// The prepare step of the integer weight formats, shared by every variant (baseline code: SSE2,
// which every x86-64 CPU has), in the layout gemm.h describes: each row of x in blocks of 32
// becomes
//   d = amax / 127 (f32), q = round-half-even(x / d) clamped to +-127 (all 0 if d == 0),
//   qsum = sum of q, s = d * (float)qsum.
// A block holding a NaN or an Inf gets d = s = NaN and q = 0, so every output of its row is NaN.
// The division is a true f32 division and the rounding is cvtps2dq's in the default rounding
// mode (nearest, ties to even), as the rest of Vane assumes.
#include <emmintrin.h>
#include <stdint.h>
#include <string.h>

#include "gemm/gemm.h"
#include "gemm/prepare_rows.h"
#include "quant/quant.h"
#include "vane.h"

namespace vane {

namespace {

constexpr int64_t kAlign = 64;

int64_t padded_blocks(int64_t k) { return (k / 32 + 7) / 8 * 8; }
int64_t align_up(int64_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

// Section sizes of the layout: q, then d, qsum and s, each starting 64-byte aligned.
struct Sizes {
    int64_t q, f;
};
Sizes sizes(int64_t m, int64_t k) {
    const int64_t nbp = padded_blocks(k);
    return {align_up(m * nbp * 32), align_up(m * nbp * 4)};
}

// One block of 32 floats.
void quantize_block(const float *x, int8_t *q, float *d_out, int32_t *qsum_out, float *s_out) {
    const __m128i abs_mask = _mm_set1_epi32(0x7fffffff);
    __m128i amax = _mm_setzero_si128();
    for (int j = 0; j < 32; j += 4) {
        __m128i a = _mm_and_si128(_mm_castps_si128(_mm_loadu_ps(x + j)), abs_mask);
        // Signed max of non-negative ints (SSE2 has no pmaxsd): bits of |x| order like the values.
        __m128i gt = _mm_cmpgt_epi32(a, amax);
        amax = _mm_or_si128(_mm_and_si128(gt, a), _mm_andnot_si128(gt, amax));
    }
    uint32_t lanes[4];
    _mm_storeu_si128((__m128i *)lanes, amax);
    uint32_t ab = lanes[0];
    for (int t = 1; t < 4; t++) ab = lanes[t] > ab ? lanes[t] : ab;
    if (ab >= 0x7f800000u) {  // a NaN or an Inf
        memset(q, 0, 32);
        const float nan = __builtin_nanf("");
        *d_out = nan;
        *qsum_out = 0;
        *s_out = nan;
        return;
    }
    float amaxf;
    memcpy(&amaxf, &ab, 4);
    const float d = amaxf / 127.0f;
    if (d == 0.0f) {
        memset(q, 0, 32);
        *d_out = 0.0f;
        *qsum_out = 0;
        *s_out = 0.0f;
        return;
    }
    const __m128 vd = _mm_set1_ps(d), lo = _mm_set1_ps(-127.0f), hi = _mm_set1_ps(127.0f);
    __m128i sum = _mm_setzero_si128();
    for (int j = 0; j < 32; j += 16) {
        __m128i c[4];
        for (int t = 0; t < 4; t++) {
            // Clamping before rounding equals clamping after: the bounds are integers. (x / d
            // exceeds 127 only where d is subnormal and so rounded far from amax / 127.)
            __m128 v = _mm_div_ps(_mm_loadu_ps(x + j + 4 * t), vd);
            c[t] = _mm_cvtps_epi32(_mm_max_ps(_mm_min_ps(v, hi), lo));
            sum = _mm_add_epi32(sum, c[t]);
        }
        __m128i w = _mm_packs_epi16(_mm_packs_epi32(c[0], c[1]), _mm_packs_epi32(c[2], c[3]));
        _mm_storeu_si128((__m128i *)(q + j), w);
    }
    int32_t s4[4];
    _mm_storeu_si128((__m128i *)s4, sum);
    const int32_t qs = s4[0] + s4[1] + s4[2] + s4[3];
    *d_out = d;
    *qsum_out = qs;
    *s_out = d * (float)qs;
}

}  // namespace

bool gemm_quantizes_acts(int32_t format) {
    const FormatTraits *f = format_traits(format);
    return f && f->act != ACT_NONE;
}

int64_t gemm_scratch_bytes(int32_t format, int64_t m, int64_t k) {
    if (!gemm_quantizes_acts(format) || m == 0) return 0;
    if (ggml_act_format(format)) return m * ggml_act_row_bytes(format, k);
    const Sizes s = sizes(m, k);
    return s.q + 3 * s.f;
}

GemmActs gemm_acts(const void *scratch, int64_t m, int64_t k) {
    const Sizes s = sizes(m, k);
    const uint8_t *p = (const uint8_t *)scratch;
    GemmActs a;
    a.q = (const int8_t *)p;
    a.d = (const float *)(p + s.q);
    a.qsum = (const int32_t *)(p + s.q + s.f);
    a.s = (const float *)(p + s.q + 2 * s.f);
    a.nbp = padded_blocks(k);
    a.lanes = m > kGemmPairsMaxM;
    return a;
}

void gemm_prepare(const GemmArgs &a, int64_t m0, int64_t m1) {
    if (!gemm_quantizes_acts(a.format)) return;
    if (ggml_act_format(a.format)) return ggml_prepare(a, m0, m1);
    prepare_rows(a, m0, m1, quantize_block);
}

}  // namespace vane
