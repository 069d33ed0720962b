// Internal interface of rotary position embedding (vane_rope): one baseline implementation, the
// cost being small next to the attention that follows (one pass over q and k).
#pragma once
#include <stdint.h>

#include "vane.h"

namespace vane {

// The per-call constants of ggml_rope_ext's angles (arguments validated by api/rope_api.cpp).
struct RopeAngles {
    int64_t half;          // rot_dim / 2 pairs
    const float *ff;       // freq factors or null
    float theta_scale;     // powf(base, -2 / rot_dim)
    float freq_scale;      // 1 / linear_scale
    float ext_factor;      // YaRN mix, 0 = none
    float corr_low, corr_high;  // YaRN's correction dims
    float attn_factor;     // before YaRN's magnitude correction (0 in the params means 1)

    explicit RopeAngles(const vane_rope_params &p);

    // cs[2i] = cos, cs[2i + 1] = sin of pair i's angle at position pos, each times mscale.
    void cos_sin(int64_t pos, float *cs) const;
};

// Rotates tokens [t0, t1) of x in place.
void rope_rows(const vane_rope_params &p, float *x, int64_t ld, const int64_t *positions, int64_t t0, int64_t t1);

// Rows [p0, p1) of vane_rope_table's cos/sin table.
void rope_table_rows(const vane_rope_params &p, float *out, int64_t p0, int64_t p1);

}  // namespace vane
