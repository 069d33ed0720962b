// AVX2 + FMA + F16C dot kernels of the K-quants (q2_k ... q6_k) and IQ4_XS with q8_K
// activations (gemm/ggml_dot.h). Same integers as gemm/ggml_dot_kquant_ref.cpp, f32 sums in
// another order (8 lanes per super-block, one fma each).
//
// The pattern of each kernel, per super-block of 256:
//  - the weights of 32 columns become 32 unsigned bytes u (0..63) in one register, in the
//    activation's column order, and vpmaddubsw(u, q8) gives 16 int16 sums of 2 products (at
//    most 2 * 63 * 127, so it never saturates);
//  - vpmaddwd with the group's scale, broadcast as int16 by a vpshufb from a register holding
//    all the scales, gives 8 exact int32 sums;
//  - a weight with an offset (q3_k: u - 4, q6_k: u - 32) or a min (q2_k, q4_k, q5_k) costs no
//    work per column: offset * q8 and min * q8 are sums of the activation's bsums, taken with
//    one vpmaddwd per super-block;
//  - IQ4_XS's code values are signed: vpmaddubsw(|v|, sign(v) * q8) (at most 2 * 127 * 127).
// The int32 lane sums of a super-block are converted and multiplied in with one fma, by the
// product of the two f32 scales (computed as the reference does). q3_k and q6_k first add their
// lanes into one exact int32: their offset sits in other lanes than the weights it corrects,
// and lanes that cancel only in the total would lose the other super-blocks' smaller sums to
// rounding. A NaN activation block has d = NaN, so its fma makes the result NaN.
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "gemm/ggml_dot.h"

namespace vane {

namespace {
// Own names: the reference unit's kernels have the same ones (see tests/check_baseline_isa.py).
namespace kquant_avx2 {

#define VK_INLINE inline __attribute__((always_inline))

VK_INLINE __m256i load32(const void *p) { return _mm256_loadu_si256((const __m256i *)p); }
VK_INLINE __m128i load16(const void *p) { return _mm_loadu_si128((const __m128i *)p); }
VK_INLINE uint32_t load_u32(const void *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

VK_INLINE float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// The sum of 8 int32 lanes, in lane 0.
VK_INLINE __m128i hsum_i32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    return _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
}

// The fp16 pair at p (d, dmin) times the activation's d, as [d * ad, dmin * ad, 0, 0].
VK_INLINE __m128 scales2(const void *p, float ad) {
    const __m128 w = _mm_cvtph_ps(_mm_cvtsi32_si128((int)load_u32(p)));
    return _mm_mul_ps(w, _mm_set1_ps(ad));
}
VK_INLINE __m128 scale1(uint16_t h, float ad) {
    return _mm_mul_ss(_mm_cvtph_ps(_mm_cvtsi32_si128(h)), _mm_set_ss(ad));
}

// vpshufb pattern that broadcasts int16 element c of each 128-bit lane.
VK_INLINE __m256i pick16(int c) { return _mm256_set1_epi16((short)(((2 * c + 1) << 8) | (2 * c))); }
// vpshufb pattern that zero-extends byte c of each lane to all 16 int16 elements.
VK_INLINE __m256i pick8(int c) { return _mm256_set1_epi16((short)(0xFF00 | c)); }

// Bytes [0, 2, ..., 14, 1, 3, ..., 15]: 16 scales of groups of 16 reordered so that, once
// widened to int16, the low lane holds the even groups and the high lane the odd ones; group
// pair (2c, 2c + 1) is then element c of each lane (pick16(c)), matching a 32-column register.
VK_INLINE __m128i even_odd(__m128i v) {
    return _mm_shuffle_epi8(v, _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15));
}

// sum over 8 registers of 32 columns: vpmaddwd(vpmaddubsw(u, q8), scale), as 8 int32 lanes.
VK_INLINE __m256i scaled(__m256i u, const int8_t *q8, __m256i scale) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, load32(q8)), scale);
}

// ---- q2_k: 2-bit weights, groups of 16 with a 4-bit scale and a 4-bit min ----------------------

float dot_q2_k(const void *w, const void *act, int64_t nb) {
    const vane_block_q2_k *x = (const vane_block_q2_k *)w;
    const act_q8_k *y = (const act_q8_k *)act;
    const __m256i m3 = _mm256_set1_epi8(3), m4 = _mm256_set1_epi8(0xF);
    __m256 acc = _mm256_setzero_ps(), accm = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const int8_t *q8 = y[b].qs;
        const __m128i sm = load16(x[b].scales);
        const __m256i sc = _mm256_cvtepu8_epi16(_mm_and_si128(even_odd(sm), _mm256_castsi256_si128(m4)));
        const __m256i mins = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(sm, 4), _mm256_castsi256_si128(m4)));
        const __m256i msum = _mm256_madd_epi16(mins, load32(y[b].bsums));
        __m256i isum = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            // Columns 128h + 32j + l: bits 2j..2j+1 of qs[32h + l].
            const __m256i bits = load32(x[b].qs + 32 * h);
            const int c = 4 * h;
            const __m256i s0 = scaled(_mm256_and_si256(bits, m3), q8 + 32 * c, _mm256_shuffle_epi8(sc, pick16(c)));
            const __m256i s1 = scaled(_mm256_and_si256(_mm256_srli_epi16(bits, 2), m3), q8 + 32 * (c + 1),
                                      _mm256_shuffle_epi8(sc, pick16(c + 1)));
            const __m256i s2 = scaled(_mm256_and_si256(_mm256_srli_epi16(bits, 4), m3), q8 + 32 * (c + 2),
                                      _mm256_shuffle_epi8(sc, pick16(c + 2)));
            const __m256i s3 = scaled(_mm256_and_si256(_mm256_srli_epi16(bits, 6), m3), q8 + 32 * (c + 3),
                                      _mm256_shuffle_epi8(sc, pick16(c + 3)));
            isum = _mm256_add_epi32(isum, _mm256_add_epi32(_mm256_add_epi32(s0, s1), _mm256_add_epi32(s2, s3)));
        }
        const __m128 dd = scales2(&x[b].d, y[b].d);
        acc = _mm256_fmadd_ps(_mm256_broadcastss_ps(dd), _mm256_cvtepi32_ps(isum), acc);
        accm = _mm256_fmadd_ps(_mm256_broadcastss_ps(_mm_movehdup_ps(dd)), _mm256_cvtepi32_ps(msum), accm);
    }
    return hsum(_mm256_sub_ps(acc, accm));
}

// ---- q3_k: 3-bit weights (2 low bits + a high bit), groups of 16 with a signed 6-bit scale ----

// The 16 scales (value - 32) as int8.
VK_INLINE __m128i scales_q3k(const uint8_t *s) {
    const __m128i m4 = _mm_set1_epi8(0xF);
    const __m128i v = _mm_loadl_epi64((const __m128i *)s);
    const __m128i low = _mm_unpacklo_epi64(_mm_and_si128(v, m4), _mm_and_si128(_mm_srli_epi16(v, 4), m4));
    // Scale 4g + i takes bits 2g..2g+1 of s[8 + i] as its bits 4..5.
    const __m128i t = _mm_srlv_epi32(_mm_set1_epi32((int)load_u32(s + 8)), _mm_setr_epi32(0, 2, 4, 6));
    const __m128i high = _mm_slli_epi32(_mm_and_si128(t, _mm_set1_epi8(3)), 4);
    return _mm_sub_epi8(_mm_or_si128(low, high), _mm_set1_epi8(32));
}

float dot_q3_k(const void *w, const void *act, int64_t nb) {
    const vane_block_q3_k *x = (const vane_block_q3_k *)w;
    const act_q8_k *y = (const act_q8_k *)act;
    const __m256i m3 = _mm256_set1_epi8(3), m4 = _mm256_set1_epi8(4);
    __m128 acc = _mm_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const int8_t *q8 = y[b].qs;
        const __m128i sc8 = scales_q3k(x[b].scales);
        const __m256i sc = _mm256_cvtepi8_epi16(even_odd(sc8));
        // u = value + 4 (0..7): subtract 4 * (sum of each group's q8) times its scale.
        const __m256i offs = _mm256_madd_epi16(_mm256_cvtepi8_epi16(sc8), load32(y[b].bsums));
        __m256i isum = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(offs, 2));
        const __m256i hm = load32(x[b].hmask);
        for (int h = 0; h < 2; h++) {
            // Column 128h + 32j + l: bits 2j..2j+1 of qs[32h + l]; bit 4h + j of hmask[l] adds 4.
            const __m256i bits = load32(x[b].qs + 32 * h);
            __m256i s[4];
            for (int j = 0; j < 4; j++) {
                const int c = 4 * h + j;
                const __m256i low = _mm256_and_si256(j == 0 ? bits : _mm256_srli_epi16(bits, 2 * j), m3);
                const __m256i hb = c <= 2 ? _mm256_slli_epi16(hm, 2 - c) : _mm256_srli_epi16(hm, c - 2);
                const __m256i u = _mm256_or_si256(low, _mm256_and_si256(hb, m4));
                s[j] = scaled(u, q8 + 32 * c, _mm256_shuffle_epi8(sc, pick16(c)));
            }
            isum = _mm256_add_epi32(isum, _mm256_add_epi32(_mm256_add_epi32(s[0], s[1]), _mm256_add_epi32(s[2], s[3])));
        }
        // One total per super-block: the offset's lanes and the weights' lanes cancel only
        // in the total, and lanes of their own could lose the smaller super-blocks' sums.
        acc = _mm_fmadd_ss(scale1(x[b].d, y[b].d), _mm_cvtepi32_ps(hsum_i32(isum)), acc);
    }
    return _mm_cvtss_f32(acc);
}

// ---- q4_k and q5_k: 4-bit (5-bit) weights, groups of 32 with a 6-bit scale and min ------------

// The 8 scales and 8 mins of q4_k / q5_k as bytes [sc0 .. sc7, m0 .. m7], from the 12 packed
// bytes at s (16 bytes are read: the block's next field follows).
//   sc0..3 = s[0..3] & 63                 m0..3 = s[4..7] & 63
//   sc4..7 = s[8..11] & 15 | (s[0..3] >> 6) << 4
//   m4..7  = s[8..11] >> 4 | (s[4..7] >> 6) << 4
VK_INLINE __m128i scales_mins_k4(const uint8_t *s) {
    const __m128i v = load16(s);  // 32-bit words w0 w1 w2 (w3: not ours)
    __m128i t = _mm_shuffle_epi32(v, _MM_SHUFFLE(2, 1, 2, 0));  // w0 w2 w1 w2
    t = _mm_srlv_epi32(t, _mm_setr_epi32(0, 0, 0, 4));
    t = _mm_and_si128(t, _mm_setr_epi32(0x3f3f3f3f, 0x0f0f0f0f, 0x3f3f3f3f, 0x0f0f0f0f));
    __m128i u = _mm_shuffle_epi32(v, _MM_SHUFFLE(1, 1, 0, 0));  // w0 w0 w1 w1
    u = _mm_and_si128(_mm_srli_epi32(u, 2), _mm_setr_epi32(0, 0x30303030, 0, 0x30303030));
    return _mm_or_si128(t, u);
}

// One super-block of q4_k (qh == nullptr) or q5_k: acc += d * sum(scale * u * q8),
// accm += dmin * sum(min * q8).
template <bool kFive>
VK_INLINE void block_q45_k(const uint8_t *dm, const uint8_t *scales, const uint8_t *qh, const uint8_t *qs,
                           const act_q8_k &y, __m256 &acc, __m256 &accm) {
    const __m256i m4 = _mm256_set1_epi8(0xF);
    const __m256i sm = _mm256_broadcastsi128_si256(scales_mins_k4(scales));
    // Min g as int16 twice (for bsums 2g and 2g + 1): bytes 8 + g.
    const __m256i mins = _mm256_shuffle_epi8(
        sm, _mm256_setr_epi8(8, -1, 8, -1, 9, -1, 9, -1, 10, -1, 10, -1, 11, -1, 11, -1, 12, -1, 12, -1, 13, -1, 13, -1,
                             14, -1, 14, -1, 15, -1, 15, -1));
    const __m256i msum = _mm256_madd_epi16(mins, load32(y.bsums));
    __m256i hbits = kFive ? load32(qh) : _mm256_setzero_si256();
    const __m256i m16 = _mm256_set1_epi8(16);
    __m256i isum = _mm256_setzero_si256();
    for (int j = 0; j < 4; j++) {
        // Columns 64j + l: low nibbles of qs[32j + l]; 64j + 32 + l: high nibbles. q5_k: bit
        // 2j (2j + 1) of qh[l] adds 16.
        const __m256i bits = load32(qs + 32 * j);
        __m256i lo = _mm256_and_si256(bits, m4);
        __m256i hi = _mm256_and_si256(_mm256_srli_epi16(bits, 4), m4);
        if (kFive) {
            lo = _mm256_or_si256(lo, _mm256_and_si256(_mm256_slli_epi16(hbits, 4), m16));
            hi = _mm256_or_si256(hi, _mm256_and_si256(_mm256_slli_epi16(hbits, 3), m16));
            hbits = _mm256_srli_epi16(hbits, 2);
        }
        const __m256i s0 = scaled(lo, y.qs + 64 * j, _mm256_shuffle_epi8(sm, pick8(2 * j)));
        const __m256i s1 = scaled(hi, y.qs + 64 * j + 32, _mm256_shuffle_epi8(sm, pick8(2 * j + 1)));
        isum = _mm256_add_epi32(isum, _mm256_add_epi32(s0, s1));
    }
    const __m128 dd = scales2(dm, y.d);
    acc = _mm256_fmadd_ps(_mm256_broadcastss_ps(dd), _mm256_cvtepi32_ps(isum), acc);
    accm = _mm256_fmadd_ps(_mm256_broadcastss_ps(_mm_movehdup_ps(dd)), _mm256_cvtepi32_ps(msum), accm);
}

float dot_q4_k(const void *w, const void *act, int64_t nb) {
    const vane_block_q4_k *x = (const vane_block_q4_k *)w;
    const act_q8_k *y = (const act_q8_k *)act;
    __m256 acc = _mm256_setzero_ps(), accm = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++)
        block_q45_k<false>((const uint8_t *)&x[b].d, x[b].scales, nullptr, x[b].qs, y[b], acc, accm);
    return hsum(_mm256_sub_ps(acc, accm));
}

float dot_q5_k(const void *w, const void *act, int64_t nb) {
    const vane_block_q5_k *x = (const vane_block_q5_k *)w;
    const act_q8_k *y = (const act_q8_k *)act;
    __m256 acc = _mm256_setzero_ps(), accm = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++)
        block_q45_k<true>((const uint8_t *)&x[b].d, x[b].scales, x[b].qh, x[b].qs, y[b], acc, accm);
    return hsum(_mm256_sub_ps(acc, accm));
}

// ---- q6_k: 6-bit weights (4 low bits + 2 high bits) - 32, groups of 16 with an int8 scale -----

float dot_q6_k(const void *w, const void *act, int64_t nb) {
    const vane_block_q6_k *x = (const vane_block_q6_k *)w;
    const act_q8_k *y = (const act_q8_k *)act;
    const __m256i m4 = _mm256_set1_epi8(0xF), m30 = _mm256_set1_epi8(0x30);
    __m128 acc = _mm_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const int8_t *q8 = y[b].qs;
        const __m128i sc8 = load16(x[b].scales);
        const __m256i sc = _mm256_cvtepi8_epi16(even_odd(sc8));
        // u = value + 32 (0..63): subtract 32 * (sum of each group's q8) times its scale.
        const __m256i offs = _mm256_madd_epi16(_mm256_cvtepi8_epi16(sc8), load32(y[b].bsums));
        __m256i isum = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(offs, 5));
        for (int h = 0; h < 2; h++) {
            // Column 128h + 32k + l: nibble k / 2 of ql[64h + 32(k % 2) + l], bits 2k..2k+1 of
            // qh[32h + l] above it.
            const __m256i l0 = load32(x[b].ql + 64 * h), l1 = load32(x[b].ql + 64 * h + 32);
            const __m256i hb = load32(x[b].qh + 32 * h);
            const __m256i u0 = _mm256_or_si256(_mm256_and_si256(l0, m4), _mm256_and_si256(_mm256_slli_epi16(hb, 4), m30));
            const __m256i u1 = _mm256_or_si256(_mm256_and_si256(l1, m4), _mm256_and_si256(_mm256_slli_epi16(hb, 2), m30));
            const __m256i u2 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), m4), _mm256_and_si256(hb, m30));
            const __m256i u3 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4),
                                               _mm256_and_si256(_mm256_srli_epi16(hb, 2), m30));
            const int c = 4 * h;
            const __m256i s0 = scaled(u0, q8 + 32 * c, _mm256_shuffle_epi8(sc, pick16(c)));
            const __m256i s1 = scaled(u1, q8 + 32 * (c + 1), _mm256_shuffle_epi8(sc, pick16(c + 1)));
            const __m256i s2 = scaled(u2, q8 + 32 * (c + 2), _mm256_shuffle_epi8(sc, pick16(c + 2)));
            const __m256i s3 = scaled(u3, q8 + 32 * (c + 3), _mm256_shuffle_epi8(sc, pick16(c + 3)));
            isum = _mm256_add_epi32(isum, _mm256_add_epi32(_mm256_add_epi32(s0, s1), _mm256_add_epi32(s2, s3)));
        }
        // One total per super-block: the offset's lanes and the weights' lanes cancel only
        // in the total, and lanes of their own could lose the smaller super-blocks' sums.
        acc = _mm_fmadd_ss(scale1(x[b].d, y[b].d), _mm_cvtepi32_ps(hsum_i32(isum)), acc);
    }
    return _mm_cvtss_f32(acc);
}

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
                s[k] = _mm256_madd_epi16(p, _mm256_shuffle_epi8(sc, pick16(g + k)));
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
        case VANE_FORMAT_Q2_K: return dot_q2_k;
        case VANE_FORMAT_Q3_K: return dot_q3_k;
        case VANE_FORMAT_Q4_K: return dot_q4_k;
        case VANE_FORMAT_Q5_K: return dot_q5_k;
        case VANE_FORMAT_Q6_K: return dot_q6_k;
        case VANE_FORMAT_IQ4_XS: return dot_iq4_xs;
        default: return nullptr;
    }
}

}  // namespace vane
