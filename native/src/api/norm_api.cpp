// Exported RMSNorm and residual add: argument checks, then norm/ over the thread pool.
#include <math.h>
#include <stdint.h>

#include <exception>
#include <new>

#include "api/args.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "norm/norm.h"

using vane::fail;

extern "C" {

VANE_API vane_status vane_rms_norm(const float *x, int64_t rows, int64_t dim, int64_t ldx, const float *weight, float eps, float *y,
                                   int64_t ldy) {
    if (rows < 0 || dim < 1 || dim > (int64_t(1) << 24) || ldx < dim || ldy < dim || rows > (int64_t(1) << 40) / ldx)
        return fail(VANE_E_INVALID_ARGUMENT, "vane_rms_norm: need rows >= 0, 1 <= dim <= 2^24, ldx and ldy >= dim; got rows=%lld dim=%lld "
                    "ldx=%lld ldy=%lld", (long long)rows, (long long)dim, (long long)ldx, (long long)ldy);
    if (!(eps >= 0.0f) || !isfinite(eps)) return fail(VANE_E_INVALID_ARGUMENT, "vane_rms_norm: eps = %g must be finite and >= 0", (double)eps);
    if (rows == 0) return VANE_OK;
    if (!x || !weight || !y) return fail(VANE_E_INVALID_ARGUMENT, "vane_rms_norm: x, weight or y is null");
    if (y != x && vane::overlaps(y, ((rows - 1) * ldy + dim) * 4, x, ((rows - 1) * ldx + dim) * 4))
        return fail(VANE_E_INVALID_ARGUMENT, "vane_rms_norm: y overlaps x without being x");
    if (y == x && ldy != ldx) return fail(VANE_E_INVALID_ARGUMENT, "vane_rms_norm: in place needs ldy == ldx");
    VANE_GUARD_BEGIN
    const int64_t grain = (1 << 14) / dim + 1;
    vane::parallel_for(rows, grain, [&](int64_t r0, int64_t r1) { vane::rms_norm_rows(x, ldx, dim, weight, eps, y, ldy, r0, r1); });
    return VANE_OK;
    VANE_GUARD_END
}

VANE_API vane_status vane_add(float *y, const float *x, int64_t n) {
    if (n < 0 || n > (int64_t(1) << 40)) return fail(VANE_E_INVALID_ARGUMENT, "vane_add: n = %lld must be in 0 .. 2^40", (long long)n);
    if (n == 0) return VANE_OK;
    if (!x || !y) return fail(VANE_E_INVALID_ARGUMENT, "vane_add: x or y is null");
    if (x != y && vane::overlaps(y, n * 4, x, n * 4)) return fail(VANE_E_INVALID_ARGUMENT, "vane_add: y overlaps x without being x");
    for (int64_t i = 0; i < n; i++) y[i] += x[i];
    return VANE_OK;
}

}  // extern "C"
