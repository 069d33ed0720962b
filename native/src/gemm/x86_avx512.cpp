// The AVX-512 variant's table of the GEMM family: on vpdpbusd the integer formats' GEMM (M > 8)
// and q4_0x8 with M >= 3 (x86_avx512_int.cpp), q4_kx8, q6_kx8, iq4_xsx8 and iq4_nlx8 with
// M >= 4 (x86_avx512_q4_kx8.cpp, _q6_kx8.cpp, _iq4_xsx8.cpp, _iq4_nlx8.cpp); GGUF's other block
// formats through ggml_gemm on this variant's dot kernels (x86_avx512_legacy.cpp, _kquant.cpp,
// with kernels of 2 to 4 rows of x); f32 / f16 / bf16
// with M > 8 (x86_avx512_float.cpp); every other case runs the AVX2 variant's kernels, which
// this CPU has too, on the same prepare step.
#include "gemm/ggml_dot.h"
#include "gemm/x86_avx512.h"
#include "vane.h"

namespace vane {

namespace {

int64_t scratch_bytes_avx512(int32_t format, int64_t m, int64_t k) {
    if (gemm_float_avx512_handles(format, m, k)) return gemm_float_scratch_bytes_avx512(format, m, k);
    if (gemm_quantizes_acts(format) && !ggml_act_format(format)) return gemm_int_avx512_scratch_bytes(format, m, k);
    return gemm_kernels_avx2.scratch_bytes(format, m, k);
}

void prepare_avx512(const GemmArgs &a, int64_t m0, int64_t m1) {
    if (gemm_float_avx512_handles(a.format, a.m, a.k)) return gemm_float_prepare_avx512(a, m0, m1);
    if (gemm_quantizes_acts(a.format) && !ggml_act_format(a.format)) return gemm_int_avx512_prepare(a, m0, m1);
    gemm_kernels_avx2.prepare(a, m0, m1);
}

void gemm_avx512(const GemmArgs &a, int64_t n0, int64_t n1) {
    // k = 0: y = bias, and w may be null.
    if (a.k > 0 && a.format == VANE_FORMAT_Q4_K_X8) return gemm_q4_kx8_avx512(a, n0, n1);
    if (a.k > 0 && a.format == VANE_FORMAT_Q6_K_X8) return gemm_q6_kx8_avx512(a, n0, n1);
    if (a.k > 0 && a.format == VANE_FORMAT_IQ4_NL_X8) return gemm_iq4_nlx8_avx512(a, n0, n1);
    if (a.k > 0 && a.format == VANE_FORMAT_IQ4_XS_X8) return gemm_iq4_xsx8_avx512(a, n0, n1);
    if (a.k > 0 && ggml_act_format(a.format)) {
        if (DotRowFn dot = dot_row_legacy_avx512(a.format)) return ggml_gemm(a, n0, n1, dot, dot_rows_legacy_avx512(a.format));
        if (DotRowFn dot = dot_row_kquant_avx512(a.format)) return ggml_gemm(a, n0, n1, dot, dot_rows_kquant_avx512(a.format));
    }
    if (gemm_float_avx512_handles(a.format, a.m, a.k)) return gemm_float_avx512(a, n0, n1);
    if (a.k > 0 && !ggml_act_format(a.format) && gemm_quantizes_acts(a.format)) return gemm_int_avx512(a, n0, n1);
    gemm_kernels_avx2.gemm(a, n0, n1);
}

}  // namespace

const GemmKernels gemm_kernels_avx512 = {scratch_bytes_avx512, prepare_avx512, gemm_avx512};

}  // namespace vane
