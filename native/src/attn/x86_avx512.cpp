// AVX-512 attention kernel: the vector arithmetic of attn/tiles.h's frame (tiles of kKeys keys,
// micro-tiles of 4 rows, f16 / FP8 cache vectors decoded in the loops), 16 lanes at a time.
// head_dim must be a multiple of 16; other sizes take the AVX2 kernels for the whole call
// (which take the reference path below a multiple of 8).
//
// Zen 4 runs a 512-bit operation as two 256-bit halves, so the FMA throughput is the AVX2
// kernel's; what pays is fewer instructions per key:
//   scores:  4 rows x 4 keys as 16 FMA chains over head_dim (8 loads per 16 FMAs), the 16 sums
//            reduced into one vector by a shuffle tree (lane 4 r + key) instead of vhaddps per
//            8 scores, then scaled;
//   softmax: the row's 32 slots in two vectors; its range a bit mask (__mmask16 per half)
//            rather than integer compares and blends; capped (softcap_tanh16), p by
//            exp_poly16 (common/exp_poly_avx512.h: the scalar polynomial's bits);
//   o += p v: head_dim in passes of up to 64 columns (4 rows x 4 vectors of accumulators: one
//            pass over the tile's keys at head_dim 64, two at 128, against 4 and 8 for AVX2);
//            at the causal diagonal or a window's edge the same loop with each FMA masked by
//            p != 0 (vfmadd with a {k} mask where AVX2 blends), so a non-finite value of a key
//            a row does not see never reaches it;
//   f16 values by one vcvtph2ps per 16, FP8 codes by one vpmovsxbd per 16.
// Semantics are the AVX2 kernel's (masked keys, sinks only at normalization, partials, NaN and
// Inf); sums go in another order, so results match it to rounding, not bit for bit.
// Everything is internal but the table.
#include <immintrin.h>

// GCC 12's 512-bit intrinsics start from _mm512_undefined_*(), which it then reports as maybe
// used uninitialized once they are inlined into templates; the values are never read.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "attn/attn.h"
#include "attn/kv.h"
#include "attn/softcap.h"
#include "attn/tiles.h"
#include "common/exp_poly.h"
#include "common/exp_poly_avx512.h"

namespace vane {

namespace {
namespace avx512a {

#define VB_INLINE inline __attribute__((always_inline))

// Lane i: the sum of a[i]'s 16 lanes.
VB_INLINE __m512 hsum16(const __m512 a[16]) {
    __m512 t[8], u[4];
    for (int i = 0; i < 8; i++)  // per 128-bit chunk: [x0 + x2, y0 + y2, x1 + x3, y1 + y3] of a pair x, y
        t[i] = _mm512_add_ps(_mm512_unpacklo_ps(a[2 * i], a[2 * i + 1]), _mm512_unpackhi_ps(a[2 * i], a[2 * i + 1]));
    for (int i = 0; i < 4; i++) {  // per chunk: the chunk's sums of a[4 i .. 4 i + 3]
        const __m512d x = _mm512_castps_pd(t[2 * i]), y = _mm512_castps_pd(t[2 * i + 1]);
        u[i] = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(x, y)), _mm512_castpd_ps(_mm512_unpackhi_pd(x, y)));
    }
    // Across chunks: chunk i of the result holds u[i]'s four chunks added.
    const __m512 w01 = _mm512_add_ps(_mm512_shuffle_f32x4(u[0], u[1], _MM_SHUFFLE(2, 0, 2, 0)), _mm512_shuffle_f32x4(u[0], u[1], _MM_SHUFFLE(3, 1, 3, 1)));
    const __m512 w23 = _mm512_add_ps(_mm512_shuffle_f32x4(u[2], u[3], _MM_SHUFFLE(2, 0, 2, 0)), _mm512_shuffle_f32x4(u[2], u[3], _MM_SHUFFLE(3, 1, 3, 1)));
    return _mm512_add_ps(_mm512_shuffle_f32x4(w01, w23, _MM_SHUFFLE(2, 0, 2, 0)), _mm512_shuffle_f32x4(w01, w23, _MM_SHUFFLE(3, 1, 3, 1)));
}

// FP8 E4M3 codes p[0..15], each in a 32-bit lane (sign-extended).
VB_INLINE __m512i e4m3_codes16(const uint8_t *p) { return _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)p)); }

// The codes' values times 2^-120, by moving bits (the caller supplies the 2^120).
VB_INLINE __m512 e4m3_scaled16(__m512i code) {
    return _mm512_castsi512_ps(_mm512_and_si512(_mm512_slli_epi32(code, 20), _mm512_set1_epi32((int)0x87f00000u)));
}

// One cache vector (vector index vi of one side) decoded into out, exactly (FP8 NaN codes ->
// NaN); for the tile buffer.
VB_INLINE void load_vector(const vane_kv_cache &c, const void *base, const float *scales, int64_t vi, float *out) {
    const int64_t d = c.head_dim;
    if (c.dtype == VANE_KV_F32) {
        memcpy(out, (const float *)base + vi * d, sizeof(float) * (size_t)d);
    } else if (c.dtype == VANE_KV_F16) {
        const uint16_t *p = (const uint16_t *)base + vi * d;
        for (int64_t e = 0; e < d; e += 16) _mm512_storeu_ps(out + e, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(p + e))));
    } else {
        const uint8_t *p = (const uint8_t *)base + vi * d;
        const __m512 sc = _mm512_set1_ps(scales[vi]);
        for (int64_t e = 0; e < d; e += 16) {
            const __m512i code = e4m3_codes16(p + e);
            const __mmask16 nan = _mm512_cmpeq_epi32_mask(_mm512_and_si512(code, _mm512_set1_epi32(0x7f)), _mm512_set1_epi32(0x7f));
            const __m512 v = _mm512_mul_ps(e4m3_scaled16(code), _mm512_set1_ps(0x1p120f));
            _mm512_storeu_ps(out + e, _mm512_mul_ps(_mm512_mask_mov_ps(v, nan, _mm512_set1_ps(__builtin_nanf(""))), sc));
        }
    }
}

// 16 elements of a tile's vector from column c (FP8: times 2^-120, NaN codes not expected in a
// cache Vane wrote, whose values were finite).
template <Elem T>
VB_INLINE __m512 load16(const void *p, int64_t c) {
    if (T == kF32) return _mm512_loadu_ps((const float *)p + c);
    if (T == kF16) return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)((const uint16_t *)p + c)));
    return e4m3_scaled16(e4m3_codes16((const uint8_t *)p + c));
}

// Scaled scores of up to 4 rows against the tile's nk keys, into s[row][key - jt] (unmasked;
// slots from nk to the next multiple of 4 get a repeat of the last key's score).
template <Elem T>
VB_INLINE void scores(const AttnArgs &a, const Row *rows, int nr, const TileSrc &src, int64_t nk, float (*s)[kKeys]) {
    const int64_t d = a.d;
    const float *q[kRows];
    for (int r = 0; r < kRows; r++) q[r] = rows[r < nr ? r : 0].q;
    for (int64_t jj = 0; jj < nk; jj += 4) {
        int64_t key[4];
        for (int t = 0; t < 4; t++) key[t] = jj + t < nk ? jj + t : nk - 1;
        prefetch_pending(src, jj, jj + 4);
        __m512 acc[4 * kRows];
        for (int t = 0; t < 4 * kRows; t++) acc[t] = _mm512_setzero_ps();
        for (int64_t c = 0; c < d; c += 16) {
            __m512 x[4];
            for (int t = 0; t < 4; t++) x[t] = load16<T>(src.k[key[t]], c);
            for (int r = 0; r < kRows; r++) {
                __m512 qv = _mm512_loadu_ps(q[r] + c);
                __asm__("" : "+v"(qv));  // one load for the 4 keys (the compiler would fold it into each FMA)
                for (int t = 0; t < 4; t++) acc[4 * r + t] = _mm512_fmadd_ps(qv, x[t], acc[4 * r + t]);
            }
        }
        const __m512 sc = T == kFP8 ? _mm512_mul_ps(_mm512_broadcast_f32x4(_mm_setr_ps(src.kscale[key[0]], src.kscale[key[1]], src.kscale[key[2]],
                                                                                      src.kscale[key[3]])),
                                                    _mm512_set1_ps(a.scale * 0x1p120f))
                                    : _mm512_set1_ps(a.scale);
        const __m512 sums = _mm512_mul_ps(hsum16(acc), sc);  // chunk r: row r's 4 keys
        _mm_store_ps(&s[0][jj], _mm512_castps512_ps128(sums));
        _mm_store_ps(&s[1][jj], _mm512_extractf32x4_ps(sums, 1));
        _mm_store_ps(&s[2][jj], _mm512_extractf32x4_ps(sums, 2));
        _mm_store_ps(&s[3][jj], _mm512_extractf32x4_ps(sums, 3));
    }
}

// One row's softmax over the tile (the frame's Isa::softmax): slots [lo, hi) valid.
VB_INLINE void softmax(const AttnArgs &a, int64_t lo, int64_t hi, float *s, float *m, float *l, float *o) {
    static_assert(kKeys == 32, "a tile is two vectors and one 32-bit mask");
    lo = lo < 0 ? 0 : lo;
    hi = hi > kKeys ? kKeys : hi;
    const uint32_t valid = hi > lo ? (uint32_t)(((uint64_t(1) << hi) - 1) & ~((uint64_t(1) << lo) - 1)) : 0;
    __m512 sv[2], mxv = _mm512_set1_ps(-INFINITY);
    __mmask16 nan = 0;
    for (int h = 0; h < 2; h++) {
        const __mmask16 k = (__mmask16)(valid >> (16 * h));
        const __m512 raw = _mm512_load_ps(s + 16 * h);
        const __m512 capped = a.softcap > 0.0f ? _mm512_mul_ps(_mm512_set1_ps(a.softcap), softcap_tanh16(raw)) : raw;
        sv[h] = _mm512_mask_mov_ps(_mm512_set1_ps(-INFINITY), k, capped);
        const __m512 diff = _mm512_sub_ps(raw, raw);  // NaN exactly when raw is NaN or +-Inf
        nan |= _mm512_mask_cmp_ps_mask(k, diff, diff, _CMP_UNORD_Q);
        mxv = _mm512_max_ps(mxv, sv[h]);
    }
    const float mx = _mm512_reduce_max_ps(mxv);
    if (nan) *m = NAN;  // a NaN or an infinite score: the row is NaN (sticks: NaN > x is false)
    const float m_new = mx > *m ? mx : *m;
    // Rows with nothing seen yet and nothing here keep m = -inf, p = 0 (masked slots too).
    const __m512 mv = _mm512_set1_ps(m_new);
    const __m512 p0 = exp_poly16_or_zero(_mm512_sub_ps(sv[0], mv)), p1 = exp_poly16_or_zero(_mm512_sub_ps(sv[1], mv));
    _mm512_store_ps(s, p0);
    _mm512_store_ps(s + 16, p1);
    const float corr = exp_poly_or_zero(*m - m_new);
    *l = *l * corr + _mm512_reduce_add_ps(_mm512_add_ps(p0, p1));
    if (corr != 1.0f) {
        const __m512 cv = _mm512_set1_ps(corr);
        for (int64_t c = 0; c < a.d; c += 16) _mm512_storeu_ps(o + c, _mm512_mul_ps(_mm512_loadu_ps(o + c), cv));
    }
    if (!nan) *m = m_new;
}

// o[r][c0, c0 + 16 N) += sum over the tile's keys of p[r][key] v[key], for up to 4 rows (FP8: p
// already times the value's scale and 2^120). Masked: a product joins only where p != 0 (bit
// key of nz[r]).
template <Elem T, bool Masked, int N>
VB_INLINE void accumulate_cols(int nr, const TileSrc &src, int64_t nk, float (*p)[kKeys], float *const o[kRows], const uint32_t *nz, int64_t c0) {
    __m512 acc[kRows][N];
    for (int r = 0; r < kRows; r++)
        for (int n = 0; n < N; n++) acc[r][n] = r < nr ? _mm512_loadu_ps(o[r] + c0 + 16 * n) : _mm512_setzero_ps();
    for (int64_t jj = 0; jj < nk; jj++) {
        __m512 v[N];
        for (int n = 0; n < N; n++) v[n] = load16<T>(src.v[jj], c0 + 16 * n);
        for (int r = 0; r < kRows; r++) {
            const __m512 pr = _mm512_set1_ps(p[r][jj]);
            if (Masked) {
                const __mmask16 k = (__mmask16)(0u - ((nz[r] >> jj) & 1u));
                for (int n = 0; n < N; n++) acc[r][n] = _mm512_mask3_fmadd_ps(pr, v[n], acc[r][n], k);
            } else {
                for (int n = 0; n < N; n++) acc[r][n] = _mm512_fmadd_ps(pr, v[n], acc[r][n]);
            }
        }
    }
    for (int r = 0; r < nr; r++)
        for (int n = 0; n < N; n++) _mm512_storeu_ps(o[r] + c0 + 16 * n, acc[r][n]);
}

template <Elem T, bool Masked>
VB_INLINE void accumulate(const AttnArgs &a, int nr, const TileSrc &src, int64_t nk, float (*p)[kKeys], float *const o[kRows]) {
    uint32_t nz[kRows] = {0, 0, 0, 0};
    for (int r = 0; Masked && r < nr; r++)
        nz[r] = (uint32_t)_mm512_cmp_ps_mask(_mm512_load_ps(p[r]), _mm512_setzero_ps(), _CMP_NEQ_OQ) |
                (uint32_t)_mm512_cmp_ps_mask(_mm512_load_ps(p[r] + 16), _mm512_setzero_ps(), _CMP_NEQ_OQ) << 16;
    int64_t c = 0;
    for (; c + 64 <= a.d; c += 64) accumulate_cols<T, Masked, 4>(nr, src, nk, p, o, nz, c);
    switch ((a.d - c) / 16) {
        case 3: return accumulate_cols<T, Masked, 3>(nr, src, nk, p, o, nz, c);
        case 2: return accumulate_cols<T, Masked, 2>(nr, src, nk, p, o, nz, c);
        case 1: return accumulate_cols<T, Masked, 1>(nr, src, nk, p, o, nz, c);
    }
}

// The frame's policy (attn/tiles.h).
struct Avx512 {
    static void load_vector(const vane_kv_cache &c, const void *base, const float *scales, int64_t vi, float *out) {
        avx512a::load_vector(c, base, scales, vi, out);
    }
    static void load(const AttnArgs &a, int64_t g, int64_t j0, int64_t n, float *k, float *v) { attn_load_tiled<Avx512>(a, g, j0, n, k, v); }
    template <Elem T>
    static void scores(const AttnArgs &a, const Row *rows, int nr, const TileSrc &src, int64_t nk, float (*s)[kKeys]) {
        avx512a::scores<T>(a, rows, nr, src, nk, s);
    }
    static void softmax(const AttnArgs &a, int64_t lo, int64_t hi, float *s, float *m, float *l, float *o) { avx512a::softmax(a, lo, hi, s, m, l, o); }
    template <Elem T, bool Masked>
    static void accumulate(const AttnArgs &a, int nr, const TileSrc &src, int64_t nk, float (*p)[kKeys], float *const o[kRows]) {
        avx512a::accumulate<T, Masked>(a, nr, src, nk, p, o);
    }
    static void store(const AttnArgs &a, const float *o, float scale, float *out) {
        const __m512 inv = _mm512_set1_ps(scale);  // NaN: NaN everywhere
        for (int64_t c = 0; c < a.d; c += 16) _mm512_storeu_ps(out + c, scale != scale ? inv : _mm512_mul_ps(_mm512_loadu_ps(o + c), inv));
    }
};

void load_avx512(const AttnArgs &a, int64_t g, int64_t j0, int64_t n, float *k, float *v) {
    if (a.d % 16 != 0) return attn_kernels_avx2.load(a, g, j0, n, k, v);
    attn_load_tiled<Avx512>(a, g, j0, n, k, v);
}

void rows_avx512(const AttnArgs &a, int64_t g, int64_t t0, int64_t t1, int64_t j0, int64_t j1, AttnPartial part) {
    if (a.d % 16 != 0) return attn_kernels_avx2.rows(a, g, t0, t1, j0, j1, part);
    if (a.cache && !a.rope) {
        if (a.cache->dtype == VANE_KV_F16) return attn_rows_tiled<Avx512, kF16>(a, g, t0, t1, j0, j1, part);
        if (a.cache->dtype == VANE_KV_FP8_E4M3) return attn_rows_tiled<Avx512, kFP8>(a, g, t0, t1, j0, j1, part);
    }
    attn_rows_tiled<Avx512, kF32>(a, g, t0, t1, j0, j1, part);
}

#undef VB_INLINE

}  // namespace avx512a
}  // namespace

const AttnKernels attn_kernels_avx512 = {avx512a::load_avx512, avx512a::rows_avx512};

}  // namespace vane
