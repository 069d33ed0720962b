// AVX-512 GEMM of q6_kx8 (vane.h) with x quantized to q8_K by ggml_prepare (gemm/ggml_dot.h),
// for M >= kQ6kx8Avx512MinM; fewer rows go to the AVX2 kernel (x86_avx2_q6_kx8.cpp). The sums
// are those of the AVX2 kernel, so the results are identical to it.
//
// Two groups a vector (x86_avx512_x8_pairs.h). Per super-block, half h (128 columns) and half of
// the triples (c = 4 half .. 4 half + 3), the 16 code vectors u[c][k] (codes 0..63 of columns
// 128h + 32k + 4c .. + 3 of 16 rows, decoded from the triples as the AVX2 kernel does) and the
// 4 sub-blocks' scales (sign-extended to int32) stay in registers while every row of x of the
// block of rows passes over them: for sub-block 8h + 2k + half, 4 vpdpbusd of u[c][k] with 4
// activations broadcast from memory (|.| <= 16 * 63 * 128), vpmulld by its scale, into the
// row's int32 sum in a small buffer in L1. The -32 of every code: vpdpwssd of the (scale 2p,
// scale 2p + 1) int16 pairs with the bsum pairs; isum - 32 * that, times d * d_x, one fma.
//
// W [4096, 4096], 2-vCPU Zen 4, 2026-12-06 (gemm_bench gemm / gemv, ms, this kernel / the AVX2
// one): m = 512 at 2 threads 35.2 / 64.1 (53% of the int8 ceiling), m = 64 5.1 / 8.3; W [14336,
// 4096] from DRAM, 2 threads: M = 2 1.71 / 1.70, M = 4 1.80 / 2.17, M = 8 2.66 / 3.86, M = 16
// 4.46 / 7.17.
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "gemm/x86_avx2.h"
#include "gemm/x86_avx512.h"
#include "gemm/x86_avx512_x8_pairs.h"

namespace vane {

namespace {
namespace q6kx8_avx512 {

using namespace x8_pairs;

constexpr int64_t kGroupBytes = sizeof(vane_block_q6_kx8);
constexpr int kScalesAt = offsetof(vane_block_q6_kx8, scales), kCodesAt = offsetof(vane_block_q6_kx8, qs);

// Sub-block s's scales of g's 8 rows and h's as 16 int32 lanes.
X8P_INLINE __m512i scales16(const uint8_t *bg, const uint8_t *bh, int s) {
    return _mm512_cvtepi8_epi32(pair8(bg + kScalesAt + 8 * s, bh + kScalesAt + 8 * s));
}

void pair_dot(const uint8_t *wg, const uint8_t *wh, int64_t nb, const act_q8_k *const *y, int64_t mt, __m512 *acc) {
    const __m512i m6 = _mm512_set1_epi8(0x3F), top = _mm512_set1_epi8((char)0xC0);
    alignas(64) int32_t isum[kX8RowBlock][16];
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *bg = wg + b * kGroupBytes, *bh = wh + b * kGroupBytes;
        for (int64_t t = 0; t < mt; t++) _mm512_store_si512(isum[t], _mm512_setzero_si512());
        for (int h = 0; h < 2; h++)
            for (int half = 0; half < 2; half++) {
                __m512i u[4][4], sc[4];
                for (int c = 0; c < 4; c++) {
                    const int at = kCodesAt + 96 * (8 * h + 4 * half + c);
                    const __m512i b0 = pair32(bg + at, bh + at), b1 = pair32(bg + at + 32, bh + at + 32),
                                  b2 = pair32(bg + at + 64, bh + at + 64);
                    u[c][0] = _mm512_and_si512(b0, m6);
                    u[c][1] = _mm512_and_si512(b1, m6);
                    u[c][2] = _mm512_and_si512(b2, m6);
                    // The shifts are 16-bit, but the masked top bits move within their byte.
                    u[c][3] = _mm512_or_si512(_mm512_or_si512(_mm512_srli_epi16(_mm512_and_si512(b0, top), 6),
                                                              _mm512_srli_epi16(_mm512_and_si512(b1, top), 4)),
                                              _mm512_srli_epi16(_mm512_and_si512(b2, top), 2));
                }
                for (int k = 0; k < 4; k++) sc[k] = scales16(bg, bh, 8 * h + 2 * k + half);
                for (int64_t t = 0; t < mt; t++) {
                    const int8_t *q = y[t][b].qs + 128 * h + 16 * half;
                    __m512i s = _mm512_load_si512(isum[t]);
                    for (int k = 0; k < 4; k++) {
                        __m512i d = _mm512_setzero_si512();
                        for (int c = 0; c < 4; c++) d = _mm512_dpbusd_epi32(d, u[c][k], bcast32(q + 32 * k + 4 * c));
                        s = _mm512_add_epi32(s, _mm512_mullo_epi32(d, sc[k]));
                    }
                    _mm512_store_si512(isum[t], s);
                }
            }
        // 32 * scale * (the sub-block's activation sum), two sub-blocks per vpdpwssd.
        __m512i sp[8];
        for (int p = 0; p < 8; p++)
            sp[p] = _mm512_or_si512(_mm512_and_si512(scales16(bg, bh, 2 * p), _mm512_set1_epi32(0xFFFF)),
                                    _mm512_slli_epi32(scales16(bg, bh, 2 * p + 1), 16));
        const __m512 d = halves16(bg, bh);
        for (int64_t t = 0; t < mt; t++) {
            __m512i osum = _mm512_setzero_si512();
            for (int p = 0; p < 8; p++) osum = _mm512_dpwssd_epi32(osum, sp[p], bcast32(y[t][b].bsums + 2 * p));
            const __m512i total = _mm512_sub_epi32(_mm512_load_si512(isum[t]), _mm512_slli_epi32(osum, 5));
            acc[t] = _mm512_fmadd_ps(_mm512_mul_ps(d, _mm512_set1_ps(y[t][b].d)), _mm512_cvtepi32_ps(total), acc[t]);
        }
    }
}

}  // namespace q6kx8_avx512
}  // namespace

void gemm_q6_kx8_avx512(const GemmArgs &a, int64_t n0, int64_t n1) {
    if (a.m < kQ6kx8Avx512MinM) return gemm_q6_kx8_avx2(a, n0, n1);
    x8_pairs::run_pairs<act_q8_k, 256>(a, n0, n1, q6kx8_avx512::kGroupBytes, q6kx8_avx512::pair_dot);
}

}  // namespace vane
