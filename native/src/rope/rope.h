// Internal interface of rotary position embedding (vane_rope): one baseline implementation, the
// cost being small next to the attention that follows (one pass over q and k).
#pragma once
#include <stdint.h>

#include "vane.h"

namespace vane {

// Rotates tokens [t0, t1) of x in place (arguments validated by api/rope_api.cpp).
void rope_rows(const vane_rope_params &p, float *x, int64_t ld, const int64_t *positions, int64_t t0, int64_t t1);

// Rows [p0, p1) of vane_rope_table's cos/sin table.
void rope_table_rows(const vane_rope_params &p, float *out, int64_t p0, int64_t p1);

}  // namespace vane
