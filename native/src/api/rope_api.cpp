// Exported rotary position embedding: argument checks, then rope/rope.cpp over the thread pool
// (tokens split across threads).
#include <math.h>
#include <stdint.h>

#include <exception>
#include <new>

#include "core/error.h"
#include "core/thread_pool.h"
#include "rope/rope.h"

using vane::fail;

extern "C" {

VANE_API vane_status vane_rope(const vane_rope_params *p, float *x, int64_t n, int64_t ld, const int64_t *positions) {
    if (!p) return fail(VANE_E_INVALID_ARGUMENT, "vane_rope: params is null");
    if (p->n_heads < 1 || p->head_dim < 1 || p->n_heads > 4096 || p->head_dim > 4096)
        return fail(VANE_E_INVALID_ARGUMENT, "vane_rope: need 1 <= n_heads, head_dim <= 4096, got %lld and %lld", (long long)p->n_heads,
                    (long long)p->head_dim);
    if (p->rot_dim < 0 || p->rot_dim > p->head_dim || p->rot_dim % 2 != 0)
        return fail(VANE_E_INVALID_ARGUMENT, "vane_rope: rot_dim = %lld must be even and in 0..head_dim = %lld", (long long)p->rot_dim,
                    (long long)p->head_dim);
    if (!(p->base > 1.0f) || !isfinite(p->base))
        return fail(VANE_E_INVALID_ARGUMENT, "vane_rope: base = %g must be finite and > 1", (double)p->base);
    if (!(p->linear_scale > 0.0f) || !isfinite(p->linear_scale))
        return fail(VANE_E_INVALID_ARGUMENT, "vane_rope: linear_scale = %g must be finite and > 0", (double)p->linear_scale);
    if (n < 0 || n > (int64_t(1) << 40) || ld < p->n_heads * p->head_dim)
        return fail(VANE_E_INVALID_ARGUMENT, "vane_rope: need n >= 0 and ld >= n_heads * head_dim = %lld, got n=%lld ld=%lld",
                    (long long)(p->n_heads * p->head_dim), (long long)n, (long long)ld);
    if (n == 0 || p->rot_dim == 0) return VANE_OK;
    if (!x || !positions) return fail(VANE_E_INVALID_ARGUMENT, "vane_rope: x or positions is null");
    for (int64_t t = 0; t < n; t++)
        if (positions[t] < 0 || positions[t] > (int64_t(1) << 40))
            return fail(VANE_E_OUT_OF_RANGE, "vane_rope: position %lld of token %lld is out of range (0 .. 2^40)", (long long)positions[t],
                        (long long)t);
    VANE_GUARD_BEGIN
    const int64_t grain = (1 << 15) / (p->n_heads * p->head_dim) + 1;
    vane::parallel_for(n, grain, [&](int64_t t0, int64_t t1) { vane::rope_rows(*p, x, ld, positions, t0, t1); });
    return VANE_OK;
    VANE_GUARD_END
}

VANE_API vane_status vane_rope_table(const vane_rope_params *p, int64_t n_positions, float *out) {
    if (!p) return fail(VANE_E_INVALID_ARGUMENT, "vane_rope_table: params is null");
    if (p->head_dim < 1 || p->head_dim > 4096 || p->rot_dim < 0 || p->rot_dim > p->head_dim || p->rot_dim % 2 != 0)
        return fail(VANE_E_INVALID_ARGUMENT, "vane_rope_table: rot_dim = %lld must be even and in 0..head_dim = %lld", (long long)p->rot_dim,
                    (long long)p->head_dim);
    if (!(p->base > 1.0f) || !isfinite(p->base) || !(p->linear_scale > 0.0f) || !isfinite(p->linear_scale))
        return fail(VANE_E_INVALID_ARGUMENT, "vane_rope_table: base must be > 1 and linear_scale > 0, both finite");
    if (n_positions < 0 || n_positions > (int64_t(1) << 32))
        return fail(VANE_E_INVALID_ARGUMENT, "vane_rope_table: n_positions = %lld must be in 0..2^32", (long long)n_positions);
    if (n_positions > 0 && p->rot_dim > 0 && !out) return fail(VANE_E_INVALID_ARGUMENT, "vane_rope_table: out is null");
    VANE_GUARD_BEGIN
    vane::parallel_for(n_positions, 256, [&](int64_t p0, int64_t p1) { vane::rope_table_rows(*p, out, p0, p1); });
    return VANE_OK;
    VANE_GUARD_END
}

}  // extern "C"
