// The scale check of a packed matrix (vane_quant_check): every scale field the format's traits
// name must hold a finite value, so that a hostile or damaged file is refused at load instead of
// giving NaN logits later. Reads only the scale fields (a few bytes per block).
#include <math.h>
#include <stdio.h>

#include "quant/quant.h"
#include "quant/scalar.h"

namespace vane {

namespace {

const char *describe(float v) { return isnan(v) ? "NaN" : "Inf"; }

}  // namespace

bool check_scales(const FormatTraits &f, const void *src_v, int64_t rows, int64_t cols, int64_t r0, int64_t r1, char *why,
                  int why_size) {
    const uint8_t *src = (const uint8_t *)src_v;
    if (f.scale_kind == SCALE_NONE || rows == 0 || cols == 0) return true;
    if (f.planar) {  // the scale array after the codes; tiles of rows r0..r1 (whole tiles when they are cut)
        const int64_t tiles_per_row = f.scale_cols == 0 ? 1 : ceil_div(cols, f.scale_cols);
        const int64_t t0 = r0 / f.scale_rows * tiles_per_row, t1 = ceil_div(r1, f.scale_rows) * tiles_per_row;
        const uint8_t *scales = src + planar_scales_offset(rows, cols);
        for (int64_t t = t0; t < t1; t++) {
            const float v = get_f32(scales + 4 * t);
            if (!isfinite(v)) {
                snprintf(why, (size_t)why_size, "scale %lld (rows from %lld) is %s", (long long)t,
                         (long long)(t / tiles_per_row * f.scale_rows), describe(v));
                return false;
            }
        }
        return true;
    }
    const int64_t nb = cols / f.block_elems;
    for (int64_t r = r0; r < r1; r++) {
        for (int64_t b = 0; b < nb; b++) {
            const uint8_t *blk = src + (r * nb + b) * f.block_bytes;
            for (int s = 0; s < 2 && f.scale_at[s] >= 0; s++) {
                const uint8_t *p = blk + f.scale_at[s];
                float v = 0.0f;
                if (f.scale_kind == SCALE_F16) v = f16_bits_to_f32(get_u16(p));
                else if (f.scale_kind == SCALE_F32) v = get_f32(p);
                else v = *p == 0xff ? __builtin_nanf("") : 1.0f;  // E8M0: 0xFF is the NaN code
                if (!isfinite(v)) {
                    snprintf(why, (size_t)why_size, "row %lld, block %lld (columns %lld..%lld): scale field at byte %d is %s",
                             (long long)r, (long long)b, (long long)(b * f.block_elems), (long long)((b + 1) * f.block_elems - 1),
                             f.scale_at[s], describe(v));
                    return false;
                }
            }
        }
    }
    return true;
}

}  // namespace vane
