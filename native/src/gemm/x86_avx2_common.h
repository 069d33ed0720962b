// Helpers shared by the AVX2 GEMM units (x86_avx2_int.cpp, x86_avx2_float.cpp); included only by
// them, since everything here is compiled for AVX2 (internal linkage, one copy per unit).
#pragma once
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "gemm/gemm.h"
#include "quant/scalar.h"  // get_u16, get_f32: packed-field access

namespace vane {
namespace {
namespace avx2g {

#define VG_INLINE inline __attribute__((always_inline))

VG_INLINE __m128i load16(const uint8_t *p) { return _mm_loadu_si128((const __m128i *)p); }

VG_INLINE float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// Sums of 4 accumulators, as [h(a0) h(a1) h(a2) h(a3)].
VG_INLINE __m128 hsum4(__m256 a0, __m256 a1, __m256 a2, __m256 a3) {
    const __m256 s = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
    return _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
}


// Prefetch distance of the GEMVs, in tiles of the rows they stream at once. The hardware
// prefetchers keep up poorly with 4 interleaved row streams; prefetching the rows 2 tiles ahead
// into L2 took 1-thread q4_0 GEMV from 4 to 14 GB/s on the EPYC VM (1 tile: 13, 4 tiles: 13;
// into L1: slower).
constexpr int64_t kPrefetchTiles = 2;

}  // namespace avx2g
}  // namespace
}  // namespace vane
