// Internal interface of the feed-forward / mixture-of-experts family: the SwiGLU activation
// (one table per instruction-set variant: ref.cpp, x86_avx2.cpp), the gating step (route.cpp)
// and the layers built on the GEMM (layer.cpp). Arguments are validated by api/moe_api.cpp.
#pragma once
#include <stdint.h>

#include "core/dispatch.h"
#include "vane.h"

namespace vane {

struct MoeKernels {
    // out[i] = silu(g[i]) * u[i], silu(g) = g / (1 + exp(-g)) with exp computed as
    // moe_exp_ref's polynomial, in the same operations in every variant (bit-identical
    // results). out may be g or u.
    void (*swiglu)(const float *g, const float *u, float *out, int64_t n);
};

extern const MoeKernels moe_kernels_ref;
extern const MoeKernels moe_kernels_avx2;
// The family's variants by VANE_ISA_* (defined beside the reference kernels).
extern const Variants<MoeKernels> moe_variants;

// Routes t tokens (vane_moe_route's contract): VANE_OK, or VANE_E_NON_FINITE (message set, nothing
// written) if a logit is NaN or Inf. tokens_per_expert may be null.
vane_status moe_route(const vane_gating &g, const float *logits, int64_t t, int64_t n_experts, int64_t ld,
                      int32_t *ids, float *weights, int64_t *tokens_per_expert);

// y [t, dim] = ffn(x [t, dim]) (rows contiguous).
vane_status ffn_run(const vane_ffn &ffn, int64_t dim, int64_t ffn_dim, const float *x, int64_t t, float *y);

// vane_moe_forward on a validated layer.
vane_status moe_run(const vane_moe_layer &layer, const float *x, int64_t t, float *y, vane_moe_stats *stats);

}  // namespace vane
