// AVX2 GEMM of q6_kx8 (q6_k rows interleaved 8 at a time, vane.h) with x quantized to q8_K by
// ggml_prepare (gemm/ggml_dot.h): GEMV passes of up to 4 rows of x over a few groups of weights
// at a time, for every m, as the q4_kx8 kernel (x86_avx2_q4_kx8.cpp) does (one thread, k = 4096,
// GB/s of weights: 39 in L2, q6_k's dot kernel 25-27; GEMM M = 64 at 1 thread 1.6x q6_k's).
//
// The lanes of every accumulator are the 8 rows of a group. Per super-block and triple t = 8h + c
// of code chunks (96 bytes), the three chunks masked with 0x3F are the codes u (0..63) of columns
// 128h + 32j + 4c .. + 3 (j = 0..2) of the 8 rows, one row per 32-bit lane, and their top 2 bits
// put together (3 ands, 3 shifts, 2 ors) those of columns 128h + 96 + 4c .. + 3: 11 operations
// for 128 codes, where Q6_K's own split of 4 + 2 bits takes 17. vpmaddubsw against the 4
// activations, broadcast to every lane, gives int16 sums of 2 products (|.| <= 2 * 63 * 128 =
// 16128); two chunks of a sub-block (16 columns: 4 chunks) add up in int16 (32256, no
// saturation), and one vpmaddwd with the sub-block's 8 scales (int8, 8 bytes in the block,
// spread to int16 pairs) widens them and applies the scales. The -32 of every code is a vpmaddwd
// per two sub-blocks of the 8 rows' scales with the activation's bsums: isum - 32 * that.
// The int32 sums of a super-block (|.| < 16 * 128 * 16 * 95 * 128 < 2^29) are converted once and
// multiplied in by d * d_x (the 8 rows' fp16 d, one load), one fma.
// A NaN activation block has d_x = NaN, so its row's outputs are NaN.
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gemm/ggml_dot.h"
#include "gemm/x86_avx2.h"

namespace vane {

namespace {
// Own names: the other AVX2 units have helpers of the same names (see tests/check_baseline_isa.py).
namespace q6kx8_avx2 {

#define VX_INLINE inline __attribute__((always_inline))

constexpr int64_t kGroupBytes = sizeof(vane_block_q6_kx8);
constexpr int kScalesAt = offsetof(vane_block_q6_kx8, scales), kCodesAt = offsetof(vane_block_q6_kx8, qs);
constexpr int kMaxT = 4;
// Groups whose weights stay in L1/L2 while every pass of x rows runs over them (4 x 27 KB at
// k = 4096).
constexpr int64_t kGroupsPerStep = 4;
// With 2 or more rows of x, the group this many ahead is fetched into L2 (as for q4_kx8).
// With one row of x the hardware prefetchers keep up and these only cost instructions (L2: 34
// GB/s with, 39 without).
constexpr int64_t kPrefetchGroups = 2;

VX_INLINE __m256i load32(const void *p) { return _mm256_loadu_si256((const __m256i *)p); }
VX_INLINE __m256i bcast32(const void *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return _mm256_set1_epi32(v);
}

// Sub-block s's 8 int8 scales as int16 pairs (scale, scale) in lane r (row r).
VX_INLINE __m256i scale_pairs(const uint8_t *sc, __m128i dup) {
    return _mm256_cvtepi8_epi16(_mm_shuffle_epi8(_mm_loadl_epi64((const __m128i *)sc), dup));
}

// One group of 8 weight rows (nb super-blocks at grp) against T rows of x: out[t] lane r =
// row r . x row t.
template <int T>
VX_INLINE void group_dot(const uint8_t *grp, int64_t nb, const act_q8_k *const y[T], const uint8_t *prefetch,
                         __m256 out[T]) {
    const __m256i m6 = _mm256_set1_epi8(0x3F), top = _mm256_set1_epi8((char)0xC0);
    const __m128i dup = _mm_setr_epi8(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    // Bytes [scales of sub-block 2p, rows 0..7; of 2p + 1] -> lane r: (s[2p][r], s[2p + 1][r]).
    const __m128i zip = _mm_setr_epi8(0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15);
    __m256 acc[T];
    for (int t = 0; t < T; t++) acc[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *blk = grp + b * kGroupBytes;
        if (T > 1)
            for (int o = 0; o < kGroupBytes; o += 64) _mm_prefetch((const char *)prefetch + b * kGroupBytes + o, _MM_HINT_T1);
        __m256i isum[T];
        for (int t = 0; t < T; t++) isum[t] = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            for (int half = 0; half < 2; half++) {
                // Columns 128h + 32k + 16 half .. + 15: sub-block 8h + 2k + half, 2 triple pairs.
                __m256i sc[4];
                for (int k = 0; k < 4; k++) sc[k] = scale_pairs(blk + kScalesAt + 8 * (8 * h + 2 * k + half), dup);
                for (int c = 4 * half; c < 4 * half + 4; c += 2) {
                    // Codes of triples 8h + c and 8h + c + 1: u[.][k] columns 128h + 32k + 4c .. + 7.
                    __m256i u[2][4];
                    for (int d = 0; d < 2; d++) {
                        const uint8_t *q = blk + kCodesAt + 96 * (8 * h + c + d);
                        const __m256i b0 = load32(q), b1 = load32(q + 32), b2 = load32(q + 64);
                        u[d][0] = _mm256_and_si256(b0, m6);
                        u[d][1] = _mm256_and_si256(b1, m6);
                        u[d][2] = _mm256_and_si256(b2, m6);
                        // The shifts are 16-bit, but the masked top bits move within their byte.
                        u[d][3] = _mm256_or_si256(_mm256_or_si256(_mm256_srli_epi16(_mm256_and_si256(b0, top), 6),
                                                                  _mm256_srli_epi16(_mm256_and_si256(b1, top), 4)),
                                                  _mm256_srli_epi16(_mm256_and_si256(b2, top), 2));
                    }
                    for (int k = 0; k < 4; k++) {
                        for (int t = 0; t < T; t++) {
                            const int8_t *q8 = y[t][b].qs + 128 * h + 32 * k + 4 * c;
                            const __m256i s = _mm256_adds_epi16(_mm256_maddubs_epi16(u[0][k], bcast32(q8)),
                                                                _mm256_maddubs_epi16(u[1][k], bcast32(q8 + 4)));
                            isum[t] = _mm256_add_epi32(isum[t], _mm256_madd_epi16(s, sc[k]));
                        }
                    }
                }
            }
        }
        // 32 * scale * (the sub-block's activation sum), two sub-blocks per vpmaddwd.
        __m256i osum[T];
        for (int t = 0; t < T; t++) osum[t] = _mm256_setzero_si256();
        for (int p = 0; p < 8; p++) {
            const __m256i sc = _mm256_cvtepi8_epi16(_mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blk + kScalesAt + 16 * p)), zip));
            for (int t = 0; t < T; t++) osum[t] = _mm256_add_epi32(osum[t], _mm256_madd_epi16(sc, bcast32(y[t][b].bsums + 2 * p)));
        }
        const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)blk));
        for (int t = 0; t < T; t++) {
            const __m256i total = _mm256_sub_epi32(isum[t], _mm256_slli_epi32(osum[t], 5));
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(d, _mm256_set1_ps(y[t][b].d)), _mm256_cvtepi32_ps(total), acc[t]);
        }
    }
    for (int t = 0; t < T; t++) out[t] = acc[t];
}

// x rows [i0, i0 + T) against groups [g0, g1); writes y's columns of the groups in those rows.
template <int T>
void pass(const GemmArgs &a, int64_t g0, int64_t g1, int64_t i0, int64_t nb, int64_t act_row) {
    const act_q8_k *y[T];
    for (int t = 0; t < T; t++) y[t] = (const act_q8_k *)((const uint8_t *)a.scratch + (i0 + t) * act_row);
    for (int64_t g = g0; g < g1; g++) {
        const uint8_t *grp = (const uint8_t *)a.w + g * nb * kGroupBytes;
        __m256 out[T];
        group_dot<T>(grp, nb, y, grp + kPrefetchGroups * nb * kGroupBytes, out);
        const __m256 bias = a.bias ? _mm256_loadu_ps(a.bias + 8 * g) : _mm256_setzero_ps();
        for (int t = 0; t < T; t++) _mm256_storeu_ps(a.y + (i0 + t) * a.ldy + 8 * g, _mm256_add_ps(out[t], bias));
    }
}

}  // namespace q6kx8_avx2
}  // namespace

void gemm_q6_kx8_avx2(const GemmArgs &a, int64_t n0, int64_t n1) {
    using namespace q6kx8_avx2;
    const int64_t nb = a.k / 256, act_row = ggml_act_row_bytes(a.format, a.k);
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
