// AVX2 GEMM of iq4_xsx8 (iq4_xs rows interleaved 8 at a time, vane.h) with x quantized to q8_K by
// ggml_prepare (gemm/ggml_dot.h): GEMV passes of up to 4 rows of x over a few groups of weights
// at a time, for every m, as the q4_kx8 kernel (x86_avx2_q4_kx8.cpp) runs.
//
// The lanes of every accumulator are the 8 rows of a group. Chunk j of a super-block's codes (32
// bytes) holds bytes 4 (j % 4) .. + 3 of sub-block g = j / 4's 16 code bytes of each row: low
// nibbles = columns 32g + 4 (j % 4) .. + 3, high nibbles = the same + 16. One vpshufb per nibble
// half looks the codes up in IQ4_NL's table (signed int8); the products with the 4 activations,
// broadcast to every lane, are vpmaddubsw(|q8|, sign(v, q8)): the sign trick of the iq4_xs dot
// kernel turned around, so that the absolute values are the activations', taken once per call
// (q8_K's codes are -127..127), and the per-chunk work on the codes is the lookup alone. (The
// table is not offset instead, because an unsigned code value of up to 240 against |q8| up to
// 127 would saturate vpmaddubsw's int16 pairs.) A pair is up to 2 * 127 * 127 = 32258, so
// int16 sums cannot be added up (q4_kx8 can: its codes are 4-bit): each is widened at once by a
// vpmaddwd with the sub-block's 8 scales (ls - 32, int8 in the block, sign-extended to int16
// pairs once per sub-block). The int32 sums of a super-block (|.| <= 32 * 127 * 127 * 256 <
// 2^28) are converted once and multiplied in by d * d_x (the 8 rows' fp16 d, one load).
// A NaN activation block has d_x = NaN, so its row's outputs are NaN.
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vector>

#include "gemm/ggml_dot.h"
#include "gemm/x86_avx2.h"

namespace vane {

namespace {
// Own names: the other AVX2 units have helpers of the same names (see tests/check_baseline_isa.py).
namespace iq4xsx8_avx2 {

#define VX_INLINE inline __attribute__((always_inline))

constexpr int64_t kGroupBytes = sizeof(vane_block_iq4_xsx8);
constexpr int kScalesAt = offsetof(vane_block_iq4_xsx8, scales), kCodesAt = offsetof(vane_block_iq4_xsx8, qs);
// Rows of x per pass over a group, groups per step and the prefetch distance: as q4_kx8.
constexpr int kMaxT = 4;
constexpr int64_t kGroupsPerStep = 4;
constexpr int64_t kPrefetchGroups = 2;

VX_INLINE __m256i load32(const void *p) { return _mm256_loadu_si256((const __m256i *)p); }
VX_INLINE __m256i bcast32(const void *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return _mm256_set1_epi32(v);
}

// Sub-block g's 8 int8 scales as int16 pairs: 32-bit lane r = (s_r, s_r).
VX_INLINE __m256i scales16(const uint8_t *s) {
    const __m256i s32 = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)s));
    return _mm256_blend_epi16(s32, _mm256_slli_epi32(s32, 16), 0xAA);
}

// One group of 8 weight rows (nb super-blocks at grp) against T rows of x: out[t] lane r =
// row r . x row t. The T rows of x share each decoded code register.
template <int T>
VX_INLINE void group_dot(const uint8_t *grp, int64_t nb, const act_q8_k *const y[T], const int8_t *const ay[T],
                         const uint8_t *prefetch, __m256 out[T]) {
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    const __m256i values = _mm256_broadcastsi128_si256(
        _mm_setr_epi8(-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113));
    __m256 acc[T];
    for (int t = 0; t < T; t++) acc[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *blk = grp + b * kGroupBytes;
        if (T > 1)
            for (int o = 0; o < kGroupBytes; o += 64) _mm_prefetch((const char *)prefetch + b * kGroupBytes + o, _MM_HINT_T1);
        __m256i isum[T];
        for (int t = 0; t < T; t++) isum[t] = _mm256_setzero_si256();
        for (int g = 0; g < 8; g++) {
            const __m256i sc = scales16(blk + kScalesAt + 8 * g);
            for (int c = 0; c < 4; c++) {
                const __m256i code = load32(blk + kCodesAt + 32 * (4 * g + c));
                const __m256i vlo = _mm256_shuffle_epi8(values, _mm256_and_si256(code, m4));
                const __m256i vhi = _mm256_shuffle_epi8(values, _mm256_and_si256(_mm256_srli_epi16(code, 4), m4));
                for (int t = 0; t < T; t++) {
                    const int8_t *q = y[t][b].qs + 32 * g + 4 * c, *aq = ay[t] + 256 * b + 32 * g + 4 * c;
                    const __m256i plo = _mm256_maddubs_epi16(bcast32(aq), _mm256_sign_epi8(vlo, bcast32(q)));
                    const __m256i phi = _mm256_maddubs_epi16(bcast32(aq + 16), _mm256_sign_epi8(vhi, bcast32(q + 16)));
                    isum[t] = _mm256_add_epi32(isum[t], _mm256_add_epi32(_mm256_madd_epi16(plo, sc), _mm256_madd_epi16(phi, sc)));
                }
            }
        }
        const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)blk));
        for (int t = 0; t < T; t++)
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(d, _mm256_set1_ps(y[t][b].d)), _mm256_cvtepi32_ps(isum[t]), acc[t]);
    }
    for (int t = 0; t < T; t++) out[t] = acc[t];
}

// x rows [i0, i0 + T) against groups [g0, g1); writes y's columns of the groups in those rows.
// absq: |q8| of every row of x, k bytes a row.
template <int T>
void pass(const GemmArgs &a, int64_t g0, int64_t g1, int64_t i0, int64_t nb, int64_t act_row, const int8_t *absq) {
    const act_q8_k *y[T];
    const int8_t *ay[T];
    for (int t = 0; t < T; t++) {
        y[t] = (const act_q8_k *)((const uint8_t *)a.scratch + (i0 + t) * act_row);
        ay[t] = absq + (i0 + t) * a.k;
    }
    for (int64_t g = g0; g < g1; g++) {
        const uint8_t *grp = (const uint8_t *)a.w + g * nb * kGroupBytes;
        __m256 out[T];
        group_dot<T>(grp, nb, y, ay, grp + kPrefetchGroups * nb * kGroupBytes, out);
        const __m256 bias = a.bias ? _mm256_loadu_ps(a.bias + 8 * g) : _mm256_setzero_ps();
        for (int t = 0; t < T; t++) _mm256_storeu_ps(a.y + (i0 + t) * a.ldy + 8 * g, _mm256_add_ps(out[t], bias));
    }
}

}  // namespace iq4xsx8_avx2
}  // namespace

void gemm_iq4_xsx8_avx2(const GemmArgs &a, int64_t n0, int64_t n1) {
    using namespace iq4xsx8_avx2;
    const int64_t nb = a.k / 256, act_row = ggml_act_row_bytes(a.format, a.k);
    // |q8| of x's rows, for this thread's slice of the columns (k bytes per row of x).
    thread_local std::vector<int8_t> absq_buf;
    absq_buf.resize((size_t)(a.m * a.k));
    int8_t *absq = absq_buf.data();
    for (int64_t i = 0; i < a.m; i++) {
        const act_q8_k *y = (const act_q8_k *)((const uint8_t *)a.scratch + i * act_row);
        for (int64_t b = 0; b < nb; b++)
            for (int o = 0; o < 256; o += 32)
                _mm256_storeu_si256((__m256i *)(absq + i * a.k + 256 * b + o), _mm256_abs_epi8(load32(y[b].qs + o)));
    }
    for (int64_t g = n0 / 8; g < n1 / 8; g += kGroupsPerStep) {
        const int64_t ge = g + kGroupsPerStep < n1 / 8 ? g + kGroupsPerStep : n1 / 8;
        for (int64_t i0 = 0; i0 < a.m; i0 += kMaxT) {
            switch (a.m - i0 < kMaxT ? a.m - i0 : kMaxT) {
                case 1: pass<1>(a, g, ge, i0, nb, act_row, absq); break;
                case 2: pass<2>(a, g, ge, i0, nb, act_row, absq); break;
                case 3: pass<3>(a, g, ge, i0, nb, act_row, absq); break;
                default: pass<4>(a, g, ge, i0, nb, act_row, absq); break;
            }
        }
    }
}

}  // namespace vane
