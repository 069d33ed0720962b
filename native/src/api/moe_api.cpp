// Exported feed-forward and mixture-of-experts entry points: every argument checked (each
// matrix's format, size for its shape and block), then moe/layer.cpp or moe/route.cpp.
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include <exception>
#include <new>

#include "api/args.h"
#include "core/error.h"
#include "moe/moe.h"
#include "quant/quant.h"

namespace {

using vane::fail;
using vane::overlaps;

// A matrix of shape [rows, cols]; `what` names it in messages ("expert 3 gate").
vane_status check_matrix(const vane_matrix &m, int64_t rows, int64_t cols, const char *what) {
    const vane::FormatTraits *f = vane::format_traits(m.format);
    if (!f) return fail(VANE_E_INVALID_ARGUMENT, "%s: unknown format id %d", what, m.format);
    if (cols % f->block_elems != 0)
        return fail(VANE_E_INVALID_ARGUMENT, "%s: %lld columns are not a multiple of the %s block size %d", what,
                    (long long)cols, f->name, f->block_elems);
    if (cols > 0 && rows > (int64_t(1) << 58) / cols)
        return fail(VANE_E_INVALID_ARGUMENT, "%s: [%lld, %lld] is too large", what, (long long)rows, (long long)cols);
    if (rows % vane::row_group(*f) != 0)
        return fail(VANE_E_INVALID_ARGUMENT, "%s: %lld rows are not a multiple of %lld (%s)", what, (long long)rows,
                    (long long)vane::row_group(*f), f->name);
    const int64_t need = vane::quant_size(*f, rows, cols);
    if (!m.data || m.bytes < need)
        return fail(VANE_E_BUFFER_TOO_SMALL, "%s: %s [%lld, %lld] needs %lld bytes, got %lld%s", what, f->name,
                    (long long)rows, (long long)cols, (long long)need, (long long)m.bytes, m.data ? "" : " (null data)");
    return VANE_OK;
}

vane_status check_ffn(const vane_ffn *ffn, int64_t dim, int64_t ffn_dim, const char *name) {
    char what[64];
    vane_status s;
    snprintf(what, sizeof what, "%s gate", name);
    if ((s = check_matrix(ffn->gate, ffn_dim, dim, what)) != VANE_OK) return s;
    snprintf(what, sizeof what, "%s up", name);
    if ((s = check_matrix(ffn->up, ffn_dim, dim, what)) != VANE_OK) return s;
    snprintf(what, sizeof what, "%s down", name);
    if ((s = check_matrix(ffn->down, dim, ffn_dim, what)) != VANE_OK) return s;
    switch (ffn->activation) {
        case VANE_ACT_SILU:
        case VANE_ACT_GELU:
            return VANE_OK;
        case VANE_ACT_SWIGLU_OAI:
            if (!isfinite(ffn->alpha) || !(ffn->limit > 0))
                return fail(VANE_E_INVALID_ARGUMENT, "%s: swiglu_oai needs a finite alpha and a limit > 0 (+Inf for none), got alpha=%g limit=%g",
                            name, (double)ffn->alpha, (double)ffn->limit);
            return VANE_OK;
        default:
            return fail(VANE_E_INVALID_ARGUMENT, "%s: unknown activation %d (VANE_ACT_SILU 0, VANE_ACT_GELU 1, VANE_ACT_SWIGLU_OAI 2)", name,
                        ffn->activation);
    }
}

vane_status check_dims(int64_t dim, int64_t ffn_dim, int64_t t, const char *fn) {
    const int64_t limit = int64_t(1) << 40;
    int64_t rows_x_width = 0;
    if (dim < 1 || ffn_dim < 1 || t < 0 || dim > limit || ffn_dim > limit || t > limit ||
        __builtin_mul_overflow(t, dim > ffn_dim ? dim : ffn_dim, &rows_x_width) || rows_x_width > (int64_t(1) << 48))
        return fail(VANE_E_INVALID_ARGUMENT, "%s: need dim >= 1, ffn_dim >= 1, t >= 0, t * max(dim, ffn_dim) <= 2^48; got dim=%lld ffn_dim=%lld t=%lld", fn,
                    (long long)dim, (long long)ffn_dim, (long long)t);
    return VANE_OK;
}

vane_status check_gating(const vane_gating *g, int64_t n_experts, const char *fn) {
    if (!g) return fail(VANE_E_INVALID_ARGUMENT, "%s: gating is null", fn);
    if (g->kind < VANE_GATING_SOFTMAX_TOPK || g->kind > VANE_GATING_SIGMOID_TOPK)
        return fail(VANE_E_INVALID_ARGUMENT, "%s: unknown gating kind %d", fn, g->kind);
    if (n_experts < 1 || n_experts > (int64_t(1) << 20))
        return fail(VANE_E_INVALID_ARGUMENT, "%s: n_experts = %lld must be in 1..2^20", fn, (long long)n_experts);
    if (g->k < 1 || g->k > n_experts)
        return fail(VANE_E_INVALID_ARGUMENT, "%s: k = %d experts per token must be in 1..n_experts = %lld", fn, g->k,
                    (long long)n_experts);
    if (!isfinite(g->scale)) return fail(VANE_E_INVALID_ARGUMENT, "%s: gating scale %g is not finite", fn, (double)g->scale);
    if (g->selection_bias) {
        if (g->kind != VANE_GATING_SIGMOID_TOPK)
            return fail(VANE_E_INVALID_ARGUMENT, "%s: a selection bias applies to sigmoid gating only", fn);
        for (int64_t e = 0; e < n_experts; e++)
            if (!isfinite(g->selection_bias[e]))
                return fail(VANE_E_NON_FINITE, "%s: selection bias of expert %lld is not finite", fn, (long long)e);
    }
    return VANE_OK;
}

}  // namespace

extern "C" {

VANE_API vane_status vane_ffn_forward(const vane_ffn *ffn, int64_t dim, int64_t ffn_dim, const float *x, int64_t t,
                                      float *y) {
    vane_status s = check_dims(dim, ffn_dim, t, "vane_ffn_forward");
    if (s != VANE_OK) return s;
    if (!ffn) return fail(VANE_E_INVALID_ARGUMENT, "vane_ffn_forward: ffn is null");
    if ((s = check_ffn(ffn, dim, ffn_dim, "ffn")) != VANE_OK) return s;
    if (t == 0) return VANE_OK;
    if (!x || !y) return fail(VANE_E_INVALID_ARGUMENT, "vane_ffn_forward: x or y is null");
    if (overlaps(x, 4 * t * dim, y, 4 * t * dim)) return fail(VANE_E_INVALID_ARGUMENT, "vane_ffn_forward: y overlaps x");
    if (ffn->down_bias && overlaps(ffn->down_bias, 4 * dim, y, 4 * t * dim))
        return fail(VANE_E_INVALID_ARGUMENT, "vane_ffn_forward: y overlaps the down bias");
    VANE_GUARD_BEGIN
    return vane::ffn_run(*ffn, dim, ffn_dim, x, t, y);
    VANE_GUARD_END
}

VANE_API vane_status vane_moe_route(const vane_gating *gating, const float *logits, int64_t t, int64_t n_experts,
                                    int64_t ld, int32_t *ids, float *weights, int64_t *tokens_per_expert) {
    vane_status s = check_gating(gating, n_experts, "vane_moe_route");
    if (s != VANE_OK) return s;
    if (t < 0 || ld < n_experts)
        return fail(VANE_E_INVALID_ARGUMENT, "vane_moe_route: need t >= 0 and ld >= n_experts, got t=%lld ld=%lld",
                    (long long)t, (long long)ld);
    if (t > 0 && (!logits || !ids || !weights))
        return fail(VANE_E_INVALID_ARGUMENT, "vane_moe_route: logits, ids or weights is null");
    VANE_GUARD_BEGIN
    return vane::moe_route(*gating, logits, t, n_experts, ld, ids, weights, tokens_per_expert);
    VANE_GUARD_END
}

VANE_API vane_status vane_moe_forward(const vane_moe_layer *layer, const float *x, int64_t t, float *y,
                                      vane_moe_stats *stats) {
    if (!layer) return fail(VANE_E_INVALID_ARGUMENT, "vane_moe_forward: layer is null");
    vane_status s = check_dims(layer->dim, layer->ffn_dim, t, "vane_moe_forward");
    if (s != VANE_OK) return s;
    if ((s = check_gating(&layer->gating, layer->n_experts, "vane_moe_forward")) != VANE_OK) return s;
    if ((s = check_matrix(layer->router, layer->n_experts, layer->dim, "router")) != VANE_OK) return s;
    if (!layer->experts) return fail(VANE_E_INVALID_ARGUMENT, "vane_moe_forward: experts is null");
    for (int64_t e = 0; e < layer->n_experts; e++) {
        char name[32];
        snprintf(name, sizeof name, "expert %lld", (long long)e);
        if ((s = check_ffn(&layer->experts[e], layer->dim, layer->ffn_dim, name)) != VANE_OK) return s;
    }
    if (layer->shared) {
        if ((s = check_dims(layer->dim, layer->shared_ffn_dim, t, "vane_moe_forward (shared expert)")) != VANE_OK) return s;
        if ((s = check_ffn(layer->shared, layer->dim, layer->shared_ffn_dim, "shared expert")) != VANE_OK) return s;
    } else if (layer->shared_gate) {
        return fail(VANE_E_INVALID_ARGUMENT, "vane_moe_forward: a shared_gate needs a shared expert");
    }
    if (t > 0 && (!x || !y)) return fail(VANE_E_INVALID_ARGUMENT, "vane_moe_forward: x or y is null");
    if (overlaps(x, 4 * t * layer->dim, y, 4 * t * layer->dim)) return fail(VANE_E_INVALID_ARGUMENT, "vane_moe_forward: y overlaps x");
    VANE_GUARD_BEGIN
    return vane::moe_run(*layer, x, t, y, stats);
    VANE_GUARD_END
}

}  // extern "C"
