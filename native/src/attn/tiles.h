// The tiled frame of the SIMD attention kernels (x86_avx2.cpp, x86_avx512.cpp): everything but
// the vector arithmetic, which each unit supplies as a policy class Isa (below).
//
// Keys and values come either through a tile buffer (contiguous f32 inputs, whose per-head
// stride would put a tile in one L1 set, and cached keys rotated at attention time), or straight
// from the cache's f16 / FP8 vectors, decoded inside the loops (FP8 scales folded into the
// score and into p): converting into the buffer first cost as much as the arithmetic at decode.
//
// A call handles the rows of one KV group (every query head of the group for tokens
// [t0, t1)), their state (m, l, o) kept in a per-thread buffer, and walks the keys in tiles of
// kKeys: each tile's keys and values are read from memory once and reused from L1 by every row.
// Per tile, rows go kRows at a time: Isa::scores, then per row Isa::softmax (mask, cap, the
// tile's max, p = e^(s - m_new), l and o rescaled), then Isa::accumulate (o += p v; the masked
// form where some row of the micro-tile does not see some key). A row's sink joins when it is
// normalized (the last loop), never in a partial.
//
// Compiled into each SIMD unit with that unit's flags: the frame is a template over the unit's
// own Isa type and the helpers are always inlined, so no copy is shared between units (see
// tests/check_baseline_isa.py).
#pragma once
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "attn/attn.h"
#include "attn/kv.h"

namespace vane {

#define VT_INLINE static inline __attribute__((always_inline))

constexpr int64_t kKeys = 32;  // keys per tile (K and V of a tile: 2 x 16 KB at head_dim 128)
constexpr int kRows = 4;       // rows per micro-tile

// A per-thread float buffer of at least `floats` floats, 64-byte aligned, grown as needed and
// freed when the thread ends; null if the allocation failed (baseline code in ref.cpp).
float *attn_tile_buffer(int64_t floats);

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
    // A later tile's vectors (pn of them, pbytes each) to prefetch into L2 a few keys at a time
    // as the scores go (spread out: a whole tile's lines at once overflowed the miss queue).
    const char *pk[kKeys], *pv[kKeys];
    int64_t pn, pbytes;
};

// Keys and values [j0, j0 + n) of KV head g as f32 (AttnKernels::load for head_dim a multiple of
// the unit's vector): copied, or cache vectors decoded by Isa::load_vector(c, base, scales, vi,
// out); keys rotated when a.rope.
template <class Isa>
VT_INLINE void attn_load_tiled(const AttnArgs &a, int64_t g, int64_t j0, int64_t n, float *k, float *v) {
    const int64_t d = a.d;
    for (int64_t j = j0; j < j0 + n; j++, k += d, v += d) {
        if (!a.cache) {
            memcpy(k, a.k + (j * a.n_kv_heads + g) * d, sizeof(float) * (size_t)d);
            memcpy(v, a.v + (j * a.n_kv_heads + g) * d, sizeof(float) * (size_t)d);
        } else {
            const int64_t vi = kv_vector(*a.cache, a.table, g, j);
            Isa::load_vector(*a.cache, a.cache->k, a.cache->k_scales, vi, k);
            Isa::load_vector(*a.cache, a.cache->v, a.cache->v_scales, vi, v);
        }
        if (a.rope) rope_key(*a.rope, j, k);
    }
}

// Prefetches the pending vectors [from, to) of src.pk / src.pv (Isa::scores calls it per step).
VT_INLINE void prefetch_pending(const TileSrc &src, int64_t from, int64_t to) {
    for (int64_t f = from; f < to && f < src.pn; f++)
        for (int64_t o = 0; o < src.pbytes; o += 64) {
            _mm_prefetch(src.pk[f] + o, _MM_HINT_T1);
            _mm_prefetch(src.pv[f] + o, _MM_HINT_T1);
        }
}

// Prefetches keys and values [j0, j0 + n) of KV head g into L2 (two tiles after the one being
// computed, so that streaming a long cache overlaps with the arithmetic).
VT_INLINE void prefetch_keys(const AttnArgs &a, int64_t g, int64_t j0, int64_t n) {
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

// Points src at tile [jt, jt + nk)'s cache vectors (FP8: with their scales). Returns whether the
// tile must go through the buffer instead: FP8 scales folded with 2^120 must stay finite (a
// vector amax of 2^8 * 448 or more, or a key scale times the softmax scale of 2^8 or more, would
// overflow), so such tiles are decoded exactly.
template <Elem T>
VT_INLINE bool point_at_cache(const AttnArgs &a, int64_t g, int64_t jt, int64_t nk, TileSrc &src) {
    const vane_kv_cache &c = *a.cache;
    const int64_t bytes = a.d * kv_elem_bytes(c.dtype);
    bool buffered = false;
    int64_t vi = kv_vector(c, a.table, g, jt), slot = jt % c.block_tokens;
    for (int64_t jj = 0; jj < nk; jj++) {  // stepping through a block without dividing
        if (jj > 0 && ++slot == c.block_tokens) {
            slot = 0;
            vi = kv_vector(c, a.table, g, jt + jj);
        } else if (jj > 0) {
            vi++;
        }
        src.k[jj] = (const char *)c.k + vi * bytes;
        src.v[jj] = (const char *)c.v + vi * bytes;
        if (T == kFP8) {
            buffered = buffered || !(fabsf(c.k_scales[vi] * a.scale) < 256.0f) || !(c.v_scales[vi] < 256.0f);
            src.kscale[jj] = c.k_scales[vi];
            src.vscale[jj] = c.v_scales[vi] * 0x1p120f;
        }
    }
    return buffered;
}

// A tile read straight from the cache: its values into L1 while the scores are computed (the
// value loop walks them by columns), and the next tile's keys.
VT_INLINE void prefetch_tile(const AttnArgs &a, int64_t g, int64_t jt, int64_t nk, int64_t hi_all, const TileSrc &src) {
    const vane_kv_cache &c = *a.cache;
    const int64_t bytes = a.d * kv_elem_bytes(c.dtype);
    for (int64_t jj = 0; jj < nk; jj++)
        for (int64_t o = 0; o < bytes; o += 64) _mm_prefetch((const char *)src.v[jj] + o, _MM_HINT_T0);
    for (int64_t j = jt + kKeys; j < jt + 2 * kKeys && j < hi_all; j++) {
        const char *kp = (const char *)c.k + kv_vector(c, a.table, g, j) * bytes;
        for (int64_t o = 0; o < bytes; o += 64) _mm_prefetch(kp + o, _MM_HINT_T0);
    }
}

// Keys [ahead, hi_all) (at most a tile) into L2: from the cache, as src's pending vectors, to be
// spread over the first micro-tile's scores; else at once.
VT_INLINE void prefetch_ahead(const AttnArgs &a, int64_t g, int64_t ahead, int64_t hi_all, bool direct, TileSrc &src) {
    src.pn = src.pbytes = 0;
    if (ahead >= hi_all) return;
    const int64_t n = hi_all - ahead < kKeys ? hi_all - ahead : kKeys;
    if (!direct) return prefetch_keys(a, g, ahead, n);
    const vane_kv_cache &c = *a.cache;
    src.pbytes = a.d * kv_elem_bytes(c.dtype);
    src.pn = n;
    for (int64_t f = 0; f < n; f++) {
        const int64_t vi = kv_vector(c, a.table, g, ahead + f);
        src.pk[f] = (const char *)c.k + vi * src.pbytes;
        src.pv[f] = (const char *)c.v + vi * src.pbytes;
    }
}

// The rows kernel (AttnKernels::rows) for head_dim a multiple of the unit's vector, keys of type T
// read straight from the cache when T is not kF32 (else through the tile buffer, or f32 cache
// vectors directly). Isa supplies, for up to kRows rows of the micro-tile:
//   load(a, g, j0, n, k, v): keys and values into the tile buffer (attn_load_tiled);
//   scores<E>(a, rows, nr, src, nk, s): scaled scores s[r][key - jt], unmasked, calling
//       prefetch_pending for the keys it steps over;
//   softmax(a, lo, hi, s_row, &m, &l, o_row): slots [lo, hi) of the tile valid (others to
//       -inf), the cap, m_new, p into s_row, l and o_row rescaled; a valid score NaN or
//       infinite makes m NaN, for good (softmax_update);
//   accumulate<E, Masked>(a, nr, src, nk, p, o): o[r] += sum of p[r][key] v[key]; Masked adds
//       only products whose p != 0, so a non-finite value of a key a row does not see never
//       reaches it (0 * Inf would be NaN);
//   store(a, o_row, scale, out): out = o_row * scale, or NaN everywhere when scale is NaN.
// Rows whose head_dim the unit does not handle are the caller's to send elsewhere.
template <class Isa, Elem T>
void attn_rows_tiled(const AttnArgs &a, int64_t g, int64_t t0, int64_t t1, int64_t j0, int64_t j1, AttnPartial part) {
    const bool direct = a.cache && !a.rope;
    const int64_t d = a.d, nrows = (t1 - t0) * a.group;
    const int64_t rows_at = (nrows * (d + 2) + 15) / 16 * 16;  // floats before the Row array (64-byte aligned)
    const int64_t tile_at = rows_at + ((int64_t)sizeof(Row) / 4 * nrows + 15) / 16 * 16;
    float *state = attn_tile_buffer(tile_at + 2 * kKeys * d);
    if (!state) return attn_kernels_ref.rows(a, g, t0, t1, j0, j1, part);
    float *m = state, *l = state + nrows, *o = state + 2 * nrows;
    Row *rows = (Row *)(state + rows_at);
    // The tile's keys and values copied next to each other (decoded from the cache, rotated if
    // asked): in the [token][kv head][d] layout, one head's consecutive keys lie n_kv_heads * d
    // floats apart, often a multiple of 4 KB, where every key of a tile maps to the same L1 set
    // and a different page (measured: 27% of the FMA peak on prefill before the copy).
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
    alignas(64) float s[kRows][kKeys];
    for (int64_t jt = lo_all; jt < hi_all; jt += kKeys) {
        const int64_t nk = hi_all - jt < kKeys ? hi_all - jt : kKeys;
        TileSrc src;
        const bool buffered = !direct || point_at_cache<T>(a, g, jt, nk, src);
        if (buffered) {
            Isa::load(a, g, jt, nk, ktile, vtile);
            for (int64_t jj = 0; jj < nk; jj++) {
                src.k[jj] = ktile + jj * d;
                src.v[jj] = vtile + jj * d;
            }
        }
        if (!buffered) prefetch_tile(a, g, jt, nk, hi_all, src);
        prefetch_ahead(a, g, jt + 2 * kKeys, hi_all, direct, src);  // two tiles ahead
        const bool as_f32 = buffered || T == kF32;
        for (int64_t r0 = 0; r0 < nrows; r0 += kRows) {
            const int nr = nrows - r0 < kRows ? (int)(nrows - r0) : kRows;
            bool any = false, all_see = true;  // all_see: every row of the micro-tile sees every key of the tile
            for (int r = 0; r < nr; r++) {
                any = any || (rows[r0 + r].lo < jt + nk && rows[r0 + r].hi > jt);
                all_see = all_see && rows[r0 + r].lo <= jt && rows[r0 + r].hi >= jt + nk;
            }
            if (!any) continue;
            if (as_f32) Isa::template scores<kF32>(a, rows + r0, nr, src, nk, s);
            else Isa::template scores<T>(a, rows + r0, nr, src, nk, s);
            src.pn = 0;  // prefetched once per tile
            float *orow[kRows];
            for (int r = 0; r < kRows; r++) orow[r] = o + (r0 + (r < nr ? r : 0)) * d;
            for (int r = 0; r < nr; r++) {
                const Row &row = rows[r0 + r];
                Isa::softmax(a, row.lo - jt, (row.hi < jt + nk ? row.hi : jt + nk) - jt, s[r], &m[r0 + r], &l[r0 + r], orow[r]);
            }
            if (T == kFP8 && !as_f32)  // fold each value's scale into p (l took the unscaled p above)
                for (int r = 0; r < nr; r++)
                    for (int64_t jj = 0; jj < nk; jj++) s[r][jj] *= src.vscale[jj];
            if (as_f32) {
                if (all_see) Isa::template accumulate<kF32, false>(a, nr, src, nk, s, orow);
                else Isa::template accumulate<kF32, true>(a, nr, src, nk, s, orow);
            } else {
                if (all_see) Isa::template accumulate<T, false>(a, nr, src, nk, s, orow);
                else Isa::template accumulate<T, true>(a, nr, src, nk, s, orow);
            }
        }
    }
    for (int64_t r = 0; r < nrows; r++) {
        const int64_t i = t0 + r / a.group, h = g * a.group + r % a.group;
        const bool nan = m[r] != m[r];
        if (part.m) {
            part.m[r] = m[r];
            part.l[r] = nan ? NAN : l[r];
            memcpy(part.o + r * d, o + r * d, sizeof(float) * (size_t)d);
            continue;
        }
        float scale = l[r] > 0.0f ? 1.0f / l[r] : 0.0f;
        if (a.sinks && !nan) {
            float c, lr = l[r], mr = m[r];
            attn_add_sink(a, h, &mr, &lr, &c);
            scale = c / lr;
        }
        Isa::store(a, o + r * d, nan ? NAN : scale, attn_out_row(a, i, h));
    }
}

#undef VT_INLINE

}  // namespace vane
