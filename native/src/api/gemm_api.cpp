// Exported GEMM: argument checks, then gemm_run (gemm/run.cpp).
#include <stdlib.h>

#include <exception>
#include <new>

#include "core/dispatch.h"
#include "api/args.h"
#include "core/error.h"
#include "gemm/gemm.h"
#include "quant/quant.h"

namespace {

using vane::fail;
using vane::overlaps;

// Bytes spanned by `rows` rows of `cols` floats with stride ld.
int64_t span_bytes(int64_t rows, int64_t cols, int64_t ld) { return rows == 0 ? 0 : 4 * ((rows - 1) * ld + cols); }

}  // namespace

extern "C" {

VANE_API vane_status vane_gemm(int32_t format, const void *w, int64_t w_bytes, int64_t n, int64_t k,
                               const float *x, int64_t ldx, int64_t m, const float *bias, float *y,
                               int64_t ldy) {
    const vane::FormatTraits *f = vane::format_traits(format);
    if (!f) return fail(VANE_E_INVALID_ARGUMENT, "vane_gemm: unknown format id %d", format);
    if (n < 0 || k < 0 || m < 0)
        return fail(VANE_E_INVALID_ARGUMENT, "vane_gemm: n, k and m must be >= 0, got n=%lld k=%lld m=%lld",
                    (long long)n, (long long)k, (long long)m);
    if (k % f->block_elems != 0)
        return fail(VANE_E_INVALID_ARGUMENT, "vane_gemm: k = %lld is not a multiple of the %s block size %d",
                    (long long)k, f->name, f->block_elems);
    if (n % vane::row_group(*f) != 0)
        return fail(VANE_E_INVALID_ARGUMENT, "vane_gemm: n = %lld is not a multiple of %lld (%s stores rows in groups of %lld)",
                    (long long)n, (long long)vane::row_group(*f), f->name, (long long)vane::row_group(*f));
    const int64_t limit = int64_t(1) << 60;
    if ((k > 0 && n > limit / k) || (k > 0 && m > limit / k) || (n > 0 && m > limit / n))
        return fail(VANE_E_INVALID_ARGUMENT, "vane_gemm: shape m=%lld n=%lld k=%lld is too large", (long long)m,
                    (long long)n, (long long)k);
    if (ldx < k || ldy < n)
        return fail(VANE_E_INVALID_ARGUMENT, "vane_gemm: strides must cover a row: ldx=%lld < k=%lld or ldy=%lld < n=%lld",
                    (long long)ldx, (long long)k, (long long)ldy, (long long)n);
    const int64_t need = vane::quant_size(*f, n, k);
    if (w_bytes < need)
        return fail(VANE_E_BUFFER_TOO_SMALL, "vane_gemm: %s weights [%lld, %lld] need %lld bytes, got %lld", f->name,
                    (long long)n, (long long)k, (long long)need, (long long)w_bytes);
    if (m == 0 || n == 0) return VANE_OK;
    if ((k > 0 && (!w || !x)) || !y) return fail(VANE_E_INVALID_ARGUMENT, "vane_gemm: w, x or y is null");
    const int64_t y_bytes = span_bytes(m, n, ldy);
    if (overlaps(y, y_bytes, x, span_bytes(m, k, ldx)) || overlaps(y, y_bytes, w, need) ||
        (bias && overlaps(y, y_bytes, bias, 4 * n)))
        return fail(VANE_E_INVALID_ARGUMENT, "vane_gemm: y overlaps x, the weights or the bias");
    VANE_GUARD_BEGIN
    return vane::gemm_run(vane::GemmArgs{format, w, n, k, x, ldx, m, bias, y, ldy, nullptr});
    VANE_GUARD_END
}

}  // extern "C"
