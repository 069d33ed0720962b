// Rotary position embedding: per token, the rot_dim / 2 angles (position / linear_scale) *
// base^(-2i / rot_dim) and their cosines and sines in double (positions reach 10^5 and more,
// where an f32 angle would be off by whole radians' fractions), then each head's pairs rotated
// in f32: (a, b) -> (a cos - b sin, a sin + b cos).
#include <math.h>

#include <vector>

#include "rope/rope.h"

namespace vane {

// 1 / base^(2i / rot_dim), i < rot_dim / 2.
static std::vector<double> inverse_frequencies(const vane_rope_params &p) {
    std::vector<double> f((size_t)(p.rot_dim / 2));
    for (int64_t i = 0; i < p.rot_dim / 2; i++) f[(size_t)i] = pow((double)p.base, -2.0 * (double)i / (double)p.rot_dim);
    return f;
}

void rope_table_rows(const vane_rope_params &p, float *out, int64_t p0, int64_t p1) {
    const int64_t half = p.rot_dim / 2;
    const std::vector<double> inv_freq = inverse_frequencies(p);
    for (int64_t pos = p0; pos < p1; pos++)
        for (int64_t i = 0; i < half; i++) {
            const double angle = (double)pos / (double)p.linear_scale * inv_freq[(size_t)i];
            out[(pos * half + i) * 2] = (float)cos(angle);
            out[(pos * half + i) * 2 + 1] = (float)sin(angle);
        }
}

void rope_rows(const vane_rope_params &p, float *x, int64_t ld, const int64_t *positions, int64_t t0, int64_t t1) {
    const int64_t half = p.rot_dim / 2;
    const std::vector<double> inv_freq = inverse_frequencies(p);
    std::vector<float> cs((size_t)half), sn((size_t)half);
    for (int64_t t = t0; t < t1; t++) {
        const double pos = (double)positions[t] / (double)p.linear_scale;
        for (int64_t i = 0; i < half; i++) {
            const double angle = pos * inv_freq[(size_t)i];
            cs[(size_t)i] = (float)cos(angle);
            sn[(size_t)i] = (float)sin(angle);
        }
        for (int64_t h = 0; h < p.n_heads; h++) {
            float *v = x + t * ld + h * p.head_dim;
            for (int64_t i = 0; i < half; i++) {
                const int64_t ia = p.neox ? i : 2 * i, ib = p.neox ? i + half : 2 * i + 1;
                const float a = v[ia], b = v[ib], c = cs[(size_t)i], s = sn[(size_t)i];
                v[ia] = a * c - b * s;
                v[ib] = a * s + b * c;
            }
        }
    }
}

}  // namespace vane
