// AVX-512 GEMM of q4_kx8 (vane.h) with x quantized to q8_K by ggml_prepare (gemm/ggml_dot.h),
// for M >= kQ4kx8Avx512MinM; fewer rows go to the AVX2 kernel (x86_avx2_q4_kx8.cpp), which reads the
// weights at the memory's pace already. The sums are those of the AVX2 kernel, so the results
// are identical to it.
//
// Two groups a vector (x86_avx512_x8_pairs.h): chunk c of a super-block's codes (32 bytes, 4
// consecutive columns of all 8 rows, vane.h) of group g in lanes 0..7, of group h in 8..15. Per
// super-block and sub-block pair p, the 16 code vectors (8 chunks, low and high nibbles) and the
// two sub-blocks' scales (zero-extended to int32) stay in registers while every row of x of the
// block of rows passes over them: vpdpbusd of the codes with 4 activations broadcast from memory
// gives a sub-block's int32 sum per weight row (|.| <= 32 * 15 * 128), vpmulld applies its
// scale, and the row's running int32 sum is kept in a register (4..8 rows of x, a template per
// count) or in L1 (more rows). The next pair of groups is prefetched into L2. The mins are
// vpdpwssd of [min, min] int16 pairs with the activations' bsum pairs. Per super-block and row
// of x: acc += d * d_x * isum - dmin * d_x * msum in f32, as the AVX2 kernel.
//
// W [4096, 4096], 2-vCPU Zen 4, 2026-12-06 (gemm_bench gemm / gemv, ms, this kernel / the AVX2
// one): m = 512 at 2 threads 30.2 / 60.1 (61% of the int8 ceiling), m = 64 4.5 / 7.8; W [14336,
// 4096] from DRAM, 2 threads: M = 2 1.86 / 1.58, M = 4 1.78 / 2.00, M = 8 2.40 / 3.09, M = 16
// 3.87 / 5.57. Hence M >= 4 (kQ4kx8Avx512MinM). The sums in registers and the prefetch then
// took M = 4 / 8 / 16 from 1.60-1.69 / 2.26-2.36 / 3.59-4.03 ms to 1.44-1.49 / 1.99-2.14 /
// 3.36-3.54 (the two builds alternated twice in one session).
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "gemm/x86_avx2.h"
#include "gemm/x86_avx512.h"
#include "gemm/x86_avx512_x8_pairs.h"

namespace vane {

namespace {
namespace q4kx8_avx512 {

using namespace x8_pairs;

constexpr int64_t kGroupBytes = sizeof(vane_block_q4_kx8);
constexpr int kScalesAt = offsetof(vane_block_q4_kx8, scales), kCodesAt = offsetof(vane_block_q4_kx8, qs);

#define VQ_INLINE inline __attribute__((always_inline))

// 8 bytes of g and 8 of h as 16 int32 lanes.
X8P_INLINE __m512i bytes16(const uint8_t *g, const uint8_t *h) { return _mm512_cvtepu8_epi32(pair8(g, h)); }

// Groups g (lanes 0..7) and h (8..15) against rows [0, mt) of x (y[t] their q8_K blocks):
// acc[t] += their dot products. T > 0: mt == T, known to the compiler, so that the row sums stay
// in registers (small batches); T = 0: any mt up to kX8RowBlock, the sums in L1.
template <int T>
VQ_INLINE void pair_rows(const uint8_t *wg, const uint8_t *wh, int64_t nb, const act_q8_k *const *y, int64_t mt, __m512 *acc) {
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    if (T > 0) mt = T;
    __m512i isum[T > 0 ? T : kX8RowBlock];
    // The next pair of groups (contiguous after these two), into L2 while this one runs.
    const char *pf = (const char *)wg + 2 * nb * kGroupBytes;
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *bg = wg + b * kGroupBytes, *bh = wh + b * kGroupBytes;
        for (int o = 0; o < kGroupBytes; o += 64) {
            _mm_prefetch(pf + b * kGroupBytes + o, _MM_HINT_T1);
            _mm_prefetch(pf + (nb + b) * kGroupBytes + o, _MM_HINT_T1);
        }
        for (int64_t t = 0; t < mt; t++) isum[t] = _mm512_setzero_si512();
        for (int p = 0; p < 4; p++) {
            __m512i lo[8], hi[8];
            for (int c = 0; c < 8; c++) {
                const __m512i code = pair32(bg + kCodesAt + 32 * (8 * p + c), bh + kCodesAt + 32 * (8 * p + c));
                lo[c] = _mm512_and_si512(code, m4);
                hi[c] = _mm512_and_si512(_mm512_srli_epi16(code, 4), m4);
            }
            const __m512i sc_lo = bytes16(bg + kScalesAt + 16 * (2 * p), bh + kScalesAt + 16 * (2 * p));
            const __m512i sc_hi = bytes16(bg + kScalesAt + 16 * (2 * p + 1), bh + kScalesAt + 16 * (2 * p + 1));
            for (int64_t t = 0; t < mt; t++) {
                const int8_t *q = y[t][b].qs + 64 * p;
                __m512i s_lo = _mm512_setzero_si512(), s_hi = _mm512_setzero_si512();
                for (int c = 0; c < 8; c++) {
                    s_lo = _mm512_dpbusd_epi32(s_lo, lo[c], bcast32(q + 4 * c));
                    s_hi = _mm512_dpbusd_epi32(s_hi, hi[c], bcast32(q + 32 + 4 * c));
                }
                const __m512i s = _mm512_add_epi32(_mm512_mullo_epi32(s_lo, sc_lo), _mm512_mullo_epi32(s_hi, sc_hi));
                isum[t] = _mm512_add_epi32(isum[t], s);
            }
        }
        // min of sub-block s times its activations' sum (bsums 2s and 2s + 1): [min, min] int16
        // pairs against the bsum pair.
        __m512i mn[8];
        for (int s = 0; s < 8; s++) {
            const __m512i v = bytes16(bg + kScalesAt + 16 * s + 8, bh + kScalesAt + 16 * s + 8);
            mn[s] = _mm512_or_si512(v, _mm512_slli_epi32(v, 16));
        }
        const __m512 d = halves16(bg, bh), dmin = halves16(bg + 16, bh + 16);
        for (int64_t t = 0; t < mt; t++) {
            __m512i msum = _mm512_setzero_si512();
            for (int s = 0; s < 8; s++) msum = _mm512_dpwssd_epi32(msum, mn[s], bcast32(y[t][b].bsums + 2 * s));
            const __m512 dx = _mm512_set1_ps(y[t][b].d);
            __m512 r = _mm512_fmadd_ps(_mm512_mul_ps(d, dx), _mm512_cvtepi32_ps(isum[t]), acc[t]);
            acc[t] = _mm512_fnmadd_ps(_mm512_mul_ps(dmin, dx), _mm512_cvtepi32_ps(msum), r);
        }
    }
}

void pair_dot(const uint8_t *wg, const uint8_t *wh, int64_t nb, const act_q8_k *const *y, int64_t mt, __m512 *acc) {
    by_row_count(mt, [&](auto rows) { pair_rows<decltype(rows)::value>(wg, wh, nb, y, mt, acc); });
}

}  // namespace q4kx8_avx512
}  // namespace

void gemm_q4_kx8_avx512(const GemmArgs &a, int64_t n0, int64_t n1) {
    if (a.m < kQ4kx8Avx512MinM) return gemm_q4_kx8_avx2(a, n0, n1);
    x8_pairs::run_pairs<act_q8_k, 256>(a, n0, n1, q4kx8_avx512::kGroupBytes, q4kx8_avx512::pair_dot);
}

}  // namespace vane
