// Row normalization (RMSNorm) and elementwise helpers of the model runtime.
#pragma once
#include <stdint.h>

namespace vane {

// y[r] = x[r] / sqrt(mean(x[r]^2) + eps) * weight for rows r0 .. r1 - 1; the sum of squares in
// double (as llama.cpp's ggml_rms_norm), the scaling in f32. y may be x.
void rms_norm_rows(const float *x, int64_t ldx, int64_t dim, const float *weight, float eps, float *y, int64_t ldy, int64_t r0,
                   int64_t r1);

}  // namespace vane
