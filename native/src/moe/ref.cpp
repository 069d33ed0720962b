// Scalar reference of the SwiGLU activation, out = g * sigmoid(g) * u, computed so that nothing
// overflows for any g: a = -|g|, e = e^a (0 when a < -87, where the true silu is below 1e-36 in
// magnitude, or when g is NaN), sigmoid(g) = 1 / (1 + e) for g >= 0 and e / (1 + e) below.
// e^a is common/exp_poly.h's polynomial, which the SIMD variants compute with the very same
// operations (bit-identical results). A NaN g gives NaN (the final multiply by g).
#include <stdint.h>
#include <string.h>

#include "common/exp_poly.h"
#include "moe/moe.h"

namespace vane {

namespace {

void swiglu_ref(const float *g, const float *u, float *out, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        const float gi = g[i];
        const float a = -__builtin_fabsf(gi);
        const float e = exp_poly_or_zero(a);  // NaN: 0
        const float num = (gi >= 0.0f) ? 1.0f : e;
        out[i] = (gi * (num / (1.0f + e))) * u[i];
    }
}

}  // namespace

const MoeKernels moe_kernels_ref = {swiglu_ref};

const Variants<MoeKernels> moe_variants = {{&moe_kernels_ref, &moe_kernels_avx2}};

}  // namespace vane
