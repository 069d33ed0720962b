// The frame of the AVX-512 GEMMs of the x8 formats (vane.h; q4_kx8 and q6_kx8 with x quantized
// to q8_K, iq4_nlx8 with x in q8_0, by ggml_prepare): a 512-bit vector holds two groups of 8
// weight rows (group g in lanes 0..7, group h in 8..15), and each block of up to kX8RowBlock rows of x passes over
// every pair of groups of the chunk in turn (the rows' blocks, at most about 300 KB at k = 4096,
// and the chunk's weights stay in L2). store_pair serves the q4_0x8 small-batch kernel too
// (x86_avx512_int.cpp), which pairs groups the same way. For AVX-512 units alone.
#pragma once
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include <type_traits>

#include "gemm/ggml_dot.h"

// GCC 12's 512-bit intrinsics start from _mm512_undefined_*(), which it then reports as (maybe)
// used uninitialized once they are inlined; the values are never read.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace vane {
namespace x8_pairs {

#define X8P_INLINE inline __attribute__((always_inline))

constexpr int64_t kX8RowBlock = 64;

X8P_INLINE __m512i bcast32(const void *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return _mm512_set1_epi32(v);
}
// The 4 activations at q, each + 128 as an unsigned byte (x ^ 0x80), in every dword: vpdpbusd's
// unsigned side when the weights' values are signed (the iq4 kernels).
X8P_INLINE __m512i bcast_unsigned(const int8_t *q) {
    uint32_t v;
    memcpy(&v, q, 4);
    return _mm512_set1_epi32((int)(v ^ 0x80808080u));
}
// 32 bytes at g and 32 at h.
X8P_INLINE __m512i pair32(const uint8_t *g, const uint8_t *h) {
    return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)g)),
                              _mm256_loadu_si256((const __m256i *)h), 1);
}
// 8 bytes at g and 8 at h in one 128-bit vector: [g's, h's].
X8P_INLINE __m128i pair8(const uint8_t *g, const uint8_t *h) {
    int64_t lo, hi;
    memcpy(&lo, g, 8);
    memcpy(&hi, h, 8);
    return _mm_set_epi64x(hi, lo);
}
// 8 fp16 at g and 8 at h as 16 floats.
X8P_INLINE __m512 halves16(const uint8_t *g, const uint8_t *h) {
    const __m256i v = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)g)),
                                              _mm_loadu_si128((const __m128i *)h), 1);
    return _mm512_cvtph_ps(v);
}

// rows(std::integral_constant<int, T>) with T = mt for 4 <= mt <= 8, T = 0 for any other mt: a
// kernel's template per small row count (its row sums in registers) and one for the rest.
template <class Rows>
X8P_INLINE void by_row_count(int64_t mt, Rows rows) {
    switch (mt) {
        case 4: return rows(std::integral_constant<int, 4>{});
        case 5: return rows(std::integral_constant<int, 5>{});
        case 6: return rows(std::integral_constant<int, 6>{});
        case 7: return rows(std::integral_constant<int, 7>{});
        case 8: return rows(std::integral_constant<int, 8>{});
        default: return rows(std::integral_constant<int, 0>{});
    }
}

// Rows [0, mt) of x from i0 against groups g (lanes 0..7 of acc[t]) and g + 1 (8..15): y's
// columns 8g .. 8g + 15 of those rows, plus the bias; only g's 8 when !two (g paired with itself).
X8P_INLINE void store_pair(const GemmArgs &a, int64_t i0, int64_t mt, int64_t g, bool two, const __m512 *acc) {
    const __m512 bias = !a.bias ? _mm512_setzero_ps()
                        : two   ? _mm512_loadu_ps(a.bias + 8 * g)
                                : _mm512_zextps256_ps512(_mm256_loadu_ps(a.bias + 8 * g));
    for (int64_t t = 0; t < mt; t++) {
        const __m512 out = _mm512_add_ps(acc[t], bias);
        float *row = a.y + (i0 + t) * a.ldy + 8 * g;
        if (two) _mm512_storeu_ps(row, out);
        else _mm256_storeu_ps(row, _mm512_castps512_ps256(out));
    }
}

// Rows [n0, n1) of y for every row of x: pair_dot(wg, wh, nb, y, mt, acc) adds groups g and h
// (nb blocks of Cols columns, group_bytes each) against rows y[0 .. mt) of x (their Act blocks)
// into acc[0 .. mt). A last odd group is paired with itself and only its half is stored.
template <class Act, int64_t Cols, class PairDot>
void run_pairs(const GemmArgs &a, int64_t n0, int64_t n1, int64_t group_bytes, PairDot pair_dot) {
    const int64_t nb = a.k / Cols, act_row = ggml_act_row_bytes(a.format, a.k);
    const int64_t g1 = n1 / 8;
    for (int64_t i0 = 0; i0 < a.m; i0 += kX8RowBlock) {
        const int64_t mt = a.m - i0 < kX8RowBlock ? a.m - i0 : kX8RowBlock;
        const Act *y[kX8RowBlock];
        for (int64_t t = 0; t < mt; t++) y[t] = (const Act *)((const uint8_t *)a.scratch + (i0 + t) * act_row);
        for (int64_t g = n0 / 8; g < g1; g += 2) {
            const bool two = g + 1 < g1;
            const uint8_t *wg = (const uint8_t *)a.w + g * nb * group_bytes;
            __m512 acc[kX8RowBlock];
            for (int64_t t = 0; t < mt; t++) acc[t] = _mm512_setzero_ps();
            pair_dot(wg, two ? wg + nb * group_bytes : wg, nb, y, mt, acc);
            store_pair(a, i0, mt, g, two, acc);
        }
    }
}

}  // namespace x8_pairs
}  // namespace vane
