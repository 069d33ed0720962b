// AVX2 GEMM of q4_kx8 (q4_k rows interleaved 8 at a time, vane.h) with x quantized to q8_K by
// ggml_prepare (gemm/ggml_dot.h): GEMV passes of up to 4 rows of x over a few groups of weights
// at a time, for every m. Beyond 8 rows this still beats copying the rows out as q4_k for
// ggml_gemm's q4_k kernel, which has no tiled GEMM either (one thread, W [1024, 4096] in L2,
// rows of x times GB/s of weights: m = 9, 33, 64: 47-48 here, 12-22 copying out, 23 for q4_k).
//
// The lanes of every accumulator are the 8 rows of a group, so nothing is decoded per row and
// nothing is added across lanes. Per super-block (256 columns) and sub-block pair p (columns
// 64p .. 64p + 63), chunk 8p + c of the codes (32 bytes) holds bytes 4c .. 4c + 3 of the pair's
// 32 code bytes of each row: low nibbles = columns 64p + 4c .. + 3 (sub-block 2p), high nibbles =
// columns 64p + 32 + 4c .. + 3 (sub-block 2p + 1). vpmaddubsw against those 4 activations,
// broadcast to every lane, gives int16 sums of 2 products; the 8 chunks of a sub-block add up in
// int16 (|.| <= 8 * 2 * 15 * 128 = 30720, no saturation); one vpmaddwd with the sub-block's 8
// scales (bytes in the block, spread to int16 pairs by one vpshufb) widens them and applies the
// scales. The mins need no work per column: min * sum(q8) over a sub-block is a vpmaddwd of the
// 8 rows' mins with the activation's two bsums of that sub-block. The int32 sums of a
// super-block (|.| <= 8 * 63 * 32 * 15 * 128 < 2^25) are converted once and multiplied in by
// d * d_x and dmin * d_x (the 8 rows' fp16 fields, one load each), with one fma each.
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
namespace q4kx8_avx2 {

#define VX_INLINE inline __attribute__((always_inline))

constexpr int64_t kGroupBytes = sizeof(vane_block_q4_kx8);
constexpr int kScalesAt = offsetof(vane_block_q4_kx8, scales), kCodesAt = offsetof(vane_block_q4_kx8, qs);
// Rows of x per pass over a group: 4 rows' int16 and int32 sums about fill the 16 registers.
constexpr int kMaxT = 4;
// Groups whose weights stay in L1/L2 while every pass of x rows runs over them (4 x 19 KB at
// k = 4096).
constexpr int64_t kGroupsPerStep = 4;
// With 2 or more rows of x the group this many ahead is fetched into L2 while this one runs (as
// the q4_0x8 GEMV does). With one row the hardware prefetchers keep up with the single stream
// and the prefetches only cost instructions (W [14336, 4096], 2 threads, one session, GB/s:
// M = 1 29.3 with, 31.5 without; M = 4 19.4 with, 14.0 without).
constexpr int64_t kPrefetchGroups = 2;

VX_INLINE __m256i load32(const void *p) { return _mm256_loadu_si256((const __m256i *)p); }
VX_INLINE __m256i bcast32(const void *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return _mm256_set1_epi32(v);
}
VX_INLINE __m256i bcast128(const void *p) { return _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)p)); }

// vpshufb patterns for a sub-block's 16 bytes [scale of rows 0..7, min of rows 0..7] in both
// lanes: 32-bit lane r (row r) gets the row's scale (min) as two int16.
VX_INLINE __m256i pick_rows(int from) {
    alignas(32) int8_t p[32];
    for (int i = 0; i < 32; i++) {
        const int row = 4 * (i / 16) + (i % 16) / 4;
        p[i] = (i % 2 == 0) ? (int8_t)(from + row) : (int8_t)-1;
    }
    return _mm256_load_si256((const __m256i *)p);
}

// One group of 8 weight rows (nb super-blocks at grp) against T rows of x: out[t] lane r =
// row r . x row t. The T rows of x share each decoded code register.
template <int T>
VX_INLINE void group_dot(const uint8_t *grp, int64_t nb, const act_q8_k *const y[T], const uint8_t *prefetch,
                         __m256 out[T]) {
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    const __m256i pick_scale = pick_rows(0), pick_min = pick_rows(8);
    __m256 acc[T];
    for (int t = 0; t < T; t++) acc[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *blk = grp + b * kGroupBytes;
        if (T > 1)
            for (int o = 0; o < kGroupBytes; o += 64) _mm_prefetch((const char *)prefetch + b * kGroupBytes + o, _MM_HINT_T1);
        __m256i isum[T];
        for (int t = 0; t < T; t++) isum[t] = _mm256_setzero_si256();
        for (int p = 0; p < 4; p++) {
            __m256i s_lo[T], s_hi[T];
            for (int t = 0; t < T; t++) s_lo[t] = s_hi[t] = _mm256_setzero_si256();
            for (int c = 0; c < 8; c++) {
                const __m256i code = load32(blk + kCodesAt + 32 * (8 * p + c));
                const __m256i lo = _mm256_and_si256(code, m4), hi = _mm256_and_si256(_mm256_srli_epi16(code, 4), m4);
                for (int t = 0; t < T; t++) {
                    const int8_t *q = y[t][b].qs + 64 * p + 4 * c;
                    // Saturating adds that never saturate (see the top): the same sums, but the
                    // compiler keeps them in order instead of regrouping the 8 products of a
                    // sub-block into a tree whose live values spill (vpaddw: 38 GB/s in L2,
                    // vpaddsw: 41, one thread).
                    s_lo[t] = _mm256_adds_epi16(s_lo[t], _mm256_maddubs_epi16(lo, bcast32(q)));
                    s_hi[t] = _mm256_adds_epi16(s_hi[t], _mm256_maddubs_epi16(hi, bcast32(q + 32)));
                }
            }
            const uint8_t *sc = blk + kScalesAt + 16 * (2 * p);
            const __m256i sc_lo = _mm256_shuffle_epi8(bcast128(sc), pick_scale);
            const __m256i sc_hi = _mm256_shuffle_epi8(bcast128(sc + 16), pick_scale);
            for (int t = 0; t < T; t++)
                isum[t] = _mm256_add_epi32(isum[t], _mm256_add_epi32(_mm256_madd_epi16(s_lo[t], sc_lo), _mm256_madd_epi16(s_hi[t], sc_hi)));
        }
        // min of sub-block g times its activations' sum: bsums 2g and 2g + 1 (16 columns each).
        __m256i msum[T];
        for (int t = 0; t < T; t++) msum[t] = _mm256_setzero_si256();
        for (int g = 0; g < 8; g++) {
            const __m256i mn = _mm256_shuffle_epi8(bcast128(blk + kScalesAt + 16 * g), pick_min);
            for (int t = 0; t < T; t++) msum[t] = _mm256_add_epi32(msum[t], _mm256_madd_epi16(mn, bcast32(y[t][b].bsums + 2 * g)));
        }
        const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)blk));
        const __m256 dmin = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(blk + 16)));
        for (int t = 0; t < T; t++) {
            const __m256 dx = _mm256_set1_ps(y[t][b].d);
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(d, dx), _mm256_cvtepi32_ps(isum[t]), acc[t]);
            acc[t] = _mm256_fnmadd_ps(_mm256_mul_ps(dmin, dx), _mm256_cvtepi32_ps(msum[t]), acc[t]);
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

}  // namespace q4kx8_avx2
}  // namespace

void gemm_q4_kx8_avx2(const GemmArgs &a, int64_t n0, int64_t n1) {
    using namespace q4kx8_avx2;
    const int64_t nb = a.k / 256, act_row = ggml_act_row_bytes(a.format, a.k);
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
