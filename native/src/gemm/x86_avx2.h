// The parts of the AVX2 GEMM variant, one unit per family of weight formats; x86_avx2.cpp puts
// them in the variant's table. Declared for those units alone (all are AVX2 code).
#pragma once
#include <stdint.h>

#include "gemm/gemm.h"

namespace vane {

// gemm/x86_avx2_int.cpp: int4_*, int8_*, q4_0, q8_0 on the shared prepare step's activations.
void gemm_int_avx2(const GemmArgs &a, int64_t n0, int64_t n1);

// gemm/x86_avx2_float.cpp: f32, f16, bf16, FP8 E4M3. FP8 with M <= kGemmPairsMaxM has a prepare
// step of its own (x scaled by a power of two); the others need no scratch.
int64_t gemm_float_scratch_bytes_avx2(int32_t format, int64_t m, int64_t k);
void gemm_float_prepare_avx2(const GemmArgs &a, int64_t m0, int64_t m1);
void gemm_float_avx2(const GemmArgs &a, int64_t n0, int64_t n1);

// gemm/x86_avx2_q4_kx8.cpp: q4_kx8 on ggml_prepare's q8_K activations.
void gemm_q4_kx8_avx2(const GemmArgs &a, int64_t n0, int64_t n1);
// gemm/x86_avx2_q6_kx8.cpp: q6_kx8 on ggml_prepare's q8_K activations.
void gemm_q6_kx8_avx2(const GemmArgs &a, int64_t n0, int64_t n1);
// gemm/x86_avx2_iq4_xsx8.cpp: iq4_xsx8 on ggml_prepare's q8_K activations.
void gemm_iq4_xsx8_avx2(const GemmArgs &a, int64_t n0, int64_t n1);
// gemm/x86_avx2_iq4_nlx8.cpp: iq4_nlx8 on ggml_prepare's q8_0 activations.
void gemm_iq4_nlx8_avx2(const GemmArgs &a, int64_t n0, int64_t n1);

}  // namespace vane
