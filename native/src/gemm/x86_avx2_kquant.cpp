// AVX2 + FMA + F16C dot kernels of the K-quants (q2_k ... q6_k) and IQ4_XS with q8_K
// activations (gemm/ggml_dot.h). q2_k ... q6_k are x86_kquant_dot.h's kernels (its top comment
// explains them) on vpmaddubsw + vpmaddwd; IQ4_XS's code values are signed: vpmaddubsw(|v|,
// sign(v) * q8) (at most 2 * 127 * 128), vpmaddwd with the group's scale.
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "gemm/ggml_dot.h"

namespace vane {

namespace {
// Own names: the reference unit's kernels have the same ones (see tests/check_baseline_isa.py).
namespace kquant_avx2 {

// isum += vpmaddwd(vpmaddubsw(u, q8), scale), the scale as int16 in every element.
struct Mac {
    static inline __attribute__((always_inline)) __m256i mac(__m256i isum, __m256i u, const int8_t *q8, __m256i scale) {
        const __m256i p = _mm256_maddubs_epi16(u, _mm256_loadu_si256((const __m256i *)q8));
        return _mm256_add_epi32(isum, _mm256_madd_epi16(p, scale));
    }
    // vpshufb pattern that broadcasts int16 element c of each 128-bit lane.
    static inline __m256i pick16(int c) { return _mm256_set1_epi16((short)(((2 * c + 1) << 8) | (2 * c))); }
    // vpshufb pattern that zero-extends byte c of each lane to all 16 int16 elements.
    static inline __m256i pick8(int c) { return _mm256_set1_epi16((short)(0xFF00 | c)); }
};

}  // namespace kquant_avx2
}  // namespace
}  // namespace vane

#define KQ_NS kquant_avx2
#include "gemm/x86_kquant_dot.h"

namespace vane {
namespace {
namespace kquant_avx2 {

// ---- iq4_xs: IQ4_NL's 16 code values, groups of 32 with a 6-bit scale - 32 --------------------

// The 8 scales (value - 32) as int16, in both lanes. Scale g = nibble g of scales_l (a u32)
// | bits 2g..2g+1 of scales_h << 4: each is spread to byte g with shifts and masks.
VK_INLINE __m256i scales_iq4xs(uint16_t sh, uint32_t sl) {
    uint64_t lo = sl;
    lo = (lo | (lo << 16)) & 0x0000FFFF0000FFFFull;
    lo = (lo | (lo << 8)) & 0x00FF00FF00FF00FFull;
    lo = (lo | (lo << 4)) & 0x0F0F0F0F0F0F0F0Full;
    uint64_t hi = sh;
    hi = (hi | (hi << 24)) & 0x000000FF000000FFull;
    hi = (hi | (hi << 12)) & 0x000F000F000F000Full;
    hi = (hi | (hi << 6)) & 0x0303030303030303ull;
    const __m128i ls = _mm_sub_epi8(_mm_cvtsi64_si128((long long)(lo | (hi << 4))), _mm_set1_epi8(32));
    return _mm256_broadcastsi128_si256(_mm_cvtepi8_epi16(ls));
}

float dot_iq4_xs(const void *w, const void *act, int64_t nb) {
    const vane_block_iq4_xs *x = (const vane_block_iq4_xs *)w;
    const act_q8_k *y = (const act_q8_k *)act;
    const __m256i values = _mm256_broadcastsi128_si256(
        _mm_setr_epi8(-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113));
    const __m256i m4 = _mm256_set1_epi8(0xF);
    // Shifts the high lane's copy of 16 packed bytes to their high nibbles.
    const __m256i nib_shift = _mm256_setr_epi32(0, 0, 0, 0, 4, 4, 4, 4);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const __m256i sc = scales_iq4xs(x[b].scales_h, load_u32(x[b].scales_l));
        __m256i isum = _mm256_setzero_si256();
        for (int g = 0; g < 8; g += 2) {
            // Group g: columns 32g + l (l < 16) are the low nibbles of qs[16g + l], 32g + 16 + l
            // the high ones: 16 bytes in both lanes, the high lane shifted by 4.
            __m256i s[2];
            for (int k = 0; k < 2; k++) {
                const __m256i packed = _mm256_broadcastsi128_si256(load16(x[b].qs + 16 * (g + k)));
                const __m256i v = _mm256_shuffle_epi8(values, _mm256_and_si256(_mm256_srlv_epi32(packed, nib_shift), m4));
                const __m256i q8 = load32(y[b].qs + 32 * (g + k));
                const __m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(v, v), _mm256_sign_epi8(q8, v));
                s[k] = _mm256_madd_epi16(p, _mm256_shuffle_epi8(sc, Mac::pick16(g + k)));
            }
            isum = _mm256_add_epi32(isum, _mm256_add_epi32(s[0], s[1]));
        }
        const __m128 d = scale1(x[b].d, y[b].d);
        acc = _mm256_fmadd_ps(_mm256_broadcastss_ps(d), _mm256_cvtepi32_ps(isum), acc);
    }
    return hsum(acc);
}

}  // namespace kquant_avx2
}  // namespace

DotRowFn dot_row_kquant_avx2(int32_t format) {
    using namespace kquant_avx2;
    switch (format) {
        case VANE_FORMAT_Q2_K: return dot1<Q2K>;
        case VANE_FORMAT_Q3_K: return dot1<Q3K>;
        case VANE_FORMAT_Q4_K: return dot1<Q4K>;
        case VANE_FORMAT_Q5_K: return dot1<Q5K>;
        case VANE_FORMAT_Q6_K: return dot1<Q6K>;
        case VANE_FORMAT_IQ4_XS: return dot_iq4_xs;
        default: return nullptr;
    }
}

}  // namespace vane
