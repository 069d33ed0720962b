// Exported attention: argument checks, then the work over the thread pool. A task is one KV
// head and a block of query tokens (all the group's query heads, up to 64 rows); when there are
// fewer tasks than twice the threads (decode over one sequence), each task's keys are also split
// into ranges of at least kMinSplitKeys, the partial results merged by log-sum-exp.
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include <exception>
#include <new>
#include <vector>

#include "attn/attn.h"
#include "core/dispatch.h"
#include "api/args.h"
#include "core/error.h"
#include "core/thread_pool.h"

namespace {

using vane::fail;
using vane::overlaps;

// The layout NativeLayouts.ATTENTION_PARAMS mirrors on the Java side (LP64).
static_assert(offsetof(vane_attention_params, window) == 32 && offsetof(vane_attention_params, softcap) == 40 &&
                  offsetof(vane_attention_params, sinks) == 48 && sizeof(vane_attention_params) == 56,
              "vane_attention_params layout changed: update NativeLayouts.ATTENTION_PARAMS");

constexpr int64_t kMaxRowsPerTask = 64;
constexpr int64_t kMinSplitKeys = 256;
// Query rows x heads x visible keys x head dim below which one thread runs the call (about a
// microsecond of work, less than waking a second thread costs).
constexpr int64_t kMinParallelWork = 1 << 16;

vane_status check(const vane_attention_params *p, int64_t n_q, int64_t n_kv) {
    if (!p) return fail(VANE_E_INVALID_ARGUMENT, "vane_attention: params is null");
    if (p->n_heads < 1 || p->n_kv_heads < 1 || p->n_heads > 4096)
        return fail(VANE_E_INVALID_ARGUMENT, "vane_attention: need 1 <= n_kv_heads and 1 <= n_heads <= 4096, got n_heads=%lld n_kv_heads=%lld",
                    (long long)p->n_heads, (long long)p->n_kv_heads);
    if (p->n_heads % p->n_kv_heads != 0)
        return fail(VANE_E_INVALID_ARGUMENT, "vane_attention: n_kv_heads = %lld does not divide n_heads = %lld", (long long)p->n_kv_heads,
                    (long long)p->n_heads);
    if (p->head_dim < 1 || p->head_dim > 512)
        return fail(VANE_E_INVALID_ARGUMENT, "vane_attention: head_dim = %lld must be in 1..512", (long long)p->head_dim);
    if (!isfinite(p->scale)) return fail(VANE_E_INVALID_ARGUMENT, "vane_attention: scale %g is not finite", (double)p->scale);
    if (p->window < 0) return fail(VANE_E_INVALID_ARGUMENT, "vane_attention: window = %lld must be >= 0", (long long)p->window);
    if (!(p->softcap >= 0.0f) || isinf(p->softcap))
        return fail(VANE_E_INVALID_ARGUMENT, "vane_attention: softcap %g must be finite and >= 0 (0 = off)", (double)p->softcap);
    if (p->sinks)
        for (int64_t h = 0; h < p->n_heads; h++)
            if (!isfinite(p->sinks[h]))
                return fail(VANE_E_INVALID_ARGUMENT, "vane_attention: sinks[%lld] = %g is not finite", (long long)h, (double)p->sinks[h]);
    const int64_t limit = int64_t(1) << 40;
    if (n_q < 0 || n_kv < 0 || n_q > limit || n_kv > limit)
        return fail(VANE_E_INVALID_ARGUMENT, "vane_attention: need 0 <= n_q, n_kv; got n_q=%lld n_kv=%lld", (long long)n_q, (long long)n_kv);
    if (n_q * p->n_heads > (int64_t(1) << 48) || n_kv * p->n_kv_heads > (int64_t(1) << 48))
        return fail(VANE_E_INVALID_ARGUMENT, "vane_attention: n_q=%lld x %lld heads or n_kv=%lld x %lld KV heads is too large", (long long)n_q,
                    (long long)p->n_heads, (long long)n_kv, (long long)p->n_kv_heads);
    if (p->causal && n_q > n_kv)
        return fail(VANE_E_INVALID_ARGUMENT,
                    "vane_attention: causal attention needs n_q <= n_kv (the queries are the last n_q of the n_kv positions), got n_q=%lld n_kv=%lld",
                    (long long)n_q, (long long)n_kv);
    return VANE_OK;
}
// The kernels' arguments for validated params (softcap's 1 / softcap folded into the scale).
vane::AttnArgs args_of(const vane_attention_params *p, const float *q, int64_t n_q, const float *k, const float *v, int64_t n_kv, float *out) {
    vane::AttnArgs a{};
    a.q = q;
    a.k = k;
    a.v = v;
    a.out = out;
    a.n_q = n_q;
    a.n_kv = n_kv;
    a.n_heads = p->n_heads;
    a.n_kv_heads = p->n_kv_heads;
    a.d = p->head_dim;
    a.softcap = p->softcap;
    a.scale = p->softcap > 0.0f ? p->scale / p->softcap : p->scale;
    a.sinks = p->sinks;
    a.causal = p->causal != 0;
    a.window = p->window;
    a.offset = a.causal ? n_kv - n_q : 0;
    a.group = p->n_heads / p->n_kv_heads;
    return a;
}

// Runs validated attention over the pool (see the file comment).
vane_status run(const vane::AttnArgs &a) {
    const int64_t n_q = a.n_q, n_kv = a.n_kv, d = a.d, group = a.group;
    if (n_kv == 0) {
        for (int64_t e = 0; e < n_q * a.n_heads * d; e++) a.out[e] = 0.0f;
        return VANE_OK;
    }
    const int64_t tokens = group >= kMaxRowsPerTask ? 1 : kMaxRowsPerTask / group;
    const int64_t blocks = (n_q + tokens - 1) / tokens, tasks = a.n_kv_heads * blocks;
    const int64_t threads = vane::pool_threads();
    int64_t splits = 1;
    // Less work than a hand-off is worth (a tiny model's decode step): the calling thread alone.
    const bool serial = n_q * a.n_heads * n_kv * d < kMinParallelWork;
    if (tasks < 2 * threads && !serial) {
        splits = (2 * threads + tasks - 1) / tasks;
        if (splits > n_kv / kMinSplitKeys) splits = n_kv / kMinSplitKeys;
        if (splits < 1) splits = 1;
    }
    const vane::AttnKernels &kern = vane::attn_variants.active();
    auto task_tokens = [&](int64_t task, int64_t *g, int64_t *t0, int64_t *t1) {
        *g = task / blocks;
        *t0 = (task % blocks) * tokens;
        *t1 = *t0 + tokens < n_q ? *t0 + tokens : n_q;
    };
    if (splits == 1) {
        vane::parallel_for(tasks, serial ? tasks : 1, [&](int64_t b, int64_t e) {
            for (int64_t task = b; task < e; task++) {
                int64_t g, t0, t1;
                task_tokens(task, &g, &t0, &t1);
                kern.rows(a, g, t0, t1, 0, n_kv, vane::AttnPartial{nullptr, nullptr, nullptr});
            }
        });
        return VANE_OK;
    }
    // Split keys: each task's visible range in `splits` parts, partials in a scratch buffer.
    const int64_t rows = tokens * group, per_part = rows * (d + 2);
    std::vector<float> scratch((size_t)(tasks * splits * per_part));
    auto part_of = [&](int64_t task, int64_t sp) {
        float *base = scratch.data() + (task * splits + sp) * per_part;
        return vane::AttnPartial{base, base + rows, base + 2 * rows};
    };
    vane::parallel_for(tasks * splits, 1, [&](int64_t b, int64_t e) {
        for (int64_t w = b; w < e; w++) {
            const int64_t task = w / splits, sp = w % splits;
            int64_t g, t0, t1, lo, hi, unused;
            task_tokens(task, &g, &t0, &t1);
            vane::attn_key_range(a, t0, &lo, &unused);
            vane::attn_key_range(a, t1 - 1, &unused, &hi);
            const int64_t span = hi - lo, j0 = lo + span * sp / splits, j1 = lo + span * (sp + 1) / splits;
            kern.rows(a, g, t0, t1, j0, j1, part_of(task, sp));
        }
    });
    vane::parallel_for(tasks, 1, [&](int64_t b, int64_t e) {
        std::vector<vane::AttnPartial> parts((size_t)splits);
        for (int64_t task = b; task < e; task++) {
            int64_t g, t0, t1;
            task_tokens(task, &g, &t0, &t1);
            for (int64_t sp = 0; sp < splits; sp++) parts[(size_t)sp] = part_of(task, sp);
            vane::attn_merge(a, g, t0, t1, parts.data(), splits);
        }
    });
    return VANE_OK;
}

// A cache descriptor: dims in range, storage present.
vane_status check_cache(const vane_kv_cache *c, const char *fn) {
    if (!c) return fail(VANE_E_INVALID_ARGUMENT, "%s: cache is null", fn);
    if (c->dtype < VANE_KV_F32 || c->dtype > VANE_KV_FP8_E4M3) return fail(VANE_E_INVALID_ARGUMENT, "%s: unknown cache dtype %d", fn, c->dtype);
    if (c->n_kv_heads < 1 || c->n_kv_heads > 4096 || c->head_dim < 1 || c->head_dim > 512 || c->block_tokens < 1 ||
        c->block_tokens > 65536 || c->n_blocks < 1 || c->n_blocks > (int64_t(1) << 31) - 1)
        return fail(VANE_E_INVALID_ARGUMENT,
                    "%s: cache needs 1 <= n_kv_heads <= 4096, 1 <= head_dim <= 512, 1 <= block_tokens <= 65536, 1 <= n_blocks < 2^31; got %lld, %lld, %lld, %lld",
                    fn, (long long)c->n_kv_heads, (long long)c->head_dim, (long long)c->block_tokens, (long long)c->n_blocks);
    int64_t elems;
    if (__builtin_mul_overflow(c->n_blocks * c->n_kv_heads, c->block_tokens * c->head_dim, &elems) || elems > (int64_t(1) << 58))
        return fail(VANE_E_INVALID_ARGUMENT, "%s: a cache of %lld blocks x %lld heads x %lld positions x %lld dims is too large", fn,
                    (long long)c->n_blocks, (long long)c->n_kv_heads, (long long)c->block_tokens, (long long)c->head_dim);
    if (!c->k || !c->v || (c->dtype == VANE_KV_FP8_E4M3 && (!c->k_scales || !c->v_scales)))
        return fail(VANE_E_INVALID_ARGUMENT, "%s: cache storage (k, v%s) is null", fn, c->dtype == VANE_KV_FP8_E4M3 ? " or their scales" : "");
    return VANE_OK;
}

// Positions [0, end) of a sequence must lie in its table, and the entries for positions
// [begin, end) (the only ones read) must name blocks of the pool.
vane_status check_table(const vane_kv_cache &c, const int32_t *table, int64_t n_table, int64_t begin, int64_t end, const char *fn) {
    if (n_table < 0 || n_table > (int64_t(1) << 31) || (n_table > 0 && !table))
        return fail(VANE_E_INVALID_ARGUMENT, "%s: need a block table of 0..2^31 entries", fn);
    if (end > n_table * c.block_tokens)
        return fail(VANE_E_OUT_OF_RANGE, "%s: position %lld is past the block table (%lld blocks of %lld positions)", fn, (long long)(end - 1),
                    (long long)n_table, (long long)c.block_tokens);
    for (int64_t b = begin / c.block_tokens; b < (end + c.block_tokens - 1) / c.block_tokens; b++)
        if (table[b] < 0 || table[b] >= c.n_blocks)
            return fail(VANE_E_OUT_OF_RANGE, "%s: block table entry %lld (positions %lld..%lld) is block %d, outside the pool of %lld blocks%s", fn,
                        (long long)b, (long long)(b * c.block_tokens), (long long)((b + 1) * c.block_tokens - 1), table[b], (long long)c.n_blocks,
                        table[b] == -1 ? " (a released block: a query sees it)" : "");
    return VANE_OK;
}

}  // namespace

extern "C" {

VANE_API vane_status vane_attention(const vane_attention_params *p, const float *q, int64_t n_q, const float *k,
                                    const float *v, int64_t n_kv, float *out) {
    vane_status s = check(p, n_q, n_kv);
    if (s != VANE_OK) return s;
    if (n_q == 0) return VANE_OK;
    const int64_t d = p->head_dim, q_bytes = 4 * n_q * p->n_heads * d, kv_bytes = 4 * n_kv * p->n_kv_heads * d;
    if (!q || !out || (n_kv > 0 && (!k || !v))) return fail(VANE_E_INVALID_ARGUMENT, "vane_attention: q, k, v or out is null");
    if (overlaps(out, q_bytes, q, q_bytes) || overlaps(out, q_bytes, k, kv_bytes) || overlaps(out, q_bytes, v, kv_bytes))
        return fail(VANE_E_INVALID_ARGUMENT, "vane_attention: out overlaps q, k or v");
    VANE_GUARD_BEGIN
    return run(args_of(p, q, n_q, k, v, n_kv, out));
    VANE_GUARD_END
}

VANE_API vane_status vane_kv_cache_bytes(const vane_kv_cache *c, int64_t *kv_bytes, int64_t *scale_bytes) {
    if (!c) return fail(VANE_E_INVALID_ARGUMENT, "vane_kv_cache_bytes: cache is null");
    vane_kv_cache shape = *c;  // storage pointers are not needed to size it
    static float dummy;
    shape.k = shape.v = &dummy;
    shape.k_scales = shape.v_scales = &dummy;
    vane_status s = check_cache(&shape, "vane_kv_cache_bytes");
    if (s != VANE_OK) return s;
    if (!kv_bytes || !scale_bytes) return fail(VANE_E_INVALID_ARGUMENT, "vane_kv_cache_bytes: an output is null");
    *kv_bytes = vane::kv_side_bytes(shape);
    *scale_bytes = vane::kv_scale_bytes(shape);
    return VANE_OK;
}

VANE_API vane_status vane_kv_write(const vane_kv_cache *c, const int32_t *table, int64_t n_table, int64_t pos0, const float *k,
                                   const float *v, int64_t n) {
    vane_status s = check_cache(c, "vane_kv_write");
    if (s != VANE_OK) return s;
    if (pos0 < 0 || n < 0 || pos0 > (int64_t(1) << 40) || n > (int64_t(1) << 40))
        return fail(VANE_E_OUT_OF_RANGE, "vane_kv_write: need pos0 >= 0 and n >= 0, got %lld and %lld", (long long)pos0, (long long)n);
    if (n == 0) return VANE_OK;
    if ((s = check_table(*c, table, n_table, pos0, pos0 + n, "vane_kv_write")) != VANE_OK) return s;
    if (!k || !v) return fail(VANE_E_INVALID_ARGUMENT, "vane_kv_write: k or v is null");
    const int64_t count = n * c->n_kv_heads * c->head_dim;
    if (c->dtype == VANE_KV_FP8_E4M3)
        for (int64_t e = 0; e < count; e++)
            if (!isfinite(k[e]) || !isfinite(v[e]))
                return fail(VANE_E_NON_FINITE, "vane_kv_write: token %lld holds a NaN or Inf, which FP8 storage cannot scale",
                            (long long)(e / (c->n_kv_heads * c->head_dim)));
    VANE_GUARD_BEGIN
    vane::parallel_for(n, (1 << 14) / (c->n_kv_heads * c->head_dim) + 1,
                       [&](int64_t t0, int64_t t1) { vane::kv_write_rows(*c, table, pos0, k, v, t0, t1); });
    return VANE_OK;
    VANE_GUARD_END
}

VANE_API vane_status vane_kv_copy_blocks(const vane_kv_cache *c, const int32_t *from, const int32_t *to, int64_t n) {
    vane_status s = check_cache(c, "vane_kv_copy_blocks");
    if (s != VANE_OK) return s;
    if (n < 0 || (n > 0 && (!from || !to))) return fail(VANE_E_INVALID_ARGUMENT, "vane_kv_copy_blocks: need n >= 0 and both lists");
    for (int64_t i = 0; i < n; i++)
        if (from[i] < 0 || from[i] >= c->n_blocks || to[i] < 0 || to[i] >= c->n_blocks)
            return fail(VANE_E_OUT_OF_RANGE, "vane_kv_copy_blocks: block %d -> %d is outside the pool of %lld blocks", from[i], to[i],
                        (long long)c->n_blocks);
    VANE_GUARD_BEGIN
    for (int64_t i = 0; i < n; i++) vane::kv_copy_block(*c, from[i], to[i]);
    return VANE_OK;
    VANE_GUARD_END
}

VANE_API vane_status vane_attention_cached(const vane_attention_params *p, const float *q, int64_t n_q, const vane_kv_cache *c,
                                           const int32_t *table, int64_t n_table, int64_t n_cached, const vane_key_rope *key_rope,
                                           float *out) {
    vane_status s = check(p, n_q, n_cached);
    if (s != VANE_OK) return s;
    if ((s = check_cache(c, "vane_attention_cached")) != VANE_OK) return s;
    if (c->n_kv_heads != p->n_kv_heads || c->head_dim != p->head_dim)
        return fail(VANE_E_INVALID_ARGUMENT, "vane_attention_cached: the cache holds %lld KV heads of %lld, the call expects %lld of %lld",
                    (long long)c->n_kv_heads, (long long)c->head_dim, (long long)p->n_kv_heads, (long long)p->head_dim);
    // Causal with a window: the first query (position n_cached - n_q) sees back to window - 1 before it.
    const int64_t first_seen = p->causal && p->window > 0 && n_cached - n_q - p->window + 1 > 0 ? n_cached - n_q - p->window + 1 : 0;
    if ((s = check_table(*c, table, n_table, first_seen, n_cached, "vane_attention_cached")) != VANE_OK) return s;
    if (key_rope && (!key_rope->table || key_rope->rot_dim < 0 || key_rope->rot_dim % 2 != 0 || key_rope->rot_dim > p->head_dim ||
                     key_rope->positions < n_cached))
        return fail(VANE_E_INVALID_ARGUMENT,
                    "vane_attention_cached: key_rope needs a table of at least n_cached = %lld positions and an even rot_dim <= head_dim",
                    (long long)n_cached);
    if (n_q == 0) return VANE_OK;
    if (!q || !out) return fail(VANE_E_INVALID_ARGUMENT, "vane_attention_cached: q or out is null");
    const int64_t q_bytes = 4 * n_q * p->n_heads * p->head_dim;
    if (overlaps(out, q_bytes, q, q_bytes)) return fail(VANE_E_INVALID_ARGUMENT, "vane_attention_cached: out overlaps q");
    VANE_GUARD_BEGIN
    vane::AttnArgs a = args_of(p, q, n_q, nullptr, nullptr, n_cached, out);
    a.cache = c;
    a.table = table;
    a.rope = key_rope;
    return run(a);
    VANE_GUARD_END
}

}  // extern "C"
