// Internal interface of the GEMM family: y = x * W^T + bias with W in any weight format.
#pragma once
#include <stdint.h>

namespace vane {

// One call's operands, validated by the API layer (api/gemm_api.cpp).
struct GemmArgs {
    int32_t format;
    const void *w;  // [n, k] in format's layout
    int64_t n, k;
    const float *x;  // [m, k], row stride ldx
    int64_t ldx, m;
    const float *bias;  // [n] or null
    float *y;           // [m, n], row stride ldy
    int64_t ldy;
};

struct GemmKernels {
    // Output columns [n0, n1) (rows n0..n1 of W) for all m rows of x. Chunks of one call run
    // concurrently on the thread pool and write disjoint columns of y.
    void (*gemm)(const GemmArgs &a, int64_t n0, int64_t n1);
};

extern const GemmKernels gemm_kernels_ref;

}  // namespace vane
