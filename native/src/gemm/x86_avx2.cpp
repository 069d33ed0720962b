// The AVX2 + FMA + F16C variant's table of the GEMM family: the integer formats' kernels
// (x86_avx2_int.cpp) run on the shared prepare step (prepare.cpp), the float formats'
// (x86_avx2_float.cpp) on their own, GGUF's other formats through ggml_gemm with this variant's
// dot kernels (x86_avx2_legacy.cpp, x86_avx2_kquant.cpp), but for the x8 formats, which have
// their own (x86_avx2_q4_kx8.cpp, x86_avx2_q6_kx8.cpp, x86_avx2_iq4_xsx8.cpp, x86_avx2_iq4_nlx8.cpp).
#include "gemm/ggml_dot.h"
#include "gemm/x86_avx2.h"
#include "vane.h"

namespace vane {

namespace {

int64_t scratch_bytes_avx2(int32_t format, int64_t m, int64_t k) {
    return gemm_quantizes_acts(format) ? gemm_scratch_bytes(format, m, k) : gemm_float_scratch_bytes_avx2(format, m, k);
}

void prepare_avx2(const GemmArgs &a, int64_t m0, int64_t m1) {
    if (gemm_quantizes_acts(a.format)) return gemm_prepare(a, m0, m1);
    gemm_float_prepare_avx2(a, m0, m1);
}

void gemm_avx2(const GemmArgs &a, int64_t n0, int64_t n1) {
    // k = 0: y = bias, and w may be null (the kernels would read FP8 scales from it).
    if (a.k == 0) return gemm_kernels_ref.gemm(a, n0, n1);
    if (ggml_act_format(a.format)) {
        if (a.format == VANE_FORMAT_Q4_K_X8) return gemm_q4_kx8_avx2(a, n0, n1);
        if (a.format == VANE_FORMAT_Q6_K_X8) return gemm_q6_kx8_avx2(a, n0, n1);
        if (a.format == VANE_FORMAT_IQ4_XS_X8) return gemm_iq4_xsx8_avx2(a, n0, n1);
        if (a.format == VANE_FORMAT_IQ4_NL_X8) return gemm_iq4_nlx8_avx2(a, n0, n1);
        DotRowFn dot = dot_row_legacy_avx2(a.format);
        return ggml_gemm(a, n0, n1, dot ? dot : dot_row_kquant_avx2(a.format));
    }
    if (gemm_quantizes_acts(a.format)) return gemm_int_avx2(a, n0, n1);
    gemm_float_avx2(a, n0, n1);
}

}  // namespace

const GemmKernels gemm_kernels_avx2 = {scratch_bytes_avx2, prepare_avx2, gemm_avx2};

}  // namespace vane
