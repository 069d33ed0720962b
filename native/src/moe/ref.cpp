// Scalar reference of the SwiGLU activation, out = g * sigmoid(g) * u, computed so that nothing
// overflows for any g: a = -|g|, e = e^a (0 when a < -87, where the true silu is below 1e-36 in
// magnitude, or when g is NaN), sigmoid(g) = 1 / (1 + e) for g >= 0 and e / (1 + e) below.
// e^a, a in [-87, 0], is a fixed polynomial rather than libm's expf so that the SIMD variants can
// compute the very same operations and agree bit for bit: n = round-to-even(a * log2 e) (by
// adding and subtracting 1.5 * 2^23), r = (a - n * C1) - n * C2 with C1 + C2 = ln 2 split so
// n * C1 is exact, e^r by a degree-6 polynomial (Cephes' expf coefficients; about 1 ulp), times
// 2^n built from its exponent bits. A NaN g gives NaN (the final multiply by g).
// -ffp-contract=off (the build's flag) keeps every multiply and add separate, as in the SIMD
// variant.
#include <stdint.h>
#include <string.h>

#include "moe/moe.h"

namespace vane {

namespace {

// e^a for a in [-87, 0].
float exp_poly(float a) {
    const float magic = 12582912.0f;  // 1.5 * 2^23
    const float n = (a * 1.44269504088896341f + magic) - magic;
    const float r = (a - n * 0.693359375f) - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r;
    p = p + 1.0f;
    const int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, 4);
    return p * scale;
}

void swiglu_ref(const float *g, const float *u, float *out, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        const float gi = g[i];
        const float a = -__builtin_fabsf(gi);
        const float e = (a >= -87.0f) ? exp_poly(a) : 0.0f;  // NaN: 0
        const float num = (gi >= 0.0f) ? 1.0f : e;
        out[i] = (gi * (num / (1.0f + e))) * u[i];
    }
}

}  // namespace

const MoeKernels moe_kernels_ref = {swiglu_ref};

}  // namespace vane
