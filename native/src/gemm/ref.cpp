// Plain reference GEMM: each weight row is dequantized (quant's reference decoder) and dotted
// with every row of x, accumulating in f32 in index order. The definition of correct for the
// fast variants, which the tests hold to a float64 reference within stated tolerances.
#include <vector>

#include "gemm/gemm.h"
#include "quant/quant.h"

namespace vane {

namespace {

void gemm_ref(const GemmArgs &a, int64_t n0, int64_t n1) {
    thread_local std::vector<float> row;  // one dequantized weight row, reused across calls
    row.resize(static_cast<size_t>(a.k));
    for (int64_t j = n0; j < n1; j++) {
        dequantize_row_ref(a.format, a.w, a.n, a.k, j, row.data());
        const float b = a.bias ? a.bias[j] : 0.0f;
        for (int64_t i = 0; i < a.m; i++) {
            const float *x = a.x + i * a.ldx;
            float acc = 0.0f;
            for (int64_t c = 0; c < a.k; c++) acc += x[c] * row[c];
            a.y[i * a.ldy + j] = acc + b;
        }
    }
}

}  // namespace

const GemmKernels gemm_kernels_ref = {gemm_ref};

}  // namespace vane
