// Scalar reference of the gated activations (moe.h's Glu; vane.h's VANE_ACT_*). Each is
// x * sigmoid(s), computed so that nothing overflows for any input: a = -|s|, e = e^a (0 when
// a < -87, where the true sigmoid of a negative s is below 1.7e-38, or when s is NaN),
// sigmoid(s) = 1 / (1 + e) for s >= 0 and e / (1 + e) below. e^a is common/exp_poly.h's
// polynomial, which the SIMD variants compute with the very same operations (bit-identical
// results). A NaN g or u gives NaN (the final multiplies), as do g = -Inf (-Inf * 0) and, for
// GELU and SILU, u = +-Inf with g = 0.
//
//  SILU        s = g: out = (g * sigmoid(g)) * u.
//  GELU        the tanh form 0.5 g (1 + tanh z), z = sqrt(2/pi) g (1 + 0.044715 g^2), is exactly
//              g * sigmoid(2 z); z in ggml_gelu_f32's f32 operations, (c * g) * (1 + (a * g) * g),
//              then out = (g * sigmoid(z + z)) * u. The sigmoid form keeps its relative accuracy
//              where 1 + tanh z cancels: ggml_gelu_f32's 1 + tanhf(z) loses up to 2^-24 absolute
//              for z < 0 (5e-4 relative at g = -4, and it is 0 from g = -5.16 down, where gelu is
//              still -7.7e-8). llama.cpp's CPU GELU does not call ggml_gelu_f32 per element
//              either: with GGML_GELU_FP16 (vec.h, on by default) it rounds g to f16, reads gelu
//              from a 64K-entry f16 table of ggml_gelu_f32 and multiplies that by u (g <= -10
//              gives 0, g >= 10 gives g * u). Rounding twice at 2^-11, its GeGLU output is within
//              |u| (2^-9 |g| + 2^-24) of this one (measured up to 1.2e-3 |g u|; test_ffn_act).
//  SWIGLU_OAI  ggml_swiglu_oai: g' = min(g, limit), u' = clamp(u, -limit, limit) (NaN stays
//              NaN, as std::min and std::clamp do), s = alpha g', out = (g' * sigmoid(s)) * (u' + 1).
#include <stdint.h>
#include <string.h>

#include "common/exp_poly.h"
#include "moe/moe.h"

namespace vane {

namespace {

// ggml's GELU constants (vec.h): sqrt(2/pi) and the cubic coefficient, as f32.
constexpr float kGeluC = 0.79788456080286535587989211986876f;
constexpr float kGeluA = 0.044715f;

inline float sigmoid_ref(float s) {
    const float a = -__builtin_fabsf(s);
    const float e = exp_poly_or_zero(a);  // NaN: 0
    const float num = (s >= 0.0f) ? 1.0f : e;
    return num / (1.0f + e);
}

template <int Act>
void glu_ref_loop(const Glu &p, const float *g, const float *u, float *out, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        float gi = g[i], ui = u[i];
        if (p.gate_bias) gi = gi + p.gate_bias[i];
        if (p.up_bias) ui = ui + p.up_bias[i];
        if (Act == VANE_ACT_SILU) {
            out[i] = (gi * sigmoid_ref(gi)) * ui;
        } else if (Act == VANE_ACT_GELU) {
            const float z = (kGeluC * gi) * (1.0f + (kGeluA * gi) * gi);
            out[i] = (gi * sigmoid_ref(z + z)) * ui;
        } else {
            const float lim = p.limit;
            const float gc = (lim < gi) ? lim : gi;                               // std::min(g, limit)
            const float ul = (ui < -lim) ? -lim : ui, uc = (lim < ul) ? lim : ul;  // std::clamp(u, -limit, limit)
            out[i] = (gc * sigmoid_ref(p.alpha * gc)) * (uc + 1.0f);
        }
    }
}

void glu_ref(const Glu &p, const float *g, const float *u, float *out, int64_t n) {
    switch (p.activation) {
        case VANE_ACT_GELU: glu_ref_loop<VANE_ACT_GELU>(p, g, u, out, n); break;
        case VANE_ACT_SWIGLU_OAI: glu_ref_loop<VANE_ACT_SWIGLU_OAI>(p, g, u, out, n); break;
        default: glu_ref_loop<VANE_ACT_SILU>(p, g, u, out, n); break;
    }
}

}  // namespace

const MoeKernels moe_kernels_ref = {glu_ref};

const Variants<MoeKernels> moe_variants = {{&moe_kernels_ref, &moe_kernels_avx2, &moe_kernels_avx512}};

}  // namespace vane
