// The K-quant dot kernels (q2_k ... q6_k with q8_K activations, gemm/ggml_dot.h), written once
// for the AVX2 unit (x86_avx2_kquant.cpp) and the AVX-512 one (x86_avx512_kquant.cpp). Same
// integers as gemm/ggml_dot_kquant_ref.cpp, f32 sums in another order (8 lanes per
// super-block, one fma each).
//
// The pattern of each kernel, per super-block of 256:
//  - the weights of 32 columns become 32 unsigned bytes u (0..63) in one register, in the
//    activation's column order;
//  - Mac::mac(isum, u, q8, scale) adds 8 exact int32 sums of scale * u * q8, the group's scale
//    picked (Mac::pick16 / pick8, a vpshufb pattern) from a register holding all the scales.
//    AVX2: vpmaddubsw(u, q8) (16 int16 sums of 2 products, at most 2 * 63 * 128: never
//    saturates), vpmaddwd with the scale as int16, vpaddd. AVX-512 VNNI: vpdpbusd(0, u, q8) (8
//    int32 sums of 4 products, |.| <= 4 * 63 * 128 < 2^15), then vpdpwssd with the scale in the
//    low int16 of each dword and 0 in the high one: the low int16 of a sum under 2^15 is the sum,
//    its high int16 (0 or -1) meets the 0, so isum += sum * scale exactly, in two instructions;
//  - a weight with an offset (q3_k: u - 4, q6_k: u - 32) or a min (q2_k, q4_k, q5_k) costs no
//    work per column: offset * q8 and min * q8 are sums of the activation's bsums, taken with
//    one vpmaddwd per super-block;
//  - R rows of x (R = 1: a DotRowFn; the AVX-512 unit also has R = 2 .. 4, a DotRowsFn) share each
//    weight decode; every row has its own sums, in the order R = 1 takes them, so a row's result
//    does not depend on R; several int32 chains per row (kChains) keep vpdpwssd's latency off
//    the critical path.
// The int32 lane sums of a super-block are converted and multiplied in with one fma, by the
// product of the two f32 scales (computed as the reference does). q3_k and q6_k first add their
// lanes into one exact int32: their offset sits in other lanes than the weights it corrects,
// and lanes that cancel only in the total would lose the other super-blocks' smaller sums to
// rounding. A NaN activation block has d = NaN, so its fma makes the result NaN.
//
// The including unit defines KQ_NS (its own namespace name: the two units' functions must not
// share names, see tests/check_baseline_isa.py) and, in vane::(anonymous)::KQ_NS, a struct Mac
// with static mac, pick16 and pick8; it includes <immintrin.h>, <string.h> and gemm/ggml_dot.h
// first. Everything here has internal linkage.
#pragma once

namespace vane {
namespace {
namespace KQ_NS {

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

// Bytes [0, 2, ..., 14, 1, 3, ..., 15]: 16 scales of groups of 16 reordered so that, once
// widened to int16, the low lane holds the even groups and the high lane the odd ones; group
// pair (2c, 2c + 1) is then element c of each lane (Mac::pick16(c)), matching a 32-column register.
VK_INLINE __m128i even_odd(__m128i v) {
    return _mm_shuffle_epi8(v, _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15));
}

// Independent int32 chains per row: kChains<R>, register c of 32 columns going to chain c % it.
template <int R>
constexpr int kChains = R == 1 ? 4 : 2;

// Per row r of R: isum[kChains * r + c % kChains] += the scaled sums of register c (32
// columns) against row r's q8 at offset 32c of its super-block b.
template <int R>
VK_INLINE void mac_rows(__m256i *isum, __m256i u, const act_q8_k *const *y, int64_t b, int c, __m256i scale) {
    constexpr int NC = kChains<R>;
    for (int r = 0; r < R; r++) isum[NC * r + c % NC] = Mac::mac(isum[NC * r + c % NC], u, y[r][b].qs + 32 * c, scale);
}

// Row r's chains added (in int32: exact, any order).
template <int R>
VK_INLINE __m256i chain_sum(const __m256i *isum, int r) {
    constexpr int NC = kChains<R>;
    __m256i s = isum[NC * r];
    for (int e = 1; e < NC; e++) s = _mm256_add_epi32(s, isum[NC * r + e]);
    return s;
}

// ---- q2_k: 2-bit weights, groups of 16 with a 4-bit scale and a 4-bit min ----------------------

template <int R>
void rows_q2_k(const void *w, const act_q8_k *const *y, int64_t nb, float *out) {
    const vane_block_q2_k *x = (const vane_block_q2_k *)w;
    const __m256i m3 = _mm256_set1_epi8(3), m4 = _mm256_set1_epi8(0xF);
    __m256 acc[R], accm[R];
    for (int r = 0; r < R; r++) acc[r] = accm[r] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const __m128i sm = load16(x[b].scales);
        const __m256i sc = _mm256_cvtepu8_epi16(_mm_and_si128(even_odd(sm), _mm256_castsi256_si128(m4)));
        const __m256i mins = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(sm, 4), _mm256_castsi256_si128(m4)));
        __m256i isum[kChains<R> * R];
        for (int e = 0; e < kChains<R> * R; e++) isum[e] = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            // Columns 128h + 32j + l: bits 2j..2j+1 of qs[32h + l].
            const __m256i bits = load32(x[b].qs + 32 * h);
            for (int j = 0; j < 4; j++) {
                const int c = 4 * h + j;
                const __m256i u = _mm256_and_si256(j == 0 ? bits : _mm256_srli_epi16(bits, 2 * j), m3);
                mac_rows<R>(isum, u, y, b, c, _mm256_shuffle_epi8(sc, Mac::pick16(c)));
            }
        }
        for (int r = 0; r < R; r++) {
            const __m256i msum = _mm256_madd_epi16(mins, load32(y[r][b].bsums));
            const __m128 dd = scales2(&x[b].d, y[r][b].d);
            const __m256i is = chain_sum<R>(isum, r);
            acc[r] = _mm256_fmadd_ps(_mm256_broadcastss_ps(dd), _mm256_cvtepi32_ps(is), acc[r]);
            accm[r] = _mm256_fmadd_ps(_mm256_broadcastss_ps(_mm_movehdup_ps(dd)), _mm256_cvtepi32_ps(msum), accm[r]);
        }
    }
    for (int r = 0; r < R; r++) out[r] = hsum(_mm256_sub_ps(acc[r], accm[r]));
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

// q3_k and q6_k: the super-block's one exact total of each row, times d_w * d_a, into acc[r].
// Row r's first chain starts at -(offset * sum of scale * bsums): u = value + offset.
template <int R>
VK_INLINE void offset_start(__m256i *isum, __m128i sc8, const act_q8_k *const *y, int64_t b, int shift) {
    for (int r = 0; r < R; r++) {
        const __m256i offs = _mm256_madd_epi16(_mm256_cvtepi8_epi16(sc8), load32(y[r][b].bsums));
        isum[kChains<R> * r] = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_sll_epi32(offs, _mm_cvtsi32_si128(shift)));
        for (int e = 1; e < kChains<R>; e++) isum[kChains<R> * r + e] = _mm256_setzero_si256();
    }
}
template <int R>
VK_INLINE void total_in(__m128 *acc, const __m256i *isum, uint16_t d, const act_q8_k *const *y, int64_t b) {
    // One total per super-block: the offset's lanes and the weights' lanes cancel only
    // in the total, and lanes of their own could lose the smaller super-blocks' sums.
    for (int r = 0; r < R; r++)
        acc[r] = _mm_fmadd_ss(scale1(d, y[r][b].d), _mm_cvtepi32_ps(hsum_i32(chain_sum<R>(isum, r))),
                              acc[r]);
}

template <int R>
void rows_q3_k(const void *w, const act_q8_k *const *y, int64_t nb, float *out) {
    const vane_block_q3_k *x = (const vane_block_q3_k *)w;
    const __m256i m3 = _mm256_set1_epi8(3), m4 = _mm256_set1_epi8(4);
    __m128 acc[R];
    for (int r = 0; r < R; r++) acc[r] = _mm_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const __m128i sc8 = scales_q3k(x[b].scales);
        const __m256i sc = _mm256_cvtepi8_epi16(even_odd(sc8));
        __m256i isum[kChains<R> * R];
        offset_start<R>(isum, sc8, y, b, 2);  // u = value + 4 (0..7)
        const __m256i hm = load32(x[b].hmask);
        for (int h = 0; h < 2; h++) {
            // Column 128h + 32j + l: bits 2j..2j+1 of qs[32h + l]; bit 4h + j of hmask[l] adds 4.
            const __m256i bits = load32(x[b].qs + 32 * h);
            for (int j = 0; j < 4; j++) {
                const int c = 4 * h + j;
                const __m256i low = _mm256_and_si256(j == 0 ? bits : _mm256_srli_epi16(bits, 2 * j), m3);
                const __m256i hb = c <= 2 ? _mm256_slli_epi16(hm, 2 - c) : _mm256_srli_epi16(hm, c - 2);
                const __m256i u = _mm256_or_si256(low, _mm256_and_si256(hb, m4));
                mac_rows<R>(isum, u, y, b, c, _mm256_shuffle_epi8(sc, Mac::pick16(c)));
            }
        }
        total_in<R>(acc, isum, x[b].d, y, b);
    }
    for (int r = 0; r < R; r++) out[r] = _mm_cvtss_f32(acc[r]);
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

// q4_k (kFive false) or q5_k: acc += d * sum(scale * u * q8), accm += dmin * sum(min * q8).
// B is the block type; q5_k's fifth bits are in qh.
template <int R, bool kFive, class B>
void rows_q45_k(const void *w, const act_q8_k *const *y, int64_t nb, float *out) {
    const B *x = (const B *)w;
    const __m256i m4 = _mm256_set1_epi8(0xF), m16 = _mm256_set1_epi8(16);
    __m256 acc[R], accm[R];
    for (int r = 0; r < R; r++) acc[r] = accm[r] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *qs = x[b].qs;
        const __m256i sm = _mm256_broadcastsi128_si256(scales_mins_k4(x[b].scales));
        // Min g as int16 twice (for bsums 2g and 2g + 1): bytes 8 + g.
        const __m256i mins = _mm256_shuffle_epi8(
            sm, _mm256_setr_epi8(8, -1, 8, -1, 9, -1, 9, -1, 10, -1, 10, -1, 11, -1, 11, -1, 12, -1, 12, -1, 13, -1, 13, -1,
                                 14, -1, 14, -1, 15, -1, 15, -1));
        __m256i hbits = _mm256_setzero_si256();
        if constexpr (kFive) hbits = load32(x[b].qh);
        __m256i isum[kChains<R> * R];
        for (int e = 0; e < kChains<R> * R; e++) isum[e] = _mm256_setzero_si256();
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
            mac_rows<R>(isum, lo, y, b, 2 * j, _mm256_shuffle_epi8(sm, Mac::pick8(2 * j)));
            mac_rows<R>(isum, hi, y, b, 2 * j + 1, _mm256_shuffle_epi8(sm, Mac::pick8(2 * j + 1)));
        }
        for (int r = 0; r < R; r++) {
            const __m256i msum = _mm256_madd_epi16(mins, load32(y[r][b].bsums));
            const __m128 dd = scales2(&x[b].d, y[r][b].d);
            const __m256i is = chain_sum<R>(isum, r);
            acc[r] = _mm256_fmadd_ps(_mm256_broadcastss_ps(dd), _mm256_cvtepi32_ps(is), acc[r]);
            accm[r] = _mm256_fmadd_ps(_mm256_broadcastss_ps(_mm_movehdup_ps(dd)), _mm256_cvtepi32_ps(msum), accm[r]);
        }
    }
    for (int r = 0; r < R; r++) out[r] = hsum(_mm256_sub_ps(acc[r], accm[r]));
}

// ---- q6_k: 6-bit weights (4 low bits + 2 high bits) - 32, groups of 16 with an int8 scale -----

template <int R>
void rows_q6_k(const void *w, const act_q8_k *const *y, int64_t nb, float *out) {
    const vane_block_q6_k *x = (const vane_block_q6_k *)w;
    const __m256i m4 = _mm256_set1_epi8(0xF), m30 = _mm256_set1_epi8(0x30);
    __m128 acc[R];
    for (int r = 0; r < R; r++) acc[r] = _mm_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const __m128i sc8 = load16(x[b].scales);
        const __m256i sc = _mm256_cvtepi8_epi16(even_odd(sc8));
        __m256i isum[kChains<R> * R];
        offset_start<R>(isum, sc8, y, b, 5);  // u = value + 32 (0..63)
        for (int h = 0; h < 2; h++) {
            // Column 128h + 32k + l: nibble k / 2 of ql[64h + 32(k % 2) + l], bits 2k..2k+1 of
            // qh[32h + l] above it.
            const __m256i l0 = load32(x[b].ql + 64 * h), l1 = load32(x[b].ql + 64 * h + 32);
            const __m256i hb = load32(x[b].qh + 32 * h);
            const __m256i u[4] = {
                _mm256_or_si256(_mm256_and_si256(l0, m4), _mm256_and_si256(_mm256_slli_epi16(hb, 4), m30)),
                _mm256_or_si256(_mm256_and_si256(l1, m4), _mm256_and_si256(_mm256_slli_epi16(hb, 2), m30)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), m4), _mm256_and_si256(hb, m30)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4), _mm256_and_si256(_mm256_srli_epi16(hb, 2), m30))};
            for (int k = 0; k < 4; k++) mac_rows<R>(isum, u[k], y, b, 4 * h + k, _mm256_shuffle_epi8(sc, Mac::pick16(4 * h + k)));
        }
        total_in<R>(acc, isum, x[b].d, y, b);
    }
    for (int r = 0; r < R; r++) out[r] = _mm_cvtss_f32(acc[r]);
}

// The kernels by R, for the wrappers below.
#define VK_KERNEL(Name, ...)                                                                 \
    struct Name {                                                                            \
        template <int R>                                                                     \
        static void run(const void *w, const act_q8_k *const *y, int64_t nb, float *out) { \
            __VA_ARGS__(w, y, nb, out);                                                      \
        }                                                                                    \
    };
VK_KERNEL(Q2K, rows_q2_k<R>)
VK_KERNEL(Q3K, rows_q3_k<R>)
VK_KERNEL(Q4K, rows_q45_k<R, false, vane_block_q4_k>)
VK_KERNEL(Q5K, rows_q45_k<R, true, vane_block_q5_k>)
VK_KERNEL(Q6K, rows_q6_k<R>)
#undef VK_KERNEL

// One weight row against one activation row (a DotRowFn), and against 2 .. 4 (a DotRowsFn).
template <class K>
float dot1(const void *w, const void *act, int64_t nb) {
    const act_q8_k *y[1] = {(const act_q8_k *)act};
    float out;
    K::template run<1>(w, y, nb, &out);
    return out;
}
template <class K>
void dot_rows(const void *w, const void *const *act, int64_t nb, int rows, float *out) {
    static_assert(kDotRows == 4, "the cases below");
    const act_q8_k *const *y = (const act_q8_k *const *)act;
    if (rows == 2) K::template run<2>(w, y, nb, out);
    else if (rows == 3) K::template run<3>(w, y, nb, out);
    else K::template run<4>(w, y, nb, out);
}

}  // namespace KQ_NS
}  // namespace
}  // namespace vane
