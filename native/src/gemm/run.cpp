// Running one GEMM on validated operands: the active variant's prepare step (the integer
// formats quantize x into a per-thread scratch buffer, over the pool along M), then its kernel
// over the thread pool, split along N (each chunk owns whole output columns).
#include <stdlib.h>

#include <algorithm>

#include "core/dispatch.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "gemm/gemm.h"
#include "vane.h"

namespace vane {

namespace {

// Work per pool task, in weight elements times rows of x: enough to dwarf the hand-off.
constexpr int64_t kWorkPerTask = 1 << 18;
// Chunks along N are a multiple of this many weight rows (the kernels' row tiles divide it).
constexpr int64_t kRowQuantum = 16;
// Work (weight elements times rows of x) below which a GEMM runs on the calling thread.
constexpr int64_t kSerialWork = 1 << 20;
// Elements of x from which every thread takes a share of the prepare step (a batched decode
// step's x, 16 rows of 2048, is worth two threads; a single row is not).
constexpr int64_t kSharedPrepare = 1 << 14;
// Rows per chunk wanted when m > 1 (GEMM reads x once per chunk and slice of k).
constexpr int64_t kGemmRows = 64;
// q4_0x8 with m >= 3 (the small-batch kernels, which stream each group of weight rows once for
// all rows of x): at least this many rows per chunk and at least kX8ChunksPerThread chunks per
// thread. The threads take chunks in turn, so each chunk starts a cold weight stream (the
// prefetch of the chunk before ran into the other thread's chunk); gemm_bench decode 25 16
// (2-vCPU Zen 4, noisy, 5 alternating rounds, medians, ms a layer): 256 rows and 4 chunks a
// thread M = 4 / 8 / 16 / 64 0.89 / 1.38 / 2.53 / 9.6 against 1.18 / 1.67 / 2.72 / 10.8 for 64
// rows and 8 chunks.
constexpr int64_t kX8Rows = 256, kX8ChunksPerThread = 4;

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

}  // namespace

vane_status gemm_run(GemmArgs args) {
    const GemmKernels &kernels = vane::gemm_variants.active();
    const int64_t m = args.m, n = args.n, k = args.k;
    if (m == 0 || n == 0) return VANE_OK;
    const int64_t scratch_bytes = kernels.scratch_bytes(args.format, m, k);
    if (scratch_bytes > 0) {
        args.scratch = t_scratch.get(scratch_bytes);
        if (!args.scratch)
            return fail(VANE_E_OUT_OF_MEMORY, "gemm: cannot allocate %lld bytes of scratch for x", (long long)scratch_bytes);
        int64_t grain_m = kWorkPerTask / (k > 0 ? k : 1);
        if (m * k >= kSharedPrepare) grain_m = std::min(grain_m, (m + pool_threads() - 1) / pool_threads());
        if (grain_m < 1) grain_m = 1;
        parallel_for(m, grain_m, [&](int64_t m0, int64_t m1) { kernels.prepare(args, m0, m1); });
    }
    // Along N: chunks of about kWorkPerTask, a multiple of kRowQuantum rows; with m > 1 at least
    // kGemmRows rows, so a chunk's rows reuse each slice of x from the cache; but at least 8
    // chunks per thread where N allows (a shared machine runs threads at uneven speeds); for the
    // q4_0x8 small-batch kernels, kX8Rows and kX8ChunksPerThread instead.
    const int64_t per_column = (k > 0 ? k : 1) * m;
    int64_t grain = kWorkPerTask / per_column;
    const bool x8 = args.format == VANE_FORMAT_Q4_0_X8 && m >= 3;
    const int64_t rows = x8 ? kX8Rows : kGemmRows;
    if (m > 1 && grain < rows) grain = rows;
    const int64_t balanced = n / ((x8 ? kX8ChunksPerThread : 8) * pool_threads());
    if (grain > balanced) grain = balanced;
    grain = (grain + kRowQuantum - 1) / kRowQuantum * kRowQuantum;
    if (grain < kRowQuantum) grain = kRowQuantum;
    // Less than kSerialWork in all: the calling thread alone. A tiny model's matrices take a few
    // microseconds, and its workers, idle between them for longer than they spin, would each
    // need a futex wake-up (tens of microseconds on a VM) that costs more than the second
    // thread saves (embedded model decode, 2 threads: 1,920 tok/s before, against 3,600 on one).
    if (n * per_column < kSerialWork) grain = n;
    parallel_for(n, grain, [&](int64_t n0, int64_t n1) { kernels.gemm(args, n0, n1); });
    return VANE_OK;
}

}  // namespace vane
