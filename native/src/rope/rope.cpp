// Rotary position embedding with the float operations of ggml's CPU rope (ggml_rope_ext): the
// angles formed in f32 by repeated multiplication, YaRN's ramp between interpolated and
// extrapolated angles, cosf / sinf scaled by mscale, then each head's pairs rotated in f32:
// (a, b) -> (a cos - b sin, a sin + b cos). The order of every operation is ggml's, so that the
// results agree bit for bit (the build has no fused multiply-add: -ffp-contract=off).
#include <math.h>

#include <algorithm>
#include <vector>

#include "rope/rope.h"

namespace vane {

namespace {

// The pair index (a fractional one) whose wavelength turns n_rot times over n_ctx_orig positions:
// rot_dim * ln(n_ctx_orig / (n_rot 2 pi)) / (2 ln base), in f32 as ggml forms it.
float yarn_corr_dim(int64_t rot_dim, int64_t n_ctx_orig, float n_rot, float base) {
    const float pi = (float)M_PI;
    return (float)rot_dim * logf((float)n_ctx_orig / (n_rot * 2.0f * pi)) / (2.0f * logf(base));
}

// 1 for pairs below low (extrapolated), 0 above high (interpolated), linear between.
float yarn_ramp(float low, float high, int64_t pair) {
    const float y = ((float)pair - low) / std::max(0.001f, high - low);
    return 1.0f - std::min(1.0f, std::max(0.0f, y));
}

}  // namespace

RopeAngles::RopeAngles(const vane_rope_params &p)
    : half(p.rot_dim / 2),
      ff(p.freq_factors),
      theta_scale(p.rot_dim > 0 ? powf(p.base, -2.0f / (float)p.rot_dim) : 1.0f),
      freq_scale(1.0f / p.linear_scale),
      ext_factor(p.ext_factor),
      corr_low(0.0f),
      corr_high(0.0f),
      attn_factor(p.attn_factor == 0.0f ? 1.0f : p.attn_factor) {
    if (ext_factor != 0.0f) {
        const float start = floorf(yarn_corr_dim(p.rot_dim, p.n_ctx_orig, p.beta_fast, p.base));
        const float end = ceilf(yarn_corr_dim(p.rot_dim, p.n_ctx_orig, p.beta_slow, p.base));
        corr_low = std::max(0.0f, start);
        corr_high = std::min((float)(p.rot_dim - 1), end);
    }
}

void RopeAngles::cos_sin(int64_t pos, float *cs) const {
    float mscale = attn_factor;
    if (ext_factor != 0.0f) mscale *= 1.0f + 0.1f * logf(1.0f / freq_scale);
    float theta = (float)pos;  // times theta_scale once per pair: p * base^(-2i / rot_dim)
    for (int64_t i = 0; i < half; i++, theta *= theta_scale) {
        const float extrap = theta / (ff ? ff[i] : 1.0f);
        const float interp = freq_scale * extrap;
        float angle = interp;
        if (ext_factor != 0.0f) {
            const float mix = yarn_ramp(corr_low, corr_high, i) * ext_factor;
            angle = interp * (1.0f - mix) + extrap * mix;
        }
        cs[2 * i] = cosf(angle) * mscale;
        cs[2 * i + 1] = sinf(angle) * mscale;
    }
}

void rope_table_rows(const vane_rope_params &p, float *out, int64_t p0, int64_t p1) {
    const RopeAngles angles(p);
    for (int64_t pos = p0; pos < p1; pos++) angles.cos_sin(pos, out + pos * angles.half * 2);
}

void rope_rows(const vane_rope_params &p, float *x, int64_t ld, const int64_t *positions, int64_t t0, int64_t t1) {
    const RopeAngles angles(p);
    const int64_t half = angles.half;
    std::vector<float> cs((size_t)(2 * half));
    for (int64_t t = t0; t < t1; t++) {
        angles.cos_sin(positions[t], cs.data());
        for (int64_t h = 0; h < p.n_heads; h++) {
            float *v = x + t * ld + h * p.head_dim;
            for (int64_t i = 0; i < half; i++) {
                const int64_t ia = p.neox ? i : 2 * i, ib = p.neox ? i + half : 2 * i + 1;
                const float a = v[ia], b = v[ib], c = cs[(size_t)(2 * i)], s = cs[(size_t)(2 * i + 1)];
                v[ia] = a * c - b * s;
                v[ib] = a * s + b * c;
            }
        }
    }
}

}  // namespace vane
