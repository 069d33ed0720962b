// AVX2 + FMA attention kernel (head_dim a multiple of 8; other sizes take the reference path):
// the vector arithmetic of attn/tiles.h's frame (tiles of kKeys keys, micro-tiles of 4 rows,
// f16 / FP8 cache vectors decoded in the loops), 8 lanes at a time:
//   scores: 4 rows x 2 keys as 8 FMA chains over head_dim (6 loads per 8 FMAs), reduced with
//           vhaddps, scaled;
//   softmax: masked to -inf outside each row's range (integer compares and blends), capped
//           (attn/softcap.h; 1 / softcap is in the scale), m_new = max(m, max s),
//           p = e^(s - m_new) (common/exp_poly_avx2.h), l = l e^(m - m_new) + sum p, the row's
//           o scaled by e^(m - m_new);
//   o += p v: head_dim in chunks of 16, 4 rows x 2 vectors of accumulators, a broadcast p per
//           row and two loads of v per key; at the causal diagonal or a window's edge, 8 columns
//           at a time with each product blended in only where p != 0.
// Everything is internal but the table.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attn/attn.h"
#include "attn/kv.h"
#include "attn/softcap.h"
#include "attn/tiles.h"
#include "common/exp_poly.h"
#include "common/exp_poly_avx2.h"

namespace vane {

namespace {
namespace avx2a {

#define VA_INLINE inline __attribute__((always_inline))

// 8 sums of 8 accumulators, lanes in order.
VA_INLINE __m256 hsum8(const __m256 a[8]) {
    const __m256 t0 = _mm256_hadd_ps(a[0], a[1]), t1 = _mm256_hadd_ps(a[2], a[3]);
    const __m256 t2 = _mm256_hadd_ps(a[4], a[5]), t3 = _mm256_hadd_ps(a[6], a[7]);
    const __m256 u0 = _mm256_hadd_ps(t0, t1), u1 = _mm256_hadd_ps(t2, t3);
    return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
}

// 8 E4M3 codes -> exact f32 (bits moved to value * 2^-120, then * 2^120; NaN codes -> NaN).
VA_INLINE __m256 e4m3_exact8(const uint8_t *p) {
    const __m256i c = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p));
    const __m256 v = _mm256_mul_ps(_mm256_castsi256_ps(_mm256_and_si256(_mm256_slli_epi32(c, 20), _mm256_set1_epi32((int)0x87f00000u))),
                                   _mm256_set1_ps(0x1p120f));
    const __m256i is_nan = _mm256_cmpeq_epi32(_mm256_and_si256(c, _mm256_set1_epi32(0x7f)), _mm256_set1_epi32(0x7f));
    return _mm256_blendv_ps(v, _mm256_set1_ps(__builtin_nanf("")), _mm256_castsi256_ps(is_nan));
}

// One cache vector (vector index vi of one side) decoded into out (head_dim a multiple of 8).
VA_INLINE void load_vector(const vane_kv_cache &c, const void *base, const float *scales, int64_t vi, float *out) {
    const int64_t d = c.head_dim;
    if (c.dtype == VANE_KV_F32) {
        memcpy(out, (const float *)base + vi * d, sizeof(float) * (size_t)d);
    } else if (c.dtype == VANE_KV_F16) {
        const uint16_t *p = (const uint16_t *)base + vi * d;
        for (int64_t e = 0; e < d; e += 8) _mm256_storeu_ps(out + e, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p + e))));
    } else {
        const uint8_t *p = (const uint8_t *)base + vi * d;
        const __m256 sc = _mm256_set1_ps(scales[vi]);
        for (int64_t e = 0; e < d; e += 8) _mm256_storeu_ps(out + e, _mm256_mul_ps(e4m3_exact8(p + e), sc));
    }
}

template <Elem T>
VA_INLINE __m256 load8(const void *p, int64_t c) {
    if (T == kF32) return _mm256_loadu_ps((const float *)p + c);
    if (T == kF16) return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)((const uint16_t *)p + c)));
    // FP8 E4M3: value * 2^-120 by moving bits (the 2^120 is in the scale; NaN codes are not
    // expected in a cache Vane wrote, whose values were finite).
    const __m256i code = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)((const uint8_t *)p + c)));
    return _mm256_castsi256_ps(_mm256_and_si256(_mm256_slli_epi32(code, 20), _mm256_set1_epi32((int)0x87f00000u)));
}

// Scaled scores of up to 4 rows against the tile's nk keys, into s[row][key - jt] (unmasked).
template <Elem T>
VA_INLINE void scores(const AttnArgs &a, const Row *rows, int nr, const TileSrc &src, int64_t nk, float (*s)[kKeys]) {
    const int64_t d = a.d;
    const float *q[kRows];
    for (int r = 0; r < kRows; r++) q[r] = rows[r < nr ? r : 0].q;
    for (int64_t jj = 0; jj < nk; jj += 2) {
        const int64_t j1 = jj + 1 < nk ? jj + 1 : jj;
        const void *k0 = src.k[jj], *k1 = src.k[j1];
        prefetch_pending(src, jj, jj + 2);
        __m256 acc[8];
        for (int t = 0; t < 8; t++) acc[t] = _mm256_setzero_ps();
        for (int64_t c = 0; c < d; c += 8) {
            const __m256 x0 = load8<T>(k0, c), x1 = load8<T>(k1, c);
            for (int r = 0; r < kRows; r++) {
                __m256 qv = _mm256_loadu_ps(q[r] + c);
                __asm__("" : "+x"(qv));  // one load for both keys (the compiler would fold it into each FMA)
                acc[2 * r] = _mm256_fmadd_ps(qv, x0, acc[2 * r]);
                acc[2 * r + 1] = _mm256_fmadd_ps(qv, x1, acc[2 * r + 1]);
            }
        }
        const __m256 sc = T == kFP8 ? _mm256_mul_ps(_mm256_set_ps(src.kscale[j1], src.kscale[jj], src.kscale[j1], src.kscale[jj],
                                                                  src.kscale[j1], src.kscale[jj], src.kscale[j1], src.kscale[jj]),
                                                    _mm256_set1_ps(a.scale * 0x1p120f))
                                    : _mm256_set1_ps(a.scale);
        float sums[8];
        _mm256_storeu_ps(sums, _mm256_mul_ps(hsum8(acc), sc));
        for (int r = 0; r < kRows; r++) {
            s[r][jj] = sums[2 * r];
            if (jj + 1 < nk) s[r][jj + 1] = sums[2 * r + 1];
        }
    }
}

// o[r] += sum over the tile's keys of p[r][key] v[key], for up to 4 rows (FP8: p already times
// the value's scale and 2^120). Every row of the micro-tile sees every key of the tile.
template <Elem T>
VA_INLINE void accumulate_v(const AttnArgs &a, int nr, const TileSrc &src, int64_t nk, float (*p)[kKeys], float *const o[kRows]) {
    const int64_t d = a.d;
    int64_t c = 0;
    for (; c + 16 <= d; c += 16) {
        __m256 acc[kRows][2];
        for (int r = 0; r < kRows; r++) {
            acc[r][0] = r < nr ? _mm256_loadu_ps(o[r] + c) : _mm256_setzero_ps();
            acc[r][1] = r < nr ? _mm256_loadu_ps(o[r] + c + 8) : _mm256_setzero_ps();
        }
        for (int64_t jj = 0; jj < nk; jj++) {
            const __m256 v0 = load8<T>(src.v[jj], c), v1 = load8<T>(src.v[jj], c + 8);
            for (int r = 0; r < kRows; r++) {
                const __m256 pr = _mm256_broadcast_ss(&p[r][jj]);
                acc[r][0] = _mm256_fmadd_ps(pr, v0, acc[r][0]);
                acc[r][1] = _mm256_fmadd_ps(pr, v1, acc[r][1]);
            }
        }
        for (int r = 0; r < nr; r++) {
            _mm256_storeu_ps(o[r] + c, acc[r][0]);
            _mm256_storeu_ps(o[r] + c + 8, acc[r][1]);
        }
    }
    if (c < d) {  // the last 8 (head_dim is a multiple of 8)
        __m256 acc[kRows];
        for (int r = 0; r < kRows; r++) acc[r] = r < nr ? _mm256_loadu_ps(o[r] + c) : _mm256_setzero_ps();
        for (int64_t jj = 0; jj < nk; jj++) {
            const __m256 v0 = load8<T>(src.v[jj], c);
            for (int r = 0; r < kRows; r++) acc[r] = _mm256_fmadd_ps(_mm256_broadcast_ss(&p[r][jj]), v0, acc[r]);
        }
        for (int r = 0; r < nr; r++) _mm256_storeu_ps(o[r] + c, acc[r]);
    }
}

// As accumulate_v when some row does not see some key of the tile (p = 0 there): each product
// is added only where p != 0, so a non-finite value of a key a row does not see (an f16
// overflow, say) never reaches that row (0 * Inf would be NaN). Micro-tiles mixing tokens near
// the causal diagonal or a window's edge only; 8 columns at a time.
template <Elem T>
void accumulate_v_masked(const AttnArgs &a, int nr, const TileSrc &src, int64_t nk, float (*p)[kKeys], float *const o[kRows]) {
    for (int64_t c = 0; c < a.d; c += 8) {
        __m256 acc[kRows];
        for (int r = 0; r < kRows; r++) acc[r] = r < nr ? _mm256_loadu_ps(o[r] + c) : _mm256_setzero_ps();
        for (int64_t jj = 0; jj < nk; jj++) {
            const __m256 v0 = load8<T>(src.v[jj], c);
            for (int r = 0; r < kRows; r++) {
                const __m256 pr = _mm256_broadcast_ss(&p[r][jj]);
                acc[r] = _mm256_blendv_ps(acc[r], _mm256_fmadd_ps(pr, v0, acc[r]), _mm256_cmp_ps(pr, _mm256_setzero_ps(), _CMP_NEQ_OQ));
            }
        }
        for (int r = 0; r < nr; r++) _mm256_storeu_ps(o[r] + c, acc[r]);
    }
}

// One row's softmax over the tile (the frame's Isa::softmax): slots [lo, hi) valid.
VA_INLINE void softmax(const AttnArgs &a, int64_t lo_slot, int64_t hi_slot, float *s, float *m, float *l, float *o) {
    // Mask (keys outside the row's range, and the tile's unused slots, to -inf), the tile's
    // largest score, and whether a score is NaN, 8 keys at a time.
    const __m256i lo = _mm256_set1_epi32((int32_t)(lo_slot - 1)), hi = _mm256_set1_epi32((int32_t)hi_slot);
    __m256 mxv = _mm256_set1_ps(-INFINITY), nanv = _mm256_setzero_ps();
    for (int64_t jj = 0; jj < kKeys; jj += 8) {
        const __m256i idx = _mm256_add_epi32(_mm256_set1_epi32((int32_t)jj), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        const __m256 valid = _mm256_castsi256_ps(_mm256_and_si256(_mm256_cmpgt_epi32(idx, lo), _mm256_cmpgt_epi32(hi, idx)));
        const __m256 raw = _mm256_load_ps(&s[jj]);
        const __m256 capped = a.softcap > 0.0f ? _mm256_mul_ps(_mm256_set1_ps(a.softcap), softcap_tanh8(raw)) : raw;
        const __m256 sv = _mm256_blendv_ps(_mm256_set1_ps(-INFINITY), capped, valid);
        _mm256_store_ps(&s[jj], sv);
        const __m256 diff = _mm256_sub_ps(raw, raw);  // NaN exactly when raw is NaN or +-Inf
        nanv = _mm256_or_ps(nanv, _mm256_and_ps(valid, _mm256_cmp_ps(diff, diff, _CMP_UNORD_Q)));
        mxv = _mm256_max_ps(mxv, sv);
    }
    const bool nan = _mm256_movemask_ps(nanv) != 0;
    alignas(32) float mxs[8];
    _mm256_store_ps(mxs, mxv);
    float mx = mxs[0];
    for (int t = 1; t < 8; t++) mx = mxs[t] > mx ? mxs[t] : mx;
    if (nan) *m = NAN;  // a NaN or an infinite score: the row is NaN (sticks: NaN > x is false)
    const float m_new = mx > *m ? mx : *m;
    // Rows with nothing seen yet and nothing here keep m = -inf, p = 0.
    const __m256 mv = _mm256_set1_ps(m_new);
    __m256 psum = _mm256_setzero_ps();
    for (int64_t jj = 0; jj < kKeys; jj += 8) {  // masked slots (-inf) give p = 0
        const __m256 p = exp_poly8_or_zero(_mm256_sub_ps(_mm256_load_ps(&s[jj]), mv));
        _mm256_store_ps(&s[jj], p);
        psum = _mm256_add_ps(psum, p);
    }
    float sum = 0.0f;
    alignas(32) float ps[8];
    _mm256_store_ps(ps, psum);
    for (int t = 0; t < 8; t++) sum += ps[t];
    const float corr = exp_poly_or_zero(*m - m_new);
    *l = *l * corr + sum;
    if (corr != 1.0f) {
        const __m256 cv = _mm256_set1_ps(corr);
        for (int64_t c = 0; c < a.d; c += 8) _mm256_storeu_ps(o + c, _mm256_mul_ps(_mm256_loadu_ps(o + c), cv));
    }
    if (!nan) *m = m_new;
}

// The frame's policy (attn/tiles.h).
struct Avx2 {
    static void load_vector(const vane_kv_cache &c, const void *base, const float *scales, int64_t vi, float *out) {
        avx2a::load_vector(c, base, scales, vi, out);
    }
    static void load(const AttnArgs &a, int64_t g, int64_t j0, int64_t n, float *k, float *v) { attn_load_tiled<Avx2>(a, g, j0, n, k, v); }
    template <Elem T>
    static void scores(const AttnArgs &a, const Row *rows, int nr, const TileSrc &src, int64_t nk, float (*s)[kKeys]) {
        avx2a::scores<T>(a, rows, nr, src, nk, s);
    }
    static void softmax(const AttnArgs &a, int64_t lo, int64_t hi, float *s, float *m, float *l, float *o) { avx2a::softmax(a, lo, hi, s, m, l, o); }
    template <Elem T, bool Masked>
    static void accumulate(const AttnArgs &a, int nr, const TileSrc &src, int64_t nk, float (*p)[kKeys], float *const o[kRows]) {
        if (Masked) accumulate_v_masked<T>(a, nr, src, nk, p, o);
        else accumulate_v<T>(a, nr, src, nk, p, o);
    }
    static void store(const AttnArgs &a, const float *o, float scale, float *out) {
        const __m256 inv = _mm256_set1_ps(scale);  // NaN: NaN everywhere
        for (int64_t c = 0; c < a.d; c += 8) _mm256_storeu_ps(out + c, scale != scale ? inv : _mm256_mul_ps(_mm256_loadu_ps(o + c), inv));
    }
};

// The AttnKernels loader; head_dim not a multiple of 8 goes to the reference loader.
void load_avx2(const AttnArgs &a, int64_t g, int64_t j0, int64_t n, float *k, float *v) {
    if (a.d % 8 != 0) return attn_kernels_ref.load(a, g, j0, n, k, v);
    attn_load_tiled<Avx2>(a, g, j0, n, k, v);
}

void rows_avx2(const AttnArgs &a, int64_t g, int64_t t0, int64_t t1, int64_t j0, int64_t j1, AttnPartial part) {
    if (a.d % 8 != 0) return attn_kernels_ref.rows(a, g, t0, t1, j0, j1, part);
    if (a.cache && !a.rope) {
        if (a.cache->dtype == VANE_KV_F16) return attn_rows_tiled<Avx2, kF16>(a, g, t0, t1, j0, j1, part);
        if (a.cache->dtype == VANE_KV_FP8_E4M3) return attn_rows_tiled<Avx2, kFP8>(a, g, t0, t1, j0, j1, part);
    }
    attn_rows_tiled<Avx2, kF32>(a, g, t0, t1, j0, j1, part);
}

#undef VA_INLINE

}  // namespace avx2a
}  // namespace

const AttnKernels attn_kernels_avx2 = {avx2a::load_avx2, avx2a::rows_avx2};

}  // namespace vane
