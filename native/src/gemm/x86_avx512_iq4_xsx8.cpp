// AVX-512 GEMM of iq4_xsx8 (vane.h) with x quantized to q8_K by ggml_prepare (gemm/ggml_dot.h),
// for M >= kIq4xsx8Avx512MinM; fewer rows go to the AVX2 kernel (x86_avx2_iq4_xsx8.cpp). The
// integer sums are the AVX2 kernel's and so is the float arithmetic after them: the same bits.
//
// Two groups a vector (x86_avx512_x8_pairs.h), as the q4_kx8 kernel: per super-block and pair of
// sub-blocks the 16 value vectors (vpshufb of each nibble into IQ4_NL's signed table), each
// sub-block's 8 + 8 scales (ls - 32, sign-extended to int32) and 128 * sum(v) of each row stay
// in registers while every row of x of the block of rows passes. vpdpbusd takes x unsigned as
// x + 128 (x ^ 0x80) against the signed values, which adds 128 * sum(v) per row and sub-block;
// that is taken off (the iq4_nlx8 kernel's trick), the sub-block's sum (|.| <= 32 * 127 * 127)
// times its scale by vpmulld, and the row's super-block sum (|.| < 2^28) is kept in a register
// (4..8 rows of x) or in L1. Per super-block and row: acc = fma(d * d_x, float(isum), acc).
//
// 2-vCPU Zen 4, 2026-12-06, ms, this kernel / the AVX2 one (gemm_bench, two sessions each): W
// [4096, 4096] m = 512 at 2 threads 41.8-45.8 / 76.8-79.6, at 1 thread 76.8-91.8 / 154-216; W
// [14336, 4096] from DRAM, 2 threads, M = 4 / 8 / 16: 2.28 / 3.79 / 6.38 against 2.97 / 5.61 /
// 8.95. M < 4 stays on AVX2.
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gemm/x86_avx2.h"
#include "gemm/x86_avx512.h"
#include "gemm/x86_avx512_x8_pairs.h"
#include "quant/ggml_blocks.h"

namespace vane {

namespace {
namespace iq4xsx8_avx512 {

using namespace x8_pairs;

constexpr int64_t kGroupBytes = sizeof(vane_block_iq4_xsx8);
constexpr int kScalesAt = offsetof(vane_block_iq4_xsx8, scales), kCodesAt = offsetof(vane_block_iq4_xsx8, qs);

#define VX_INLINE inline __attribute__((always_inline))

// Groups g (lanes 0..7) and h (8..15) against rows [0, mt) of x: acc[t] += their dot products.
// T > 0: mt == T, known to the compiler, so that the row sums stay in registers; T = 0: any mt
// up to kX8RowBlock, the sums in L1.
template <int T>
VX_INLINE void pair_rows(const uint8_t *wg, const uint8_t *wh, int64_t nb, const act_q8_k *const *y, int64_t mt, __m512 *acc) {
    const __m512i m4 = _mm512_set1_epi8(0x0F), ones = _mm512_set1_epi8(1);
    const __m512i table = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)kIq4Values));
    if (T > 0) mt = T;
    __m512i isum[T > 0 ? T : kX8RowBlock];
    const char *pf = (const char *)wg + 2 * nb * kGroupBytes;  // the next pair of groups, into L2
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *bg = wg + b * kGroupBytes, *bh = wh + b * kGroupBytes;
        for (int o = 0; o < kGroupBytes; o += 64) {
            _mm_prefetch(pf + b * kGroupBytes + o, _MM_HINT_T1);
            _mm_prefetch(pf + (nb + b) * kGroupBytes + o, _MM_HINT_T1);
        }
        for (int64_t t = 0; t < mt; t++) isum[t] = _mm512_setzero_si512();
        for (int p = 0; p < 4; p++) {
            __m512i v[2][8], start[2], sc[2];  // per sub-block 2p + s: chunk c's low values in v[s][c], high in v[s][4 + c]
            for (int s = 0; s < 2; s++) {
                const int sb = 2 * p + s;
                __m512i vsum = _mm512_setzero_si512();
                for (int c = 0; c < 4; c++) {
                    const __m512i code = pair32(bg + kCodesAt + 32 * (4 * sb + c), bh + kCodesAt + 32 * (4 * sb + c));
                    v[s][c] = _mm512_shuffle_epi8(table, _mm512_and_si512(code, m4));
                    v[s][4 + c] = _mm512_shuffle_epi8(table, _mm512_and_si512(_mm512_srli_epi16(code, 4), m4));
                    vsum = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(vsum, ones, v[s][c]), ones, v[s][4 + c]);
                }
                start[s] = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_slli_epi32(vsum, 7));  // -128 * sum(v)
                sc[s] = _mm512_cvtepi8_epi32(pair8(bg + kScalesAt + 8 * sb, bh + kScalesAt + 8 * sb));
            }
            for (int64_t t = 0; t < mt; t++) {
                const int8_t *q = y[t][b].qs + 64 * p;
                __m512i sum = isum[t];
                for (int s = 0; s < 2; s++) {
                    __m512i s0 = start[s], s1 = _mm512_setzero_si512();
                    for (int c = 0; c < 4; c++) {
                        s0 = _mm512_dpbusd_epi32(s0, bcast_unsigned(q + 32 * s + 4 * c), v[s][c]);
                        s1 = _mm512_dpbusd_epi32(s1, bcast_unsigned(q + 32 * s + 16 + 4 * c), v[s][4 + c]);
                    }
                    sum = _mm512_add_epi32(sum, _mm512_mullo_epi32(_mm512_add_epi32(s0, s1), sc[s]));
                }
                isum[t] = sum;
            }
        }
        const __m512 d = halves16(bg, bh);
        for (int64_t t = 0; t < mt; t++)
            acc[t] = _mm512_fmadd_ps(_mm512_mul_ps(d, _mm512_set1_ps(y[t][b].d)), _mm512_cvtepi32_ps(isum[t]), acc[t]);
    }
}

void pair_dot(const uint8_t *wg, const uint8_t *wh, int64_t nb, const act_q8_k *const *y, int64_t mt, __m512 *acc) {
    by_row_count(mt, [&](auto rows) { pair_rows<decltype(rows)::value>(wg, wh, nb, y, mt, acc); });
}

}  // namespace iq4xsx8_avx512
}  // namespace

void gemm_iq4_xsx8_avx512(const GemmArgs &a, int64_t n0, int64_t n1) {
    if (a.m < kIq4xsx8Avx512MinM) return gemm_iq4_xsx8_avx2(a, n0, n1);
    x8_pairs::run_pairs<act_q8_k, 256>(a, n0, n1, iq4xsx8_avx512::kGroupBytes, iq4xsx8_avx512::pair_dot);
}

}  // namespace vane
