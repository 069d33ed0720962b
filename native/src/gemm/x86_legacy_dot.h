// The dot kernels of GGUF's 32-element formats (gemm/ggml_dot.h: q4_1, q5_1 against q8_1
// activation blocks, q5_0, iq4_nl, mxfp4 against q8_0 ones), written once for the AVX2 unit
// (x86_avx2_legacy.cpp) and the AVX-512 one (x86_avx512_legacy.cpp). The numbers of
// ggml_dot_legacy_ref.cpp in another f32 order: per block, the 32 codes become 32 bytes in the
// activation's element order (low nibbles are elements 0..15, high ones 16..31), and
// Sums::block gives 8 exact int32 partial sums of their products with the activation's q, as
// f32 (exact: |.| <= 4 * 127 * 128); they are accumulated as acc += d * sum, with d = d_w * d_a
// rounded as the reference rounds it. Four blocks per step, four accumulators, one horizontal
// sum per row; q4_1 / q5_1 add m_w * s_a in f32 lanes of their own.
//   - q4_1, q5_1: codes 0..31, unsigned;
//   - q5_0: codes - 16 as signed bytes (0xf0 | nibble where the fifth bit is clear), iq4_nl and
//     mxfp4: their value table through vpshufb; signed codes go in as |c| and sign(q, c);
//   - the fifth bits: qh's 32 bits spread to one byte per element (vpshufb + compare).
// The scales of 4 blocks are gathered by loads and blends, converted at once (vcvtph2ps of 8
// fp16) and multiplied, then each block's d is broadcast to its lanes (vpermps). On Zen 4 the
// AVX2 loop is bound by vector loads (2 a cycle: codes, q, scales) and the multiply pipes; moving
// the scale work into a pass of its own, building the vectors in general registers, or reducing
// 4 blocks' sums before one conversion measured no faster.
// R rows of x (R = 1: a DotRowFn; the AVX-512 unit also has R = 2 .. kDotRows, a DotRowsFn) share
// each block's codes and the weight scales; each row has its own 4 accumulators, summed as R = 1
// sums them, so a row's result does not depend on R (nor on M in ggml_gemm).
//
// The including unit defines LG_NS (its own namespace name: the two units' functions must not
// share names, see tests/check_baseline_isa.py) and, in vane::(anonymous)::LG_NS, a struct Sums
// with a static template <bool SIGNED> __m256 block(__m256i codes, const int8_t *q); it
// includes <immintrin.h>, <string.h>, gemm/ggml_dot.h and quant/ggml_blocks.h first.
#pragma once

namespace vane {
namespace {
namespace LG_NS {

#define VL_INLINE inline __attribute__((always_inline))

VL_INLINE uint32_t ld16(const uint8_t *p) {
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}
VL_INLINE uint32_t ld32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

// A block's 16 code bytes -> its 32 nibbles in element order (low nibbles in the low lane).
VL_INLINE __m256i nibbles(const uint8_t *qs) {
    const __m256i v = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)qs));
    return _mm256_and_si256(_mm256_srlv_epi64(v, _mm256_setr_epi64x(0, 0, 4, 4)), _mm256_set1_epi8(0x0f));
}

// qh's 32 bits -> 32 bytes, 0xff where bit j is set (byte j takes qh's byte j / 8, then its bit j % 8).
VL_INLINE __m256i bit_bytes(const uint8_t *qh) {
    const __m256i v = _mm256_set1_epi32((int32_t)ld32(qh));
    const __m256i spread = _mm256_shuffle_epi8(
        v, _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3));
    const __m256i bit = _mm256_set1_epi64x((int64_t)0x8040201008040201ull);
    return _mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit);
}

// 8 fp16 in a 128-bit vector -> 8 f32.
VL_INLINE __m256 h8(__m128i h) { return _mm256_cvtph_ps(h); }
VL_INLINE float h1(uint32_t h) { return _cvtsh_ss((unsigned short)h); }

// Dword i (< 4): the 4 bytes at p + i * S, by 4 loads, each placing its bytes at dword i, and
// blends (cheap on every pipe, unlike inserts). The loads stay within p .. p + 4 * S.
template <int S>
VL_INLINE __m128i gather4(const uint8_t *p) {
    static_assert(S >= 4, "the loads must stay within the 4 blocks");
    const __m128i v0 = _mm_loadu_si128((const __m128i *)p);
    const __m128i v1 = _mm_loadu_si128((const __m128i *)(p + S - 4));
    const __m128i v2 = _mm_loadu_si128((const __m128i *)(p + 2 * S - 8));
    const __m128i v3 = _mm_loadu_si128((const __m128i *)(p + 3 * S - 12));
    return _mm_blend_epi32(_mm_blend_epi32(v0, v1, 0x2), _mm_blend_epi32(v2, v3, 0x8), 0xc);
}

// Per format: W (weight block bytes), A (activation block type), SIGNED codes, MIN (an m * s
// term), codes(block, table) and the scales of 4 blocks (block i's d_w * d_a in lane 2i, its
// m_w * s_a in lane 2i + 1 when MIN; otherwise lane 2i + 1 holds whatever) or of 1.
template <int WB, class ACT, bool SIGNED_, bool MIN_>
struct FmtBase {
    static constexpr int W = WB, AB = (int)sizeof(ACT);
    static constexpr bool SIGNED = SIGNED_, MIN = MIN_;
    typedef ACT A;
    VL_INLINE static __m128i table() { return _mm_setzero_si128(); }
    // d_w | m_w (fp16 pairs at the block's start) times d_a | s_a of q8_1, or d_w times d_a.
    VL_INLINE static __m256 scales4(const uint8_t *w, const uint8_t *a) {
        return _mm256_mul_ps(h8(gather4<W>(w)), h8(gather4<AB>(a)));
    }
    VL_INLINE static void scale1(const uint8_t *w, const uint8_t *a, float &d, float &ms) {
        d = h1(ld16(w)) * h1(ld16(a));
        ms = MIN ? h1(ld16(w + 2)) * h1(ld16(a + 2)) : 0.0f;
    }
};

struct Q4_1 : FmtBase<20, act_q8_1, false, true> {
    VL_INLINE static __m256i codes(const uint8_t *b, __m128i) { return nibbles(b + 4); }
};

struct Q5_1 : FmtBase<24, act_q8_1, false, true> {
    VL_INLINE static __m256i codes(const uint8_t *b, __m128i) {
        return _mm256_or_si256(nibbles(b + 8), _mm256_and_si256(bit_bytes(b + 4), _mm256_set1_epi8(0x10)));
    }
};

struct Q5_0 : FmtBase<22, act_q8_0, true, false> {
    // code - 16: the nibble with 0xf0 where the fifth bit is clear.
    VL_INLINE static __m256i codes(const uint8_t *b, __m128i) {
        return _mm256_or_si256(nibbles(b + 6), _mm256_andnot_si256(bit_bytes(b + 2), _mm256_set1_epi8((char)0xf0)));
    }
};

// iq4_nl and mxfp4 look their nibbles up in a table of 16 signed values (in both lanes).
VL_INLINE __m256i table_codes(const uint8_t *qs, __m128i table) {
    return _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(table), nibbles(qs));
}

struct Iq4Nl : FmtBase<18, act_q8_0, true, false> {
    VL_INLINE static __m128i table() { return _mm_loadu_si128((const __m128i *)kIq4Values); }
    VL_INLINE static __m256i codes(const uint8_t *b, __m128i t) { return table_codes(b + 2, t); }
};

struct Mxfp4 : FmtBase<17, act_q8_0, true, false> {
    VL_INLINE static __m128i table() { return _mm_loadu_si128((const __m128i *)kMxfp4Values); }
    VL_INLINE static __m256i codes(const uint8_t *b, __m128i t) { return table_codes(b + 1, t); }
    // mxfp4_half_scale(e) (2^(e - 128): (e - 1) << 23 for e >= 2, the subnormals 2^-128 and
    // 2^-127 below) of 4 blocks, in lanes 2i, times their d_a.
    VL_INLINE static __m256 scales4(const uint8_t *w, const uint8_t *a) {
        const __m128i e = _mm_and_si128(gather4<W>(w), _mm_set1_epi32(0xff));
        const __m128i normal = _mm_slli_epi32(_mm_sub_epi32(e, _mm_set1_epi32(1)), 23);
        const __m128i sub = _mm_sllv_epi32(_mm_set1_epi32(0x00200000), e);
        const __m128i bits = _mm_blendv_epi8(sub, normal, _mm_cmpgt_epi32(e, _mm_set1_epi32(1)));
        // Zero-extended to lanes 2i: the odd lanes are 0 * d_a, never a subnormal product
        // (those are slow).
        return _mm256_mul_ps(_mm256_castsi256_ps(_mm256_cvtepu32_epi64(bits)), h8(gather4<AB>(a)));
    }
    VL_INLINE static void scale1(const uint8_t *w, const uint8_t *a, float &d, float &ms) {
        const uint32_t e = w[0];
        const uint32_t bits = e < 2 ? 0x00200000u << e : (e - 1) << 23;
        float f;
        memcpy(&f, &bits, 4);
        d = h1(ld16(a)) * f;
        ms = 0.0f;
    }
};

VL_INLINE float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

VL_INLINE __m256 lane(__m256 v, int i) { return _mm256_permutevar8x32_ps(v, _mm256_set1_epi32(i)); }

template <class F, int R>
void dot_rows(const void *wv, const void *const *av, int64_t nb, float *out) {
    const uint8_t *w = (const uint8_t *)wv;
    const uint8_t *a[R];
    for (int r = 0; r < R; r++) a[r] = (const uint8_t *)av[r];
    constexpr int AB = (int)sizeof(typename F::A);
    constexpr int QAT = AB - 32;  // offset of the activation's q in its block
    const __m128i table = F::table();
    __m256 acc[R][4], accm[R];  // accm: m * s in the odd lanes (MIN formats)
    for (int r = 0; r < R; r++) {
        accm[r] = _mm256_setzero_ps();
        for (int i = 0; i < 4; i++) acc[r][i] = _mm256_setzero_ps();
    }
    int64_t b = 0;
    for (; b + 4 <= nb; b += 4, w += 4 * F::W) {
        __m256 sc[R];
        for (int r = 0; r < R; r++) sc[r] = F::scales4(w, a[r] + b * AB);
        for (int i = 0; i < 4; i++) {
            const __m256i codes = F::codes(w + i * F::W, table);
            for (int r = 0; r < R; r++) {
                const __m256 s = Sums::template block<F::SIGNED>(codes, (const int8_t *)(a[r] + (b + i) * AB + QAT));
                acc[r][i] = _mm256_fmadd_ps(lane(sc[r], 2 * i), s, acc[r][i]);
            }
        }
        if (F::MIN)
            for (int r = 0; r < R; r++) accm[r] = _mm256_add_ps(accm[r], sc[r]);
    }
    float msum[R];  // m * s of the last nb % 4 blocks
    for (int r = 0; r < R; r++) msum[r] = 0.0f;
    for (; b < nb; b++, w += F::W) {
        const __m256i codes = F::codes(w, table);
        for (int r = 0; r < R; r++) {
            float d, ms;
            F::scale1(w, a[r] + b * AB, d, ms);
            const __m256 s = Sums::template block<F::SIGNED>(codes, (const int8_t *)(a[r] + b * AB + QAT));
            acc[r][0] = _mm256_fmadd_ps(_mm256_set1_ps(d), s, acc[r][0]);
            msum[r] += ms;
        }
    }
    for (int r = 0; r < R; r++) {
        float sum = hsum(_mm256_add_ps(_mm256_add_ps(acc[r][0], acc[r][1]), _mm256_add_ps(acc[r][2], acc[r][3])));
        if (F::MIN) {
            // Only the odd lanes hold m * s (the even ones, d's, are masked off whatever they hold).
            const __m256 odd = _mm256_castsi256_ps(_mm256_setr_epi32(0, -1, 0, -1, 0, -1, 0, -1));
            sum += hsum(_mm256_and_ps(accm[r], odd)) + msum[r];
        }
        out[r] = sum;
    }
}

template <class F>
float dot_row(const void *w, const void *act, int64_t nb) {
    float out;
    dot_rows<F, 1>(w, &act, nb, &out);
    return out;
}

// This unit's kernels by VANE_FORMAT_* (nullptr for the other formats), one row of x or R.
VL_INLINE DotRowFn legacy_row_kernel(int32_t format) {
    switch (format) {
        case VANE_FORMAT_Q4_1: return dot_row<Q4_1>;
        case VANE_FORMAT_Q5_0: return dot_row<Q5_0>;
        case VANE_FORMAT_Q5_1: return dot_row<Q5_1>;
        case VANE_FORMAT_IQ4_NL: return dot_row<Iq4Nl>;
        case VANE_FORMAT_MXFP4: return dot_row<Mxfp4>;
        default: return nullptr;
    }
}
// 2 .. kDotRows rows of x (a DotRowsFn).
template <class F>
void dot_rows_n(const void *w, const void *const *act, int64_t nb, int rows, float *out) {
    static_assert(kDotRows == 4, "the cases below");
    if (rows == 2) dot_rows<F, 2>(w, act, nb, out);
    else if (rows == 3) dot_rows<F, 3>(w, act, nb, out);
    else dot_rows<F, 4>(w, act, nb, out);
}
VL_INLINE DotRowsFn legacy_rows_kernel(int32_t format) {
    switch (format) {
        case VANE_FORMAT_Q4_1: return dot_rows_n<Q4_1>;
        case VANE_FORMAT_Q5_0: return dot_rows_n<Q5_0>;
        case VANE_FORMAT_Q5_1: return dot_rows_n<Q5_1>;
        case VANE_FORMAT_IQ4_NL: return dot_rows_n<Iq4Nl>;
        case VANE_FORMAT_MXFP4: return dot_rows_n<Mxfp4>;
        default: return nullptr;
    }
}

}  // namespace LG_NS
}  // namespace
}  // namespace vane
