// AVX2 dot kernels of GGUF's 32-element formats (gemm/ggml_dot.h; compiled with -mavx2 -mfma
// -mf16c, internal linkage but for dot_row_legacy_avx2): x86_legacy_dot.h's kernels, whose top
// comment explains them, with vpmaddubsw and vpmaddwd with ones as the block's partial sums
// (|pair| <= 2 * 127 * 128: never saturates).
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "gemm/ggml_dot.h"
#include "quant/ggml_blocks.h"

namespace vane {

namespace {
// Own names: the AVX-512 unit instantiates the same kernels (see tests/check_baseline_isa.py).
namespace legacy_avx2 {

// 8 int32 sums of 4 products of one block: codes x (signed or unsigned bytes) times activation q.
struct Sums {
    template <bool SIGNED>
    static inline __attribute__((always_inline)) __m256 block(__m256i x, const int8_t *q) {
        const __m256i y = _mm256_loadu_si256((const __m256i *)q);
        const __m256i p16 = SIGNED ? _mm256_maddubs_epi16(_mm256_abs_epi8(x), _mm256_sign_epi8(y, x))
                                   : _mm256_maddubs_epi16(x, y);
        return _mm256_cvtepi32_ps(_mm256_madd_epi16(p16, _mm256_set1_epi16(1)));
    }
};

}  // namespace legacy_avx2
}  // namespace
}  // namespace vane

#define LG_NS legacy_avx2
#include "gemm/x86_legacy_dot.h"

namespace vane {

DotRowFn dot_row_legacy_avx2(int32_t format) { return legacy_avx2::legacy_row_kernel(format); }

}  // namespace vane
