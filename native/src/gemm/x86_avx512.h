// The parts of the AVX-512 GEMM variant (F, BW, VL, DQ, VNNI); x86_avx512.cpp puts them in the
// variant's table, beside the AVX2 kernels of the formats that have no AVX-512 kernel yet.
// Declared for those units alone (all are AVX-512 code).
#pragma once
#include <stdint.h>

#include "gemm/gemm.h"

namespace vane {

// gemm/x86_avx512_int.cpp: int4_*, int8_*, q4_0, q8_0, q4_0x8 with M > kGemmPairsMaxM (x in
// lanes), and q4_0x8 with M = 3..16, on vpdpbusd; the rest goes to gemm_int_avx2.
void gemm_int_avx512(const GemmArgs &a, int64_t n0, int64_t n1);
// Its scratch and prepare step: the shared ones (prepare.cpp's layout, gemm_prepare_avx512's
// code), and for q4_0x8 with M >= 3 x copied once more past them, in the order the small-batch
// kernel reads it.
int64_t gemm_int_avx512_scratch_bytes(int32_t format, int64_t m, int64_t k);
void gemm_int_avx512_prepare(const GemmArgs &a, int64_t m0, int64_t m1);

// gemm/x86_avx512_prepare.cpp: gemm_prepare for the formats with gemm.h's activation layout
// (not the ggml ones), byte for byte, 16 floats at a time.
void gemm_prepare_avx512(const GemmArgs &a, int64_t m0, int64_t m1);

// gemm/x86_avx512_q4_kx8.cpp: q4_kx8 with M >= kQ4kx8Avx512MinM on vpdpbusd; smaller M goes to
// gemm_q4_kx8_avx2.
constexpr int64_t kQ4kx8Avx512MinM = 4;
void gemm_q4_kx8_avx512(const GemmArgs &a, int64_t n0, int64_t n1);

// gemm/x86_avx512_iq4_xsx8.cpp: iq4_xsx8 with M >= kIq4xsx8Avx512MinM; smaller M goes to
// gemm_iq4_xsx8_avx2.
constexpr int64_t kIq4xsx8Avx512MinM = 4;
void gemm_iq4_xsx8_avx512(const GemmArgs &a, int64_t n0, int64_t n1);

// gemm/x86_avx512_iq4_nlx8.cpp: iq4_nlx8 with M >= kIq4nlx8Avx512MinM; smaller M goes to
// gemm_iq4_nlx8_avx2.
constexpr int64_t kIq4nlx8Avx512MinM = 4;
void gemm_iq4_nlx8_avx512(const GemmArgs &a, int64_t n0, int64_t n1);

// gemm/x86_avx512_q6_kx8.cpp: q6_kx8 with M >= kQ6kx8Avx512MinM; smaller M goes to
// gemm_q6_kx8_avx2.
constexpr int64_t kQ6kx8Avx512MinM = 4;
void gemm_q6_kx8_avx512(const GemmArgs &a, int64_t n0, int64_t n1);

// gemm/x86_avx512_float.cpp: f32, f16, bf16 with M > kGemmPairsMaxM, k > 0 and m * k <=
// kFloatAvx512MaxMK (what gemm_float_avx512_handles accepts), on x packed by its own prepare step
// into a scratch as large as x (hence the cap: above it, 64 MB of scratch, the AVX2 kernel reads x
// as it is); the other float cases go to the AVX2 kernels.
constexpr int64_t kFloatAvx512MaxMK = int64_t(1) << 24;
bool gemm_float_avx512_handles(int32_t format, int64_t m, int64_t k);
int64_t gemm_float_scratch_bytes_avx512(int32_t format, int64_t m, int64_t k);
void gemm_float_prepare_avx512(const GemmArgs &a, int64_t m0, int64_t m1);
void gemm_float_avx512(const GemmArgs &a, int64_t n0, int64_t n1);

}  // namespace vane
