// AVX2 GEMM of iq4_nlx8 (iq4_nl rows interleaved 8 at a time, vane.h) with x quantized to q8_0 by
// ggml_prepare (gemm/ggml_dot.h): GEMV passes of up to 4 rows of x over a few groups of weights
// at a time, for every m.
//
// The lanes of every accumulator are the 8 rows of a group, so nothing is added across lanes.
// Per 32-column block, chunk j (32 bytes) holds bytes 4j .. 4j + 3 of each row's 16 code bytes:
// low nibbles = columns 4j .. 4j + 3, high nibbles = columns 16 + 4j .. + 3. vpshufb turns each
// nibble into its signed table value v (kIq4Values, -127..113); vpmaddubsw of |v| with the 4
// activations, broadcast to every lane and given v's sign (vpsign), forms v * q exactly in int16
// pairs (|.| <= 2 * 127 * 127, no saturation); vpmaddwd with ones widens each to int32, and the
// 8 of a block add up exactly (|.| <= 32 * 127 * 127). Then, per block and lane, as iq4_nl's
// reference kernel does in the same order: acc += (d_x * d_w) * float(isum), the product and the
// sum rounded separately (no fma), so each output is the reference's float bit for bit.
// A NaN activation block has d_x = NaN, so its row's outputs are NaN.
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gemm/ggml_dot.h"
#include "gemm/x86_avx2.h"
#include "quant/ggml_blocks.h"

namespace vane {

namespace {
// Own names: the other AVX2 units have helpers of the same names (see tests/check_baseline_isa.py).
namespace iq4nlx8_avx2 {

#define VN_INLINE inline __attribute__((always_inline))

constexpr int64_t kGroupBytes = sizeof(vane_block_iq4_nlx8);  // 144: 8 rows x 32 columns
constexpr int kCodesAt = offsetof(vane_block_iq4_nlx8, qs);
// Rows of x per pass over a group: 4 rows' sums and accumulators with the decoded codes about
// fill the 16 registers.
constexpr int kMaxT = 4;
// Groups whose weights stay in L1/L2 while every pass of x rows runs over them (4 x 18 KB at
// k = 4096).
constexpr int64_t kGroupsPerStep = 4;
// With 2 or more rows of x the group this many ahead is fetched into L2 while this one runs (as
// the q4_0x8 and q4_kx8 GEMVs do); one row's single stream the hardware prefetchers follow.
constexpr int64_t kPrefetchGroups = 2;

VN_INLINE __m256i bcast32(const void *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return _mm256_set1_epi32(v);
}

// One group of 8 weight rows (nb blocks at grp) against T rows of x: out[t] lane r = row r . x
// row t. The T rows of x share each decoded code register.
template <int T>
VN_INLINE void group_dot(const uint8_t *grp, int64_t nb, const act_q8_0 *const y[T], const uint8_t *prefetch,
                         __m256 out[T]) {
    const __m256i m4 = _mm256_set1_epi8(0x0F), ones = _mm256_set1_epi16(1);
    const __m256i table = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)kIq4Values));
    __m256 acc[T];
    for (int t = 0; t < T; t++) acc[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *blk = grp + b * kGroupBytes;
        if (T > 1)
            for (int o = 0; o < kGroupBytes; o += 64) _mm_prefetch((const char *)prefetch + b * kGroupBytes + o, _MM_HINT_T1);
        __m256i isum[T];
        for (int t = 0; t < T; t++) isum[t] = _mm256_setzero_si256();
        for (int j = 0; j < 4; j++) {
            const __m256i code = _mm256_loadu_si256((const __m256i *)(blk + kCodesAt + 32 * j));
            const __m256i vlo = _mm256_shuffle_epi8(table, _mm256_and_si256(code, m4));
            const __m256i vhi = _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_srli_epi16(code, 4), m4));
            const __m256i alo = _mm256_abs_epi8(vlo), ahi = _mm256_abs_epi8(vhi);
            for (int t = 0; t < T; t++) {
                const int8_t *q = y[t][b].qs + 4 * j;
                const __m256i plo = _mm256_maddubs_epi16(alo, _mm256_sign_epi8(bcast32(q), vlo));
                const __m256i phi = _mm256_maddubs_epi16(ahi, _mm256_sign_epi8(bcast32(q + 16), vhi));
                isum[t] = _mm256_add_epi32(isum[t], _mm256_add_epi32(_mm256_madd_epi16(plo, ones), _mm256_madd_epi16(phi, ones)));
            }
        }
        const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)blk));
        for (int t = 0; t < T; t++) {
            const __m256 dx = _mm256_set1_ps(_cvtsh_ss(y[t][b].d));
            acc[t] = _mm256_add_ps(acc[t], _mm256_mul_ps(_mm256_mul_ps(dx, d), _mm256_cvtepi32_ps(isum[t])));
        }
    }
    for (int t = 0; t < T; t++) out[t] = acc[t];
}

// x rows [i0, i0 + T) against groups [g0, g1); writes y's columns of the groups in those rows.
template <int T>
void pass(const GemmArgs &a, int64_t g0, int64_t g1, int64_t i0, int64_t nb, int64_t act_row) {
    const act_q8_0 *y[T];
    for (int t = 0; t < T; t++) y[t] = (const act_q8_0 *)((const uint8_t *)a.scratch + (i0 + t) * act_row);
    for (int64_t g = g0; g < g1; g++) {
        const uint8_t *grp = (const uint8_t *)a.w + g * nb * kGroupBytes;
        __m256 out[T];
        group_dot<T>(grp, nb, y, grp + kPrefetchGroups * nb * kGroupBytes, out);
        for (int t = 0; t < T; t++) {
            float *dst = a.y + (i0 + t) * a.ldy + 8 * g;
            _mm256_storeu_ps(dst, a.bias ? _mm256_add_ps(out[t], _mm256_loadu_ps(a.bias + 8 * g)) : out[t]);
        }
    }
}

}  // namespace iq4nlx8_avx2
}  // namespace

void gemm_iq4_nlx8_avx2(const GemmArgs &a, int64_t n0, int64_t n1) {
    using namespace iq4nlx8_avx2;
    const int64_t nb = a.k / 32, act_row = ggml_act_row_bytes(a.format, a.k);
    // A few groups at a time, every pass of up to kMaxT x rows while their weights are in the cache.
    for (int64_t g = n0 / 8; g < n1 / 8; g += kGroupsPerStep) {
        const int64_t ge = g + kGroupsPerStep < n1 / 8 ? g + kGroupsPerStep : n1 / 8;
        for (int64_t i0 = 0; i0 < a.m; i0 += kMaxT) {
            switch (a.m - i0 < kMaxT ? a.m - i0 : kMaxT) {
                case 1: pass<1>(a, g, ge, i0, nb, act_row); break;
                case 2: pass<2>(a, g, ge, i0, nb, act_row); break;
                case 3: pass<3>(a, g, ge, i0, nb, act_row); break;
                default: pass<4>(a, g, ge, i0, nb, act_row); break;
            }
        }
    }
}

}  // namespace vane
