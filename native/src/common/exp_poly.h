// e^a for a in [-87, 0] as a fixed polynomial, the same operations in scalar and AVX2 code so
// that variants agree bit for bit (softmax and SiLU use it; both only ever need a <= 0):
// n = round-to-even(a * log2 e) (by adding and subtracting 1.5 * 2^23), r = (a - n * C1) - n * C2
// with C1 + C2 = ln 2 split so that n * C1 is exact, e^r by a degree-6 polynomial (Cephes'
// expf coefficients; about 1 ulp), times 2^n built from its exponent bits. Callers map a < -87
// (and NaN) to 0 themselves. -ffp-contract=off (the build's flag) keeps every multiply and add
// separate, as the AVX2 version writes them.
//
// Included by baseline and AVX2 units alike, so everything is static inline and always inlined
// (see quant/scalar.h for why).
#pragma once
#include <stdint.h>
#include <string.h>

namespace vane {

static inline __attribute__((always_inline)) float exp_poly(float a) {
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

// e^a, or 0 when a < -87 or a is NaN.
static inline __attribute__((always_inline)) float exp_poly_or_zero(float a) { return (a >= -87.0f) ? exp_poly(a) : 0.0f; }

}  // namespace vane
