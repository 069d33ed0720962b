// Reference codecs of Vane's own block formats and of GGUF's Q4_0 / Q8_0 (quant/vane_blocks.cpp):
// G floats <-> one block. The int4 and int8 families take their group size G (32, 64, 128).
#pragma once
#include <stdint.h>

namespace vane {

int32_t quant_int4_sym(const float *x, int g, uint8_t *blk);    // {fp16 d; qs[G/2]}
void dequant_int4_sym(const uint8_t *blk, int g, float *y);     // also q4_0 (same layout and formula)
int32_t quant_int4_asym(const float *x, int g, uint8_t *blk);   // {fp16 d; fp16 m; qs[G/2]}
void dequant_int4_asym(const uint8_t *blk, int g, float *y);
int32_t quant_int8(const float *x, int g, uint8_t *blk);        // {f32 d; int8 qs[G]}
void dequant_int8(const uint8_t *blk, int g, float *y);
int32_t quant_q4_0(const float *x, uint8_t *blk);               // as llama.cpp's quantize_row_q4_0_ref
int32_t quant_q8_0(const float *x, uint8_t *blk);               // as llama.cpp's quantize_row_q8_0_ref
void dequant_q8_0(const uint8_t *blk, float *y);

}  // namespace vane
