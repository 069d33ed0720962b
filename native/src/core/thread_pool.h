// Vane's one native thread pool. The calling thread takes part, so a pool of n threads starts
// n - 1 workers. Work is handed out in chunks from an atomic counter (no thread creation per
// call). A call made while the pool is busy (another Java thread, or a nested call) runs on the
// calling thread alone instead of waiting.
#pragma once
#include <stdint.h>

#include "vane.h"

namespace vane {

// fn(ctx, begin, end) is called over disjoint chunks covering [0, n), each at most `grain` long.
using RangeFn = void (*)(void *ctx, int64_t begin, int64_t end);
void parallel_for(int64_t n, int64_t grain, RangeFn fn, void *ctx);

// Convenience for lambdas: parallel_for(n, grain, [&](int64_t b, int64_t e) { ... }).
template <class F>
void parallel_for(int64_t n, int64_t grain, F &&f) {
    parallel_for(
        n, grain, [](void *ctx, int64_t b, int64_t e) { (*static_cast<F *>(ctx))(b, e); },
        static_cast<void *>(&f));
}

int32_t pool_threads();
vane_status pool_set_threads(int32_t n);

}  // namespace vane
