// Internal interface of the attention family: one kernel table per instruction-set variant
// (ref.cpp, x86_avx2.cpp, x86_avx512.cpp); api/attn_api.cpp checks the arguments, splits the work over the
// thread pool and merges split results (merge.cpp).
//
// Rows: the work for KV head g and query tokens [t0, t1) is (t1 - t0) * group rows, row
// r = (i - t0) * group + (h - g * group) for token i and query head h of the group (all query
// heads of a KV group together, so each key and value is read once for all of them).
#pragma once
#include <stdint.h>

#include "common/exp_poly.h"
#include "core/dispatch.h"
#include "vane.h"

namespace vane {

struct AttnArgs {
    const float *q, *k, *v;  // k, v: contiguous [n_kv][n_kv_heads][d] (when cache is null)
    float *out;
    int64_t n_q, n_kv, n_heads, n_kv_heads, d;
    float scale;    // multiplies q . k: the caller's scale, divided by softcap when softcap > 0
    float softcap;  // > 0: a score s = scale * q . k becomes softcap * tanh(s / softcap) (attn/softcap.h)
    const float *sinks;  // null, or one logit per query head joining its softmax without a value
    bool causal;
    int64_t window;
    int64_t offset;  // query i is at position offset + i (n_kv - n_q when causal, else 0)
    int64_t group;   // n_heads / n_kv_heads
    const vane_kv_cache *cache;  // non-null: keys and values come from this cache, through table
    const int32_t *table;
    const vane_key_rope *rope;  // non-null: each key rotated by its position first
};

// The keys query token i may see, [lo, hi) (empty when lo >= hi).
static inline void attn_key_range(const AttnArgs &a, int64_t i, int64_t *lo, int64_t *hi) {
    if (!a.causal) {
        *lo = 0;
        *hi = a.n_kv;
        return;
    }
    const int64_t pos = a.offset + i;
    *hi = pos + 1;
    *lo = a.window > 0 && pos - a.window + 1 > 0 ? pos - a.window + 1 : 0;
}

// A task's unnormalized result per row, for merging key splits: m the largest scaled score,
// l = sum of e^(s - m), o = sum of e^(s - m) v (d floats per row). A row that saw no key has
// m = -inf, l = 0, o = 0. Partials never hold the sink: it joins once, where a row is
// normalized (the rows kernel without splits, or attn_merge).
struct AttnPartial {
    float *m, *l, *o;
};

struct AttnKernels {
    // Keys and values [j0, j0 + n) of KV head g as f32, n rows of d floats each into k and v
    // (from a.k/a.v or the cache, decoded; keys rotated when a.rope).
    void (*load)(const AttnArgs &a, int64_t g, int64_t j0, int64_t n, float *k, float *v);
    // KV group g, query tokens [t0, t1), keys [j0, j1) (each row clipped to its own range).
    // With part.m null, writes the normalized rows into a.out (o / l; 0 for a row that saw no
    // key); else the partial into part, row r at m[r], l[r], o[r * d].
    void (*rows)(const AttnArgs &a, int64_t g, int64_t t0, int64_t t1, int64_t j0, int64_t j1, AttnPartial part);
};

extern const AttnKernels attn_kernels_ref;
extern const AttnKernels attn_kernels_avx2;
extern const AttnKernels attn_kernels_avx512;
// The family's variants by VANE_ISA_* (defined beside the reference kernels).
extern const Variants<AttnKernels> attn_variants;

// Writes the normalized rows of KV group g, tokens [t0, t1) from `splits` partials of those
// rows (partial s for row r at parts[s]), merged by their log-sum-exp.
void attn_merge(const AttnArgs &a, int64_t g, int64_t t0, int64_t t1, const AttnPartial *parts, int64_t splits);

// The paged cache (cache.cpp): bytes of k (or v) and of each scale array; writing tokens
// [t0, t1) of k and v at positions pos0 + t; copying one block.
int64_t kv_side_bytes(const vane_kv_cache &c);
int64_t kv_scale_bytes(const vane_kv_cache &c);
void kv_write_rows(const vane_kv_cache &c, const int32_t *table, int64_t pos0, const float *k, const float *v, int64_t t0, int64_t t1);
void kv_copy_block(const vane_kv_cache &c, int32_t from, int32_t to);

// Query head h's sink joins a finished row (m, l) that is not NaN: m becomes M = max(m, sink),
// l becomes l c + e^(sink - M), and *c = e^(m - M) is what the row's o must be scaled by. A row
// that saw no key (m = -inf, l = 0) gets c = 0, l = 1: zeros out.
static inline void attn_add_sink(const AttnArgs &a, int64_t h, float *m, float *l, float *c) {
    const float sink = a.sinks[h], mx = sink > *m ? sink : *m;
    *c = exp_poly_or_zero(*m - mx);
    *l = *l * *c + exp_poly_or_zero(sink - mx);
    *m = mx;
}

// The output row of token i, query head h.
static inline float *attn_out_row(const AttnArgs &a, int64_t i, int64_t h) { return a.out + (i * a.n_heads + h) * a.d; }

}  // namespace vane
