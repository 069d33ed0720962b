// Internal interface of the GEMM family: y = x * W^T + bias with W in any weight format.
//
// Integer weight formats (int4_*, int8_*, q4_0, q8_0) quantize the activations first (docs/
// FORMATS.md, "GEMM"): each row of x in blocks of 32 to int8 with d_x = amax / 127, then per
// block an exact int32 dot product of codes and q, scaled in f32. `prepare` does the first part
// once per call, before the split over N; it is one baseline function that every variant's table
// points at, so the prepared activations are the same bytes whatever variant runs.
#pragma once
#include <stdint.h>

#include "core/dispatch.h"
#include "vane.h"

namespace vane {

// The activations as the integer formats see them, inside the call's scratch buffer. Row i of
// x has nbp blocks of 32 (k / 32 rounded up to a multiple of 8; the padding blocks hold q = 0,
// d = 0, qsum = 0, s = 0, so kernels may read whole octets of 8 blocks). The layouts suit the
// SIMD kernels; code reads them through act_q_offset and act_slot.
struct GemmActs {
    // [m][nbp * 32]: q = round-half-even(x / d) clamped to +-127 (0 if d == 0), in one of two
    // layouts (act_q_offset):
    //  - pairs, m <= kGemmPairsMaxM: each pair of blocks (2p, 2p + 1) is 64 bytes: elements
    //    0..15 of 2p, 0..15 of 2p + 1, 16..31 of 2p, 16..31 of 2p + 1 (one vpmaddubsw covers the
    //    same 16 elements of two blocks; the GEMV's reduction leaves an octet in slot order);
    //  - lanes, m > kGemmPairsMaxM: each octet of 8 blocks is 256 bytes, 8 vectors of 32:
    //    vector v holds elements 4v .. 4v + 3 of each of the octet's blocks, 4 bytes per block,
    //    blocks in slot order (each 32-bit lane of a GEMM accumulator sums one block).
    const int8_t *q;
    // [m][nbp], per block, at act_slot(b):
    const float *d;       // d_x = amax / 127 (NaN if the block holds a NaN or an Inf)
    const int32_t *qsum;  // sum of the block's q
    const float *s;       // d * (float)qsum, the block's sum of x-hat = d * q
    int64_t nbp;
    bool lanes;  // q's layout: lanes (m > kGemmPairsMaxM) or pairs
};

// Up to this many rows of x, q is in pairs (the kernels stream the weights once, decoding each
// code in registers for every row of x); above, in lanes (the kernels decode tiles of weights
// into a buffer and run many rows of x against each).
constexpr int64_t kGemmPairsMaxM = 8;

// Index in a row of GemmActs::d / qsum / s of block b: octets of 8 blocks in the slot order
// 0 2 4 6 1 3 5 7.
static inline __attribute__((always_inline)) int64_t act_slot(int64_t b) {
    return (b & ~(int64_t)7) + 4 * (b & 1) + ((b & 7) >> 1);
}
// Byte offset in a row of GemmActs::q of element e (0..31) of block b.
static inline __attribute__((always_inline)) int64_t act_q_offset(int64_t b, int e, bool lanes) {
    if (lanes) return 256 * (b >> 3) + 32 * (e >> 2) + 4 * (act_slot(b) & 7) + (e & 3);
    return 64 * (b >> 1) + 32 * (e >> 4) + 16 * (b & 1) + (e & 15);
}

// One call's operands, validated by the API layer (api/gemm_api.cpp).
struct GemmArgs {
    int32_t format;
    const void *w;  // [n, k] in format's layout
    int64_t n, k;
    const float *x;  // [m, k], row stride ldx
    int64_t ldx, m;
    const float *bias;  // [n] or null
    float *y;           // [m, n], row stride ldy
    int64_t ldy;
    void *scratch;  // scratch_bytes(...) bytes, 64-byte aligned (null when that is 0)
};

struct GemmKernels {
    // Bytes of scratch the call needs (0 for most float cases, which read x as it is; FP8 with
    // M <= 8 scales x, the AVX-512 f32 / f16 / bf16 GEMM packs it).
    int64_t (*scratch_bytes)(int32_t format, int64_t m, int64_t k);
    // Prepares rows [m0, m1) of x into a.scratch (a step that packs rows in groups may own the
    // groups that start in [m0, m1) and read x past m1). Chunks of one call may run
    // concurrently; all of them finish before the first `gemm` chunk starts.
    void (*prepare)(const GemmArgs &a, int64_t m0, int64_t m1);
    // Output columns [n0, n1) (rows n0..n1 of W) for all m rows of x. Chunks of one call run
    // concurrently on the thread pool and write disjoint columns of y.
    void (*gemm)(const GemmArgs &a, int64_t n0, int64_t n1);
};

// Whether the format quantizes the activations (the integer weight formats, in either scheme).
bool gemm_quantizes_acts(int32_t format);

// The shared prepare step (gemm/prepare.cpp, baseline code; both variants' tables use it).
int64_t gemm_scratch_bytes(int32_t format, int64_t m, int64_t k);
void gemm_prepare(const GemmArgs &a, int64_t m0, int64_t m1);
// Where the prepared activations of an [m, k] x lie in a scratch buffer.
GemmActs gemm_acts(const void *scratch, int64_t m, int64_t k);

// GGUF's other formats (q4_1 ... mxfp4; gemm/ggml_gemm.cpp): x quantized per row into the
// activation blocks llama.cpp pairs with the type (gemm/ggml_dot.h), then one dot kernel call per
// (weight row, x row), the kernel being the variant's; with rows (a DotRowsFn, or nullptr), one
// call per weight row and up to kDotRows x rows (any M > 1). Scratch: m rows of ggml_act_row_bytes.
bool ggml_act_format(int32_t format);
int64_t ggml_act_row_bytes(int32_t format, int64_t k);
void ggml_prepare(const GemmArgs &a, int64_t m0, int64_t m1);
void ggml_gemm(const GemmArgs &a, int64_t n0, int64_t n1, float (*dot)(const void *w, const void *act, int64_t nb),
               void (*rows)(const void *w, const void *const *act, int64_t nb, int rows, float *out) = nullptr);

// Runs y = x * W^T + bias on operands the caller has validated (api/gemm_api.cpp's checks),
// on the active variant and the thread pool: VANE_OK, or VANE_E_OUT_OF_MEMORY (message set)
// if the scratch for x cannot be had. a.scratch is ignored (the calling thread's is used).
vane_status gemm_run(GemmArgs a);

extern const GemmKernels gemm_kernels_ref;
extern const GemmKernels gemm_kernels_avx2;
extern const GemmKernels gemm_kernels_avx512;
// The family's variants by VANE_ISA_* (defined beside the reference kernels).
extern const Variants<GemmKernels> gemm_variants;

}  // namespace vane
