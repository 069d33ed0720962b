// RMSNorm, one plain loop per row: the work is a few FLOPs per element, far below the GEMMs
// around it, so the compiler's baseline vectorization is enough and this is its only variant.
#include <math.h>

#include "norm/norm.h"

namespace vane {

void rms_norm_rows(const float *x, int64_t ldx, int64_t dim, const float *weight, float eps, float *y, int64_t ldy, int64_t r0,
                   int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
        const float *xr = x + r * ldx;
        float *yr = y + r * ldy;
        double sum = 0.0;
        for (int64_t i = 0; i < dim; i++) sum += (double)(xr[i] * xr[i]);
        const float mean = (float)(sum / (double)dim);
        const float scale = 1.0f / sqrtf(mean + eps);
        for (int64_t i = 0; i < dim; i++) yr[i] = (xr[i] * scale) * weight[i];
    }
}

}  // namespace vane
