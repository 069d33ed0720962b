// Internal interface of the feed-forward / mixture-of-experts family: the gated activations
// (one table per instruction-set variant: ref.cpp, x86_avx2.cpp, x86_avx512.cpp), the gating step (route.cpp)
// and the layers built on the GEMM (layer.cpp). Arguments are validated by api/moe_api.cpp.
#pragma once
#include <stdint.h>

#include "core/dispatch.h"
#include "vane.h"

namespace vane {

// One gated activation over a run of columns: which (VANE_ACT_*), its constants, and the biases
// of those columns (null: nothing added, not even a zero).
struct Glu {
    int32_t activation;
    float alpha, limit;          // VANE_ACT_SWIGLU_OAI
    const float *gate_bias;      // [n] or null
    const float *up_bias;        // [n] or null
};

struct MoeKernels {
    // out[i] = act(g[i] + gate_bias[i]) * f(u[i] + up_bias[i]) for i < n (vane.h's VANE_ACT_*).
    // Each is x * sigmoid(s) for an s of x (silu: s = g; gelu: s = 2 z, z the tanh argument;
    // swiglu_oai: s = alpha g'), the sigmoid from -|s| so nothing overflows: e = e^-|s| by
    // common/exp_poly.h's polynomial (0 when -|s| < -87 or s is NaN), sigmoid = 1 / (1 + e) for
    // s >= 0 and e / (1 + e) below. The same operations in every variant: bit-identical results.
    // out may be g or u.
    void (*glu)(const Glu &p, const float *g, const float *u, float *out, int64_t n);
};

extern const MoeKernels moe_kernels_ref;
extern const MoeKernels moe_kernels_avx2;
extern const MoeKernels moe_kernels_avx512;
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
