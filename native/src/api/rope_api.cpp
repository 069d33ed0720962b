// Exported rotary position embedding: argument checks (the scaling fields too), then
// rope/rope.cpp over the thread pool (tokens split across threads).
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include <exception>
#include <new>

#include "core/error.h"
#include "core/thread_pool.h"
#include "rope/rope.h"

using vane::fail;

// The Java mirror (bindings NativeLayouts.ROPE_PARAMS) writes these offsets.
static_assert(sizeof(vane_rope_params) == 72 && offsetof(vane_rope_params, neox) == 32 && offsetof(vane_rope_params, freq_factors) == 40 &&
                  offsetof(vane_rope_params, ext_factor) == 48 && offsetof(vane_rope_params, attn_factor) == 52 &&
                  offsetof(vane_rope_params, beta_fast) == 56 && offsetof(vane_rope_params, beta_slow) == 60 &&
                  offsetof(vane_rope_params, n_ctx_orig) == 64,
              "vane_rope_params layout changed: update NativeLayouts.ROPE_PARAMS");

namespace {

// The scaling fields (freq factors, YaRN, attn_factor), checked alike by vane_rope and
// vane_rope_table; fn names the caller in the message.
vane_status check_scaling(const vane_rope_params *p, const char *fn) {
    if (p->freq_factors)
        for (int64_t i = 0; i < p->rot_dim / 2; i++)
            if (!(p->freq_factors[i] > 0.0f) || !isfinite(p->freq_factors[i]))
                return fail(VANE_E_INVALID_ARGUMENT, "%s: freq_factors[%lld] = %g must be finite and > 0", fn, (long long)i,
                            (double)p->freq_factors[i]);
    if (!(p->attn_factor >= 0.0f) || !isfinite(p->attn_factor))
        return fail(VANE_E_INVALID_ARGUMENT, "%s: attn_factor = %g must be finite and > 0 (or 0 for 1)", fn, (double)p->attn_factor);
    if (!(p->ext_factor >= 0.0f && p->ext_factor <= 1.0f))
        return fail(VANE_E_INVALID_ARGUMENT, "%s: ext_factor = %g must be in 0..1 (0: no YaRN)", fn, (double)p->ext_factor);
    if (p->ext_factor != 0.0f) {
        if (!(p->beta_fast > 0.0f) || !isfinite(p->beta_fast) || !(p->beta_slow > 0.0f) || !isfinite(p->beta_slow))
            return fail(VANE_E_INVALID_ARGUMENT, "%s: YaRN needs finite beta_fast, beta_slow > 0, got %g and %g", fn, (double)p->beta_fast,
                        (double)p->beta_slow);
        if (p->n_ctx_orig < 1 || p->n_ctx_orig > INT32_MAX)
            return fail(VANE_E_INVALID_ARGUMENT, "%s: YaRN needs n_ctx_orig in 1..2^31 - 1, got %lld", fn, (long long)p->n_ctx_orig);
    }
    return VANE_OK;
}

}  // namespace

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
    if (const vane_status st = check_scaling(p, "vane_rope")) return st;
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
    if (const vane_status st = check_scaling(p, "vane_rope_table")) return st;
    if (n_positions < 0 || n_positions > (int64_t(1) << 32))
        return fail(VANE_E_INVALID_ARGUMENT, "vane_rope_table: n_positions = %lld must be in 0..2^32", (long long)n_positions);
    // No rotated pairs (or no positions): nothing to write. Without this a table of 2^32 positions
    // of rot_dim 0 walked every position for nothing (seconds; found by native/fuzz/fuzz_rope).
    if (n_positions == 0 || p->rot_dim == 0) return VANE_OK;
    if (!out) return fail(VANE_E_INVALID_ARGUMENT, "vane_rope_table: out is null");
    VANE_GUARD_BEGIN
    vane::parallel_for(n_positions, 256, [&](int64_t p0, int64_t p1) { vane::rope_table_rows(*p, out, p0, p1); });
    return VANE_OK;
    VANE_GUARD_END
}

}  // extern "C"
