// The reference (scalar, baseline) quantizers and dequantizers of GGUF's other block formats,
// one block at a time, byte for byte as ggml's own reference code (quantize_row_*_ref and
// dequantize_row_*, without an importance matrix): llama.cpp writes a file's tensors with them.
//
// quantize_*: one block of the format's block_elems finite floats -> the block's bytes. Returns
// QUANT_OK, or QUANT_SCALE_RANGE when a scale overflows its fp16 field (ggml would store Inf).
// dequantize_*: the block's bytes -> block_elems floats, exactly as ggml's dequantize_row_*
// (the same f32 operations in the same order; no fma: the build uses -ffp-contract=off).
// Blocks never depend on their neighbours, so rows and matrices are loops over these.
#pragma once
#include <stdint.h>

#include "vane.h"

namespace vane {

// Legacy 32-element formats (quant/legacy_blocks.cpp).
int32_t quantize_q4_1(const float *x, uint8_t *blk);
int32_t quantize_q5_0(const float *x, uint8_t *blk);
int32_t quantize_q5_1(const float *x, uint8_t *blk);
void dequantize_q4_1(const uint8_t *blk, float *y);
void dequantize_q5_0(const uint8_t *blk, float *y);
void dequantize_q5_1(const uint8_t *blk, float *y);

// K-quants, super-blocks of 256 (quant/kquant_blocks.cpp).
int32_t quantize_q2_k(const float *x, uint8_t *blk);
int32_t quantize_q3_k(const float *x, uint8_t *blk);
int32_t quantize_q4_k(const float *x, uint8_t *blk);
int32_t quantize_q5_k(const float *x, uint8_t *blk);
int32_t quantize_q6_k(const float *x, uint8_t *blk);
void dequantize_q2_k(const uint8_t *blk, float *y);
void dequantize_q3_k(const uint8_t *blk, float *y);
void dequantize_q4_k(const uint8_t *blk, float *y);
void dequantize_q5_k(const uint8_t *blk, float *y);
void dequantize_q6_k(const uint8_t *blk, float *y);

// Non-linear 4-bit formats (quant/iq4_blocks.cpp): IQ4_NL (32) and IQ4_XS (256).
int32_t quantize_iq4_nl(const float *x, uint8_t *blk);
int32_t quantize_iq4_xs(const float *x, uint8_t *blk);
void dequantize_iq4_nl(const uint8_t *blk, float *y);
void dequantize_iq4_xs(const uint8_t *blk, float *y);
// The 16 IQ4 code values (ggml's kvalues_iq4nl), shared by the GEMM kernels.
extern const int8_t kIq4Values[16];

// MXFP4 (quant/mxfp4_blocks.cpp): E2M1 codes with an E8M0 scale per 32.
int32_t quantize_mxfp4(const float *x, uint8_t *blk);
void dequantize_mxfp4(const uint8_t *blk, float *y);
// The 16 E2M1 values doubled (ggml's kvalues_mxfp4: 0, 1, 2, 3, 4, 6, 8, 12 and negatives),
// and the f32 factor of an E8M0 exponent byte that goes with the doubled values (2^(e - 128);
// e = 0 gives 2^-128, e = 255 is NaN in OCP MX but ggml reads it as 2^127: see FORMATS.md).
extern const int8_t kMxfp4Values[16];
float mxfp4_half_scale(uint8_t e);

}  // namespace vane
