// AVX-512 (VNNI on 256-bit registers, AVX512VL) dot kernels of q2_k ... q6_k with q8_K
// activations (gemm/ggml_dot.h): x86_kquant_dot.h's kernels, whose top comment explains them,
// with vpdpbusd + vpdpwssd in place of AVX2's vpmaddubsw + vpmaddwd + vpaddd, for one row of x
// (dot_row_kquant_avx512) and for 2 .. kDotRows rows sharing each weight decode
// (dot_rows_kquant_avx512, what ggml_gemm runs for M > 1). The super-block's structure (groups of 16 or 32 columns
// with their own scale) fits 256-bit registers: a 512-bit one would need its two halves' scales
// picked apart. IQ4_XS keeps the AVX2 kernel (its signed values' sums of 4 products exceed
// vpdpwssd's int16 range).
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "gemm/ggml_dot.h"

namespace vane {

namespace {
// Own names: the AVX2 unit instantiates the same kernels (see tests/check_baseline_isa.py).
namespace kquant_avx512 {

// isum += vpdpwssd(vpdpbusd(0, u, q8), scale), the scale in the low int16 of each dword.
struct Mac {
    static inline __attribute__((always_inline)) __m256i mac(__m256i isum, __m256i u, const int8_t *q8, __m256i scale) {
        const __m256i s = _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, _mm256_loadu_si256((const __m256i *)q8));
        return _mm256_dpwssd_epi32(isum, s, scale);
    }
    // vpshufb pattern: int16 element c of each 128-bit lane into the low half of every dword.
    static inline __m256i pick16(int c) { return _mm256_set1_epi32((int)(0x80800000u | ((2u * c + 1) << 8) | (2u * c))); }
    // vpshufb pattern: byte c of each lane zero-extended to every dword.
    static inline __m256i pick8(int c) { return _mm256_set1_epi32((int)(0x80808000u | (uint32_t)c)); }
};

}  // namespace kquant_avx512
}  // namespace
}  // namespace vane

#define KQ_NS kquant_avx512
#include "gemm/x86_kquant_dot.h"

namespace vane {

DotRowFn dot_row_kquant_avx512(int32_t format) {
    using namespace kquant_avx512;
    switch (format) {
        case VANE_FORMAT_Q2_K: return dot1<Q2K>;
        case VANE_FORMAT_Q3_K: return dot1<Q3K>;
        case VANE_FORMAT_Q4_K: return dot1<Q4K>;
        case VANE_FORMAT_Q5_K: return dot1<Q5K>;
        case VANE_FORMAT_Q6_K: return dot1<Q6K>;
        case VANE_FORMAT_IQ4_XS: return dot_row_kquant_avx2(format);
        default: return nullptr;
    }
}

DotRowsFn dot_rows_kquant_avx512(int32_t format) {
    using namespace kquant_avx512;
    switch (format) {
        case VANE_FORMAT_Q2_K: return dot_rows<Q2K>;
        case VANE_FORMAT_Q3_K: return dot_rows<Q3K>;
        case VANE_FORMAT_Q4_K: return dot_rows<Q4K>;
        case VANE_FORMAT_Q5_K: return dot_rows<Q5K>;
        case VANE_FORMAT_Q6_K: return dot_rows<Q6K>;
        default: return nullptr;
    }
}

}  // namespace vane
