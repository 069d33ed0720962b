// AVX2 + FMA attention kernel (head_dim a multiple of 8; other sizes take the reference path).
//
// Keys and values come either through a tile buffer (contiguous f32 inputs, whose per-head
// stride would put a tile in one L1 set, and cached keys rotated at attention time), or straight
// from the cache's f16 / FP8 vectors, decoded inside the loops (FP8 scales folded into the
// score and into p): converting into the buffer first cost as much as the arithmetic at decode.
//
// A call handles the rows of one KV group (every query head of the group for tokens
// [t0, t1)), their state (m, l, o) kept in a per-thread buffer, and walks the keys in tiles of
// kKeys: each tile's keys and values are read from memory once and reused from L1 by every row.
// Per tile, rows go 4 at a time:
//   scores: 4 rows x 2 keys as 8 FMA chains over head_dim (6 loads per 8 FMAs), reduced with
//           vhaddps, scaled, masked to -inf outside each row's range;
//   cap:     s = softcap * tanh(s) when soft-capping (attn/softcap.h; 1 / softcap is in the scale);
//   softmax: m_new = max(m, max s); p = e^(s - m_new) (common/exp_poly_avx2.h, 8 at a time);
//           l = l e^(m - m_new) + sum p; the row's o scaled by e^(m - m_new);
//   o += p v: head_dim in chunks of 16, 4 rows x 2 vectors of accumulators, a broadcast p per
//           row and two loads of v per key.
// A row's sink joins when it is normalized (the last loop), never in a partial.
// Everything is internal but the table.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attn/attn.h"
#include "attn/kv.h"
#include "attn/softcap.h"
#include "common/exp_poly.h"
#include "common/exp_poly_avx2.h"

namespace vane {

namespace {
namespace avx2a {

#define VA_INLINE inline __attribute__((always_inline))

constexpr int64_t kKeys = 32;  // keys per tile (K and V of a tile: 2 x 16 KB at head_dim 128)
constexpr int kRows = 4;       // rows per micro-tile

// 8 sums of 8 accumulators, lanes in order.
VA_INLINE __m256 hsum8(const __m256 a[8]) {
    const __m256 t0 = _mm256_hadd_ps(a[0], a[1]), t1 = _mm256_hadd_ps(a[2], a[3]);
    const __m256 t2 = _mm256_hadd_ps(a[4], a[5]), t3 = _mm256_hadd_ps(a[6], a[7]);
    const __m256 u0 = _mm256_hadd_ps(t0, t1), u1 = _mm256_hadd_ps(t2, t3);
    return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
}

// A per-thread float buffer, grown as needed (64-byte aligned), freed when the thread ends.
struct TileBuffer {
    float *p = nullptr;
    int64_t cap = 0;
    ~TileBuffer() { free(p); }
};

float *buffer(int64_t floats) {
    static thread_local TileBuffer b;
    if (floats > b.cap) {
        free(b.p);
        b.cap = (floats + 1023) / 1024 * 1024;
        b.p = (float *)aligned_alloc(64, (size_t)b.cap * 4);
        if (!b.p) b.cap = 0;
    }
    return b.p;
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

// The AttnKernels loader; head_dim not a multiple of 8 goes to the reference loader.
void load_avx2(const AttnArgs &a, int64_t g, int64_t j0, int64_t n, float *k, float *v) {
    const int64_t d = a.d;
    if (d % 8 != 0) return attn_kernels_ref.load(a, g, j0, n, k, v);
    for (int64_t j = j0; j < j0 + n; j++, k += d, v += d) {
        if (!a.cache) {
            memcpy(k, a.k + (j * a.n_kv_heads + g) * d, sizeof(float) * (size_t)d);
            memcpy(v, a.v + (j * a.n_kv_heads + g) * d, sizeof(float) * (size_t)d);
        } else {
            const int64_t vi = kv_vector(*a.cache, a.table, g, j);
            load_vector(*a.cache, a.cache->k, a.cache->k_scales, vi, k);
            load_vector(*a.cache, a.cache->v, a.cache->v_scales, vi, v);
        }
        if (a.rope) rope_key(*a.rope, j, k);
    }
}

// Prefetches keys and values [j0, j0 + n) of KV head g into L2 (two tiles after the one being
// computed, so that streaming a long cache overlaps with the arithmetic).
VA_INLINE void prefetch_keys(const AttnArgs &a, int64_t g, int64_t j0, int64_t n) {
    const int64_t d = a.d;
    if (!a.cache) {
        for (int64_t j = j0; j < j0 + n; j++)
            for (int64_t o = 0; o < 4 * d; o += 64) {
                _mm_prefetch((const char *)(a.k + (j * a.n_kv_heads + g) * d) + o, _MM_HINT_T1);
                _mm_prefetch((const char *)(a.v + (j * a.n_kv_heads + g) * d) + o, _MM_HINT_T1);
            }
        return;
    }
    const vane_kv_cache &c = *a.cache;
    const int64_t bytes = d * kv_elem_bytes(c.dtype);
    // One head's vectors are contiguous within a block: prefetch each block's run at once.
    for (int64_t j = j0; j < j0 + n;) {
        const int64_t slot = j % c.block_tokens, run = c.block_tokens - slot < j0 + n - j ? c.block_tokens - slot : j0 + n - j;
        const int64_t vi = kv_vector(c, a.table, g, j);
        const char *k = (const char *)c.k + vi * bytes, *v = (const char *)c.v + vi * bytes;
        for (int64_t o = 0; o < run * bytes; o += 64) {
            _mm_prefetch(k + o, _MM_HINT_T1);
            _mm_prefetch(v + o, _MM_HINT_T1);
        }
        j += run;
    }
}

struct Row {
    const float *q;
    int64_t lo, hi;  // keys this row sees, clipped to the call's range
};

// Where a tile's keys and values are read from: element type T (kF32: the tile buffer or f32
// cache vectors; kF16 and kFP8: cache vectors decoded on the fly), one pointer per key, and for
// FP8 each vector's scale (folded into the score for keys and into p for values).
enum Elem { kF32, kF16, kFP8 };

struct TileSrc {
    const void *k[kKeys], *v[kKeys];
    float kscale[kKeys], vscale[kKeys];
    // A later tile's vectors (pn of them, pbytes each) to prefetch into L2 a pair of keys at a
    // time as the scores go (spread out: a whole tile's lines at once overflowed the miss queue).
    const char *pk[kKeys], *pv[kKeys];
    int64_t pn, pbytes;
};

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
        for (int64_t f = jj; f < jj + 2 && f < src.pn; f++)
            for (int64_t o = 0; o < src.pbytes; o += 64) {
                _mm_prefetch(src.pk[f] + o, _MM_HINT_T1);
                _mm_prefetch(src.pv[f] + o, _MM_HINT_T1);
            }
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

// T: how keys are read. kF32 with a null cache or a key rotation: through the tile buffer (copied,
// decoded, rotated); else straight from the cache's vectors, decoded in the loops.
template <Elem T>
void rows_impl(const AttnArgs &a, int64_t g, int64_t t0, int64_t t1, int64_t j0, int64_t j1, AttnPartial part) {
    const bool direct = a.cache && !a.rope;
    const int64_t d = a.d, nrows = (t1 - t0) * a.group;
    const int64_t rows_at = (nrows * (d + 2) + 15) / 16 * 16;  // floats before the Row array (64-byte aligned)
    const int64_t tile_at = rows_at + ((int64_t)sizeof(Row) / 4 * nrows + 15) / 16 * 16;
    float *state = buffer(tile_at + 2 * kKeys * d);
    if (d % 8 != 0 || !state) return attn_kernels_ref.rows(a, g, t0, t1, j0, j1, part);
    float *m = state, *l = state + nrows, *o = state + 2 * nrows;
    Row *rows = (Row *)(state + rows_at);
    // The tile's keys and values copied next to each other (decoded from the cache, rotated if
    // asked): in the [token][kv head][d] layout,
    // one head's consecutive keys lie n_kv_heads * d floats apart, often a multiple of 4 KB,
    // where every key of a tile maps to the same L1 set and a different page (measured: 27% of
    // the FMA peak on prefill before the copy).
    float *ktile = state + tile_at, *vtile = ktile + kKeys * d;
    int64_t lo_all = j1, hi_all = j0;
    for (int64_t r = 0; r < nrows; r++) {
        const int64_t i = t0 + r / a.group, h = g * a.group + r % a.group;
        int64_t lo, hi;
        attn_key_range(a, i, &lo, &hi);
        rows[r] = {a.q + (i * a.n_heads + h) * d, lo > j0 ? lo : j0, hi < j1 ? hi : j1};
        if (rows[r].lo < rows[r].hi) {
            lo_all = rows[r].lo < lo_all ? rows[r].lo : lo_all;
            hi_all = rows[r].hi > hi_all ? rows[r].hi : hi_all;
        }
        m[r] = -INFINITY;
        l[r] = 0.0f;
    }
    memset(o, 0, sizeof(float) * (size_t)(nrows * d));
    alignas(32) float s[kRows][kKeys];
    for (int64_t jt = lo_all; jt < hi_all; jt += kKeys) {
        const int64_t nk = hi_all - jt < kKeys ? hi_all - jt : kKeys;
        TileSrc src;
        bool buffered = !direct;
        if (direct) {  // pointers into the cache, stepping through a block without dividing
            const vane_kv_cache &c = *a.cache;
            const int64_t bytes = d * kv_elem_bytes(c.dtype);
            int64_t vi = kv_vector(c, a.table, g, jt), slot = jt % c.block_tokens;
            for (int64_t jj = 0; jj < nk; jj++) {
                if (jj > 0 && ++slot == c.block_tokens) {
                    slot = 0;
                    vi = kv_vector(c, a.table, g, jt + jj);
                } else if (jj > 0) {
                    vi++;
                }
                src.k[jj] = (const char *)c.k + vi * bytes;
                src.v[jj] = (const char *)c.v + vi * bytes;
                if (T == kFP8) {
                    // Scales folded with 2^120 must stay finite (a vector amax of 2^8 * 448 or
                    // more, or a key scale times the softmax scale of 2^8 or more, would
                    // overflow): such tiles go through the buffer, decoded exactly.
                    buffered = buffered || !(fabsf(c.k_scales[vi] * a.scale) < 256.0f) || !(c.v_scales[vi] < 256.0f);
                    src.kscale[jj] = c.k_scales[vi];
                    src.vscale[jj] = c.v_scales[vi] * 0x1p120f;
                }
            }
        }
        if (buffered) {
            load_avx2(a, g, jt, nk, ktile, vtile);
            for (int64_t jj = 0; jj < nk; jj++) {
                src.k[jj] = ktile + jj * d;
                src.v[jj] = vtile + jj * d;
            }
        }
        const bool as_f32 = buffered || T == kF32;
        if (!buffered) {  // this tile's values into L1 while the scores are computed (the value loop walks them by columns)
            for (int64_t jj = 0; jj < nk; jj++)
                for (int64_t o = 0; o < d * kv_elem_bytes(a.cache->dtype); o += 64) _mm_prefetch((const char *)src.v[jj] + o, _MM_HINT_T0);
            if (jt + kKeys < hi_all) {  // and the next tile's keys
                const vane_kv_cache &c = *a.cache;
                const int64_t bytes = d * kv_elem_bytes(a.cache->dtype);
                for (int64_t j = jt + kKeys; j < jt + 2 * kKeys && j < hi_all; j++) {
                    const char *kp = (const char *)c.k + kv_vector(c, a.table, g, j) * bytes;
                    for (int64_t o = 0; o < bytes; o += 64) _mm_prefetch(kp + o, _MM_HINT_T0);
                }
            }
        }
        const int64_t ahead = jt + 2 * kKeys;  // two tiles ahead
        src.pn = src.pbytes = 0;
        if (ahead < hi_all && direct) {  // spread over the first micro-tile's scores
            const vane_kv_cache &c = *a.cache;
            src.pbytes = d * kv_elem_bytes(a.cache->dtype);
            src.pn = hi_all - ahead < kKeys ? hi_all - ahead : kKeys;
            for (int64_t f = 0; f < src.pn; f++) {
                const int64_t vi = kv_vector(c, a.table, g, ahead + f);
                src.pk[f] = (const char *)c.k + vi * src.pbytes;
                src.pv[f] = (const char *)c.v + vi * src.pbytes;
            }
        } else if (ahead < hi_all) {
            prefetch_keys(a, g, ahead, hi_all - ahead < kKeys ? hi_all - ahead : kKeys);
        }
        for (int64_t r0 = 0; r0 < nrows; r0 += kRows) {
            const int nr = nrows - r0 < kRows ? (int)(nrows - r0) : kRows;
            bool any = false;
            for (int r = 0; r < nr; r++) any = any || (rows[r0 + r].lo < jt + nk && rows[r0 + r].hi > jt);
            if (!any) continue;
            if (as_f32) scores<kF32>(a, rows + r0, nr, src, nk, s);
            else scores<T>(a, rows + r0, nr, src, nk, s);
            src.pn = 0;  // prefetched once per tile
            float *orow[kRows];
            for (int r = 0; r < kRows; r++) orow[r] = o + (r0 + (r < nr ? r : 0)) * d;
            for (int r = 0; r < nr; r++) {
                // Mask (keys outside the row's range, and the tile's unused slots, to -inf),
                // the tile's largest score, and whether a score is NaN, 8 keys at a time.
                const __m256i lo = _mm256_set1_epi32((int32_t)(rows[r0 + r].lo - jt - 1));
                const __m256i hi = _mm256_set1_epi32((int32_t)((rows[r0 + r].hi < jt + nk ? rows[r0 + r].hi : jt + nk) - jt));
                __m256 mxv = _mm256_set1_ps(-INFINITY), nanv = _mm256_setzero_ps();
                for (int64_t jj = 0; jj < kKeys; jj += 8) {
                    const __m256i idx = _mm256_add_epi32(_mm256_set1_epi32((int32_t)jj), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
                    const __m256 valid = _mm256_castsi256_ps(_mm256_and_si256(_mm256_cmpgt_epi32(idx, lo), _mm256_cmpgt_epi32(hi, idx)));
                    const __m256 raw = _mm256_load_ps(&s[r][jj]);
                    const __m256 capped = a.softcap > 0.0f ? _mm256_mul_ps(_mm256_set1_ps(a.softcap), softcap_tanh8(raw)) : raw;
                    const __m256 sv = _mm256_blendv_ps(_mm256_set1_ps(-INFINITY), capped, valid);
                    _mm256_store_ps(&s[r][jj], sv);
                    const __m256 diff = _mm256_sub_ps(raw, raw);  // NaN exactly when raw is NaN or +-Inf
                    nanv = _mm256_or_ps(nanv, _mm256_and_ps(valid, _mm256_cmp_ps(diff, diff, _CMP_UNORD_Q)));
                    mxv = _mm256_max_ps(mxv, sv);
                }
                const bool nan = _mm256_movemask_ps(nanv) != 0;
                alignas(32) float mxs[8];
                _mm256_store_ps(mxs, mxv);
                float mx = mxs[0];
                for (int t = 1; t < 8; t++) mx = mxs[t] > mx ? mxs[t] : mx;
                float &mr = m[r0 + r];
                if (nan) mr = NAN;  // a NaN or an infinite score: the row is NaN (sticks: NaN > x is false)
                const float m_new = mx > mr ? mx : mr;
                // Rows with nothing seen yet and nothing here keep m = -inf, p = 0.
                const __m256 mv = _mm256_set1_ps(m_new);
                __m256 psum = _mm256_setzero_ps();
                for (int64_t jj = 0; jj < kKeys; jj += 8) {  // masked slots (-inf) give p = 0
                    const __m256 p = exp_poly8_or_zero(_mm256_sub_ps(_mm256_load_ps(&s[r][jj]), mv));
                    _mm256_store_ps(&s[r][jj], p);
                    psum = _mm256_add_ps(psum, p);
                }
                float sum = 0.0f;
                alignas(32) float ps[8];
                _mm256_store_ps(ps, psum);
                for (int t = 0; t < 8; t++) sum += ps[t];
                const float corr = exp_poly_or_zero(mr - m_new);
                l[r0 + r] = l[r0 + r] * corr + sum;
                if (corr != 1.0f) {
                    const __m256 cv = _mm256_set1_ps(corr);
                    for (int64_t c = 0; c < d; c += 8) _mm256_storeu_ps(orow[r] + c, _mm256_mul_ps(_mm256_loadu_ps(orow[r] + c), cv));
                }
                if (!nan) mr = m_new;
            }
            if (T == kFP8 && !as_f32)  // fold each value's scale into p (l took the unscaled p above)
                for (int r = 0; r < nr; r++)
                    for (int64_t jj = 0; jj < nk; jj++) s[r][jj] *= src.vscale[jj];
            bool all_see = true;  // every row of the micro-tile sees every key of the tile
            for (int r = 0; r < nr; r++) all_see = all_see && rows[r0 + r].lo <= jt && rows[r0 + r].hi >= jt + nk;
            if (!all_see) {
                if (as_f32) accumulate_v_masked<kF32>(a, nr, src, nk, s, orow);
                else accumulate_v_masked<T>(a, nr, src, nk, s, orow);
            } else if (as_f32) {
                accumulate_v<kF32>(a, nr, src, nk, s, orow);
            } else {
                accumulate_v<T>(a, nr, src, nk, s, orow);
            }
        }
    }
    for (int64_t r = 0; r < nrows; r++) {
        const int64_t i = t0 + r / a.group, h = g * a.group + r % a.group;
        if (part.m) {
            part.m[r] = m[r];
            part.l[r] = m[r] != m[r] ? NAN : l[r];
            memcpy(part.o + r * d, o + r * d, sizeof(float) * (size_t)d);
            continue;
        }
        float *out = attn_out_row(a, i, h);
        const bool nan = m[r] != m[r];
        float scale = l[r] > 0.0f ? 1.0f / l[r] : 0.0f;
        if (a.sinks && !nan) {
            float c, lr = l[r], mr = m[r];
            attn_add_sink(a, h, &mr, &lr, &c);
            scale = c / lr;
        }
        const __m256 inv = _mm256_set1_ps(scale);
        for (int64_t c = 0; c < d; c += 8)
            _mm256_storeu_ps(out + c, nan ? _mm256_set1_ps(NAN) : _mm256_mul_ps(_mm256_loadu_ps(o + r * d + c), inv));
    }
}

void rows_avx2(const AttnArgs &a, int64_t g, int64_t t0, int64_t t1, int64_t j0, int64_t j1, AttnPartial part) {
    if (a.cache && !a.rope && a.d % 8 == 0) {
        if (a.cache->dtype == VANE_KV_F16) return rows_impl<kF16>(a, g, t0, t1, j0, j1, part);
        if (a.cache->dtype == VANE_KV_FP8_E4M3) return rows_impl<kFP8>(a, g, t0, t1, j0, j1, part);
    }
    rows_impl<kF32>(a, g, t0, t1, j0, j1, part);
}

#undef VA_INLINE

}  // namespace avx2a
}  // namespace

const AttnKernels attn_kernels_avx2 = {avx2a::load_avx2, avx2a::rows_avx2};

}  // namespace vane
