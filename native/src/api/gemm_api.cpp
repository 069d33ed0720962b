// Exported GEMM: argument checks, then the active variant's prepare step (the integer formats
// quantize x into a per-thread scratch buffer, over the pool along M) and its kernel over the
// thread pool, split along N (each chunk owns whole output columns).
#include <stdlib.h>

#include <exception>
#include <new>

#include "core/dispatch.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "gemm/gemm.h"
#include "quant/quant.h"

namespace {

using vane::fail;

// Work per pool task, in weight elements times rows of x: enough to dwarf the hand-off.
constexpr int64_t kWorkPerTask = 1 << 18;
// Chunks along N are a multiple of this many weight rows (the kernels' row tiles divide it).
constexpr int64_t kRowQuantum = 16;
// Rows per chunk wanted when m > 1 (GEMM reads x once per chunk and slice of k).
constexpr int64_t kGemmRows = 64;

// The calling thread's scratch for the prepared activations: grown when a call needs more, kept
// for the next call (no allocation in steady state), freed when the thread ends.
class Scratch {
public:
    ~Scratch() { free(p_); }
    // 64-byte aligned, at least `bytes` long; nullptr if out of memory.
    void *get(int64_t bytes) {
        if (bytes > cap_) {
            free(p_);
            cap_ = 0;
            const int64_t want = (bytes + 4095) / 4096 * 4096;
            p_ = aligned_alloc(64, static_cast<size_t>(want));
            if (p_) cap_ = want;
        }
        return p_;
    }

private:
    void *p_ = nullptr;
    int64_t cap_ = 0;
};
thread_local Scratch t_scratch;

bool overlaps(const void *a, int64_t a_bytes, const void *b, int64_t b_bytes) {
    const uintptr_t a0 = reinterpret_cast<uintptr_t>(a), b0 = reinterpret_cast<uintptr_t>(b);
    return a_bytes > 0 && b_bytes > 0 && a0 < b0 + static_cast<uintptr_t>(b_bytes) &&
           b0 < a0 + static_cast<uintptr_t>(a_bytes);
}

// Bytes spanned by `rows` rows of `cols` floats with stride ld.
int64_t span_bytes(int64_t rows, int64_t cols, int64_t ld) { return rows == 0 ? 0 : 4 * ((rows - 1) * ld + cols); }

}  // namespace

extern "C" {

VANE_API vane_status vane_gemm(int32_t format, const void *w, int64_t w_bytes, int64_t n, int64_t k,
                               const float *x, int64_t ldx, int64_t m, const float *bias, float *y,
                               int64_t ldy) {
    const vane::FormatLayout *f = vane::format_layout(format);
    if (!f) return fail(VANE_E_INVALID_ARGUMENT, "vane_gemm: unknown format id %d", format);
    if (n < 0 || k < 0 || m < 0)
        return fail(VANE_E_INVALID_ARGUMENT, "vane_gemm: n, k and m must be >= 0, got n=%lld k=%lld m=%lld",
                    (long long)n, (long long)k, (long long)m);
    if (k % f->block_elems != 0)
        return fail(VANE_E_INVALID_ARGUMENT, "vane_gemm: k = %lld is not a multiple of the %s block size %d",
                    (long long)k, f->name, f->block_elems);
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
    const vane::GemmKernels &kernels = *vane::kernels().gemm;
    vane::GemmArgs args{format, w, n, k, x, ldx, m, bias, y, ldy, nullptr};
    const int64_t scratch_bytes = kernels.scratch_bytes(format, m, k);
    if (scratch_bytes > 0) {
        args.scratch = t_scratch.get(scratch_bytes);
        if (!args.scratch)
            return fail(VANE_E_OUT_OF_MEMORY, "vane_gemm: cannot allocate %lld bytes of scratch for x",
                        (long long)scratch_bytes);
        int64_t grain_m = kWorkPerTask / (k > 0 ? k : 1);
        if (grain_m < 1) grain_m = 1;
        vane::parallel_for(m, grain_m, [&](int64_t m0, int64_t m1) { kernels.prepare(args, m0, m1); });
    }
    // Along N: chunks of about kWorkPerTask, a multiple of kRowQuantum rows; with m > 1 at least
    // kGemmRows rows, so a chunk's rows reuse each slice of x from the cache; but at least 8
    // chunks per thread where N allows (a shared machine runs threads at uneven speeds).
    const int64_t per_column = (k > 0 ? k : 1) * m;
    int64_t grain = kWorkPerTask / per_column;
    if (m > 1 && grain < kGemmRows) grain = kGemmRows;
    const int64_t balanced = n / (8 * vane::pool_threads());
    if (grain > balanced) grain = balanced;
    grain = (grain + kRowQuantum - 1) / kRowQuantum * kRowQuantum;
    if (grain < kRowQuantum) grain = kRowQuantum;
    vane::parallel_for(n, grain, [&](int64_t n0, int64_t n1) { kernels.gemm(args, n0, n1); });
    return VANE_OK;
    VANE_GUARD_END
}

}  // extern "C"
