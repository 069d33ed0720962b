// Dot products of GGUF's other block formats (q4_1 ... mxfp4 in vane.h) with activations
// quantized as llama.cpp quantizes them for each type (its "vec_dot_type"):
//   q5_0, iq4_nl, mxfp4   -> q8_0 (32 per block: fp16 d, int8 q)
//   q4_1, q5_1            -> q8_1 (32 per block: fp16 d, fp16 s = d * sum(q), int8 q)
//   q2_k ... q6_k, iq4_xs -> q8_K (256 per block: f32 d, int8 q, int16 sums of each 16)
// The activation blocks are bytes for bytes those of ggml's quantize_row_q8_{0,1,K}_ref, except
// that a block holding a NaN or an Inf gets d = NaN (and s = NaN, q = 0), so its row's outputs
// are NaN (as for Vane's other integer formats) instead of garbage.
//
// A dot kernel takes one weight row of nb blocks and the activation row it meets (nb weight
// blocks cover the same columns as the activation blocks it is given) and returns the f32 dot
// product. The reference kernels (gemm/ggml_dot_*_ref.cpp) are the definition of correct: the
// integer part exact, the f32 part in the order ggml's generic vec_dot uses. Each ISA's kernels
// compute the same numbers in another order (tests bound the difference by the f32 rounding of
// the sums).
#pragma once
#include <stdint.h>

#include "quant/quant.h"  // ActFormat
#include "vane.h"

namespace vane {

struct act_q8_0 {
    uint16_t d;  // fp16
    int8_t qs[32];
};
struct act_q8_1 {
    uint16_t d;  // fp16
    uint16_t s;  // fp16 of d * sum(qs)
    int8_t qs[32];
};
struct act_q8_k {
    float d;
    int8_t qs[256];
    int16_t bsums[16];  // sum of each 16 consecutive qs
};
static_assert(sizeof(act_q8_0) == 34, "q8_0 activation block");
static_assert(sizeof(act_q8_1) == 36, "q8_1 activation block");
static_assert(sizeof(act_q8_k) == 292, "q8_K activation block");

// k floats (a multiple of 32, or of 256 for q8_K) -> k / 32 (k / 256) blocks (gemm/ggml_act.cpp,
// baseline code shared by every variant).
void quantize_act_q8_0(const float *x, act_q8_0 *y, int64_t k);
void quantize_act_q8_1(const float *x, act_q8_1 *y, int64_t k);
void quantize_act_q8_k(const float *x, act_q8_k *y, int64_t k);

// One weight row (nb blocks of its format) . its activation row.
typedef float (*DotRowFn)(const void *w, const void *act, int64_t nb);
// One weight row . rows (2 .. kDotRows) activation rows act[0 .. rows): out[r], each the float
// its DotRowFn gives for act[r] (the weights are decoded once for all rows).
constexpr int kDotRows = 4;
typedef void (*DotRowsFn)(const void *w, const void *const *act, int64_t nb, int rows, float *out);

// The kernels of one variant, by VANE_FORMAT_*; nullptr for a format the table does not hold.
// The reference's kernels of the x8 formats (q4_kx8, q6_kx8, iq4_xsx8, iq4_nlx8) are their row
// formats': ggml_gemm hands them the rows copied out; AVX2 has GEMMs of their own
// (gemm/x86_avx2_q4_kx8.cpp, x86_avx2_q6_kx8.cpp, x86_avx2_iq4_xsx8.cpp, x86_avx2_iq4_nlx8.cpp).
DotRowFn dot_row_legacy_ref(int32_t format);   // q4_1, q5_0, q5_1, iq4_nl, mxfp4, iq4_nlx8
DotRowFn dot_row_kquant_ref(int32_t format);   // q2_k ... q6_k, iq4_xs, q4_kx8, q6_kx8, iq4_xsx8
DotRowFn dot_row_legacy_avx2(int32_t format);
DotRowFn dot_row_kquant_avx2(int32_t format);
// AVX-512 (VNNI): gemm/x86_avx512_legacy.cpp, x86_avx512_kquant.cpp; the same formats as AVX2's
// (none of the x8 ones, which have GEMMs of their own), and their DotRowsFn.
DotRowFn dot_row_legacy_avx512(int32_t format);
DotRowFn dot_row_kquant_avx512(int32_t format);
DotRowsFn dot_rows_legacy_avx512(int32_t format);
DotRowsFn dot_rows_kquant_avx512(int32_t format);

}  // namespace vane
