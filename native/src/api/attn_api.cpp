// Exported attention: argument checks, then the work over the thread pool. A task is one KV
// head and a block of query tokens (all the group's query heads, up to 64 rows); when there are
// fewer tasks than twice the threads (decode over one sequence), each task's keys are also split
// into ranges of at least kMinSplitKeys, the partial results merged by log-sum-exp.
#include <math.h>
#include <stdint.h>

#include <exception>
#include <new>
#include <vector>

#include "attn/attn.h"
#include "core/dispatch.h"
#include "core/error.h"
#include "core/thread_pool.h"

namespace {

using vane::fail;

constexpr int64_t kMaxRowsPerTask = 64;
constexpr int64_t kMinSplitKeys = 256;

bool overlaps(const void *a, int64_t a_bytes, const void *b, int64_t b_bytes) {
    const uintptr_t a0 = reinterpret_cast<uintptr_t>(a), b0 = reinterpret_cast<uintptr_t>(b);
    return a_bytes > 0 && b_bytes > 0 && a0 < b0 + static_cast<uintptr_t>(b_bytes) &&
           b0 < a0 + static_cast<uintptr_t>(a_bytes);
}

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
    const int64_t limit = int64_t(1) << 40;
    if (n_q < 0 || n_kv < 0 || n_q > limit || n_kv > limit)
        return fail(VANE_E_INVALID_ARGUMENT, "vane_attention: need 0 <= n_q, n_kv; got n_q=%lld n_kv=%lld", (long long)n_q, (long long)n_kv);
    if (p->causal && n_q > n_kv)
        return fail(VANE_E_INVALID_ARGUMENT,
                    "vane_attention: causal attention needs n_q <= n_kv (the queries are the last n_q of the n_kv positions), got n_q=%lld n_kv=%lld",
                    (long long)n_q, (long long)n_kv);
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
    const int64_t group = p->n_heads / p->n_kv_heads;
    const vane::AttnArgs a{q, k, v, out, n_q, n_kv, p->n_heads, p->n_kv_heads, d, p->scale, p->causal != 0, p->window,
                           p->causal ? n_kv - n_q : 0, group};
    if (n_kv == 0) {
        for (int64_t e = 0; e < n_q * p->n_heads * d; e++) out[e] = 0.0f;
        return VANE_OK;
    }
    const int64_t tokens = group >= kMaxRowsPerTask ? 1 : kMaxRowsPerTask / group;
    const int64_t blocks = (n_q + tokens - 1) / tokens, tasks = p->n_kv_heads * blocks;
    const int64_t threads = vane::pool_threads();
    int64_t splits = 1;
    if (tasks < 2 * threads) {
        splits = (2 * threads + tasks - 1) / tasks;
        if (splits > n_kv / kMinSplitKeys) splits = n_kv / kMinSplitKeys;
        if (splits < 1) splits = 1;
    }
    const vane::AttnKernels &kern = *vane::kernels().attn;
    auto task_tokens = [&](int64_t task, int64_t *g, int64_t *t0, int64_t *t1) {
        *g = task / blocks;
        *t0 = (task % blocks) * tokens;
        *t1 = *t0 + tokens < n_q ? *t0 + tokens : n_q;
    };
    if (splits == 1) {
        vane::parallel_for(tasks, 1, [&](int64_t b, int64_t e) {
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
    VANE_GUARD_END
}

}  // extern "C"
