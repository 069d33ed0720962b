// AVX-512 (VNNI on 256-bit registers, AVX512VL) dot kernels of GGUF's 32-element formats
// (gemm/ggml_dot.h: q4_1, q5_0, q5_1, iq4_nl, mxfp4): x86_legacy_dot.h's kernels, whose top
// comment explains them, with one vpdpbusd as each block's 8 partial sums in place of AVX2's
// vpmaddubsw + vpmaddwd; the signed codes (q5_0, iq4_nl, mxfp4) still go in as |c| against
// sign(q, c). A block is 32 bytes: one 256-bit register, its scale one lane group. For one row of
// x (dot_row_legacy_avx512) and for 2 .. kDotRows rows sharing each block's codes and weight
// scales (dot_rows_legacy_avx512, what ggml_gemm runs for M > 1).
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "gemm/ggml_dot.h"
#include "quant/ggml_blocks.h"

namespace vane {

namespace {
// Own names: the AVX2 unit instantiates the same kernels (see tests/check_baseline_isa.py).
namespace legacy_avx512 {

// 8 int32 sums of 4 products of one block: codes x (signed or unsigned bytes) times activation q.
struct Sums {
    template <bool SIGNED>
    static inline __attribute__((always_inline)) __m256 block(__m256i x, const int8_t *q) {
        const __m256i y = _mm256_loadu_si256((const __m256i *)q);
        const __m256i s = SIGNED ? _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_abs_epi8(x), _mm256_sign_epi8(y, x))
                                 : _mm256_dpbusd_epi32(_mm256_setzero_si256(), x, y);
        return _mm256_cvtepi32_ps(s);
    }
};

}  // namespace legacy_avx512
}  // namespace
}  // namespace vane

#define LG_NS legacy_avx512
#include "gemm/x86_legacy_dot.h"

namespace vane {

DotRowFn dot_row_legacy_avx512(int32_t format) { return legacy_avx512::legacy_row_kernel(format); }
DotRowsFn dot_rows_legacy_avx512(int32_t format) { return legacy_avx512::legacy_rows_kernel(format); }

}  // namespace vane
