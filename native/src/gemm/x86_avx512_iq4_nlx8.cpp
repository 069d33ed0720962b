// AVX-512 GEMM of iq4_nlx8 (vane.h) with x quantized to q8_0 by ggml_prepare (gemm/ggml_dot.h),
// for M >= kIq4nlx8Avx512MinM; fewer rows go to the AVX2 kernel (x86_avx2_iq4_nlx8.cpp). Each
// output is the same float as the AVX2 kernel's and iq4_nl's reference kernel's, bit for bit.
//
// Two groups a vector (x86_avx512_x8_pairs.h): chunk j of a block's codes (32 bytes: columns
// 4j .. 4j + 3 in the low nibbles, 16 + 4j .. in the high ones, of all 8 rows) of group g in
// lanes 0..7, of group h in 8..15. vpshufb turns each nibble into its signed table value v
// (kIq4Values, -127..113); the 8 value vectors of a block stay in registers while every row of
// x of the block of rows passes over them. vpdpbusd multiplies unsigned by signed bytes, so v is
// the signed side and x goes unsigned as x + 128 (x ^ 0x80, a dword broadcast): each lane sums
// (x + 128) * v = x * v + 128 * v, and 128 * sum(v) of the row's block (one vpdpbusd of the
// values against 0x01 bytes per chunk, once per block for all rows of x) is taken off. Every sum
// is exact in int32 (|.| <= 32 * 255 * 127), so isum is the reference's integer, and as it does:
// acc += (d_x * d_w) * float(isum), the product and the sum rounded separately.
//
// 2-vCPU Zen 4, 2026-12-06, ms, this kernel / the AVX2 one (gemm_bench, one session): W [4096,
// 4096] m = 512 at 2 threads 56.1 / 105.2 (34% / 38% of each variant's int8 ceiling: a block is
// 32 columns, so the per-block scale work is 8x q4_kx8's); W [14336, 4096] from DRAM, 2 threads,
// M = 4 / 8 / 16: 2.19 / 3.34 / 5.90 against 4.58 / 8.88 / 10.19. M < 4 stays on AVX2, which
// streams at the memory's pace with one row of x.
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
namespace iq4nlx8_avx512 {

using namespace x8_pairs;

constexpr int64_t kGroupBytes = sizeof(vane_block_iq4_nlx8);  // 144: 8 rows x 32 columns
constexpr int kCodesAt = offsetof(vane_block_iq4_nlx8, qs);

#define VI_INLINE inline __attribute__((always_inline))

// Groups g (lanes 0..7) and h (8..15) against rows [0, mt) of x: acc[t] += their dot products.
// T > 0: mt == T, known to the compiler (small batches: acc[] in registers); T = 0: any mt.
template <int T>
VI_INLINE void pair_rows(const uint8_t *wg, const uint8_t *wh, int64_t nb, const act_q8_0 *const *y, int64_t mt, __m512 *acc) {
    const __m512i m4 = _mm512_set1_epi8(0x0F), ones = _mm512_set1_epi8(1);
    const __m512i table = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)kIq4Values));
    if (T > 0) mt = T;
    __m512 a[T > 0 ? T : 1];
    if (T > 0)
        for (int t = 0; t < T; t++) a[t] = acc[t];
    const char *pf = (const char *)wg + 2 * nb * kGroupBytes;  // the next pair of groups, into L2
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *bg = wg + b * kGroupBytes, *bh = wh + b * kGroupBytes;
        for (int o = 0; o < kGroupBytes; o += 64) {
            _mm_prefetch(pf + b * kGroupBytes + o, _MM_HINT_T1);
            _mm_prefetch(pf + (nb + b) * kGroupBytes + o, _MM_HINT_T1);
        }
        __m512i v[8];  // chunk j's low-nibble values in v[j], high in v[4 + j]
        __m512i vsum = _mm512_setzero_si512();
        for (int j = 0; j < 4; j++) {
            const __m512i code = pair32(bg + kCodesAt + 32 * j, bh + kCodesAt + 32 * j);
            v[j] = _mm512_shuffle_epi8(table, _mm512_and_si512(code, m4));
            v[4 + j] = _mm512_shuffle_epi8(table, _mm512_and_si512(_mm512_srli_epi16(code, 4), m4));
            vsum = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(vsum, ones, v[j]), ones, v[4 + j]);
        }
        const __m512i start = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_slli_epi32(vsum, 7));  // -128 * sum(v)
        const __m512 dw = halves16(bg, bh);
#pragma GCC unroll 8
        for (int64_t t = 0; t < mt; t++) {
            const int8_t *q = y[t][b].qs;
            __m512i s0 = start, s1 = _mm512_setzero_si512();
            for (int j = 0; j < 4; j++) {
                s0 = _mm512_dpbusd_epi32(s0, bcast_unsigned(q + 4 * j), v[j]);
                s1 = _mm512_dpbusd_epi32(s1, bcast_unsigned(q + 16 + 4 * j), v[4 + j]);
            }
            const __m512 dx = _mm512_set1_ps(_cvtsh_ss(y[t][b].d));
            const __m512 p = _mm512_mul_ps(_mm512_mul_ps(dx, dw), _mm512_cvtepi32_ps(_mm512_add_epi32(s0, s1)));
            if (T > 0) a[t] = _mm512_add_ps(a[t], p);
            else acc[t] = _mm512_add_ps(acc[t], p);
        }
    }
    if (T > 0)
        for (int t = 0; t < T; t++) acc[t] = a[t];
}

void pair_dot(const uint8_t *wg, const uint8_t *wh, int64_t nb, const act_q8_0 *const *y, int64_t mt, __m512 *acc) {
    by_row_count(mt, [&](auto rows) { pair_rows<decltype(rows)::value>(wg, wh, nb, y, mt, acc); });
}

}  // namespace iq4nlx8_avx512
}  // namespace

void gemm_iq4_nlx8_avx512(const GemmArgs &a, int64_t n0, int64_t n1) {
    if (a.m < kIq4nlx8Avx512MinM) return gemm_iq4_nlx8_avx2(a, n0, n1);
    x8_pairs::run_pairs<act_q8_0, 32>(a, n0, n1, iq4nlx8_avx512::kGroupBytes, iq4nlx8_avx512::pair_dot);
}

}  // namespace vane
