// Internal interface of the number-format family: the traits table of every format and the kernel
// table that each instruction-set variant (ref.cpp, x86_avx2.cpp, x86_avx512.cpp) fills in.
#pragma once
#include <stdint.h>

#include "core/dispatch.h"
#include "vane.h"

namespace vane {

// How a weight format's GEMM sees the activations x (the integer formats quantize each row first).
enum ActFormat : int32_t {
    ACT_NONE = 0,  // float formats: x as it is
    ACT_VANE = 1,  // Vane's 32-blocks (gemm/prepare.cpp): int4_*, int8_*, q4_0, q8_0, q4_0x8
    ACT_Q8_0 = 2,  // ggml's activation blocks, as llama.cpp pairs them with each GGUF type
    ACT_Q8_1 = 3,  // (gemm/ggml_dot.h)
    ACT_Q8_K = 4
};

// The type of a format's scale fields (vane_quant_check reads them).
enum ScaleKind : int32_t {
    SCALE_NONE = 0,  // unscaled formats, and the x8 formats (made from checked q4_0 / q4_k / q6_k / iq4_xs only)
    SCALE_F16 = 1,   // fp16 fields in each block (d, and m / dmin where the format has one)
    SCALE_F32 = 2,   // f32: in each block (int8_g*) or, planar, the scale array after the codes
    SCALE_E8M0 = 3   // a power-of-two exponent byte per block (mxfp4); 0xFF is NaN
};

// A format's reference block codecs: one block of block_elems floats <-> block_bytes bytes.
// quantize returns a QuantResult (its input is finite: callers check first).
typedef int32_t (*QuantizeBlockFn)(const float *x, uint8_t *blk);
typedef void (*DequantizeBlockFn)(const uint8_t *blk, float *y);

// Everything Vane knows of one weight format: the single source of truth for its sizes, layout,
// activation format and reference codecs (quant/formats.cpp holds the table). Each kernel family
// finds the format's kernels for the active instruction set by its id.
struct FormatTraits {
    int32_t format;
    const char *name;
    int32_t block_elems;  // cols must be a multiple of this
    int32_t block_bytes;  // bytes per block (q4_kx8: per row, a group block / 8), or per element
                          // for unscaled / planar formats
    int32_t planar;       // FP8 formats: codes first, f32 scales after
    int32_t scale_rows;   // planar: rows per scale tile
    int32_t scale_cols;   // planar: cols per scale tile, 0 = whole row
    int32_t row_group;    // rows must be a multiple of this (q4_0x8, q4_kx8, q6_kx8: 8, else 1)
    int32_t ggml_type;    // the GGUF type id with the same bytes, or -1 (Vane's own formats)
    int32_t act;          // ActFormat
    int32_t scale_kind;   // ScaleKind
    int32_t scale_at[2];  // byte offsets of the scale fields in a block (-1: none)
    // Block formats' reference codecs; null for the unscaled and planar formats (whole rows) and
    // for q4_0x8 / q4_kx8 (rows stored as q4_0 / q4_k, interleaved: see RowGroupLayout).
    QuantizeBlockFn quantize_block;
    DequantizeBlockFn dequantize_block;
};

// nullptr for an unknown format id.
const FormatTraits *format_traits(int32_t format);
inline int64_t row_group(const FormatTraits &f) { return f.row_group; }
// Every format, in id order (tests and tables walk it).
const FormatTraits *format_table(int *count);

// q4_0x8 (vane.h): rows in groups of 8, each group one vane_block_q4_0x8 per 32 columns.
// Copies row r of a q4_0x8 matrix with nb blocks per row out as nb Q4_0 blocks.
void q4_0x8_get_row(const void *src, int64_t r, int64_t nb, uint8_t *out);
// Writes 8 Q4_0 rows (row-major, nb blocks each) as one group of a q4_0x8 matrix.
void q4_0x8_put_group(const uint8_t *rows8, int64_t nb, void *group);
// q4_kx8 (vane.h): the same for Q4_K rows, one vane_block_q4_kx8 per 256 columns and group.
void q4_kx8_get_row(const void *src, int64_t r, int64_t nb, uint8_t *out);
void q4_kx8_put_group(const uint8_t *rows8, int64_t nb, void *group);
// q6_kx8 (vane.h, quant/q6_kx8.cpp): the same for Q6_K rows, one vane_block_q6_kx8 per 256 columns.
void q6_kx8_get_row(const void *src, int64_t r, int64_t nb, uint8_t *out);
void q6_kx8_put_group(const uint8_t *rows8, int64_t nb, void *group);

// iq4_xsx8 (vane.h): the same for IQ4_XS rows, one vane_block_iq4_xsx8 per 256 columns and group.
void iq4_xsx8_get_row(const void *src, int64_t r, int64_t nb, uint8_t *out);
void iq4_xsx8_put_group(const uint8_t *rows8, int64_t nb, void *group);

// A format that stores another format's rows interleaved 8 at a time (the x8 formats): the
// rows' own format and the copies each way. Quantizing, dequantizing and the GEMMs that have
// no kernel of their own for it go through the rows' format.
struct RowGroupLayout {
    int32_t format;      // the interleaved format
    int32_t row_format;  // VANE_FORMAT_Q4_0, VANE_FORMAT_Q4_K, VANE_FORMAT_Q6_K, VANE_FORMAT_IQ4_XS, VANE_FORMAT_IQ4_NL
    // Row r of the matrix (nb blocks) copied out as the row format's bytes.
    void (*get_row)(const void *src, int64_t r, int64_t nb, uint8_t *out);
    // 8 rows of the row format (row-major, nb blocks each) written as one group.
    void (*put_group)(const uint8_t *rows8, int64_t nb, void *group);
};
// nullptr for every other format.
const RowGroupLayout *row_group_layout(int32_t format);

// Byte offset of the f32 scales of a planar format (codes are rows*cols bytes, then 64-aligned).
inline int64_t planar_scales_offset(int64_t rows, int64_t cols) {
    return (rows * cols + 63) / 64 * 64;
}
inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
// Number of f32 scales of a planar format.
int64_t planar_scale_count(const FormatTraits &f, int64_t rows, int64_t cols);
// Total bytes of a [rows, cols] matrix (dims already validated).
int64_t quant_size(const FormatTraits &f, int64_t rows, int64_t cols);

// Whether every scale field of rows [r0, r1) of a packed [rows, cols] matrix is finite; if not,
// `why` says where (quant/check.cpp).
bool check_scales(const FormatTraits &f, const void *src, int64_t rows, int64_t cols, int64_t r0, int64_t r1, char *why,
                  int why_size);

// What a quantize kernel found.
enum QuantResult : int32_t {
    QUANT_OK = 0,
    QUANT_NON_FINITE = 1,  // a NaN or Inf in the input
    QUANT_SCALE_RANGE = 2  // an fp16 scale or minimum overflowed
};

// One instruction-set variant of the family. Arguments are validated by the API layer.
struct QuantKernels {
    // n floats -> fp8 codes (kind = VANE_FP8_*), RNE, saturating, NaN -> 0x7F|sign.
    void (*fp8_encode)(int32_t kind, const float *src, uint8_t *dst, int64_t n);
    void (*fp8_decode)(int32_t kind, const uint8_t *src, float *dst, int64_t n);
    // Quantizes rows [r0, r1) of src[rows, cols] into dst, the whole matrix buffer. For
    // FP8_E4M3_B128, r0 is a multiple of 128 and r1 is too, or r1 == rows. Returns a QuantResult;
    // on failure the output is unspecified.
    int32_t (*quantize)(int32_t format, const float *src, int64_t rows, int64_t cols, int64_t r0,
                        int64_t r1, void *dst);
    // Dequantizes rows [r0, r1) of the matrix in src into dst[rows, cols].
    void (*dequantize)(int32_t format, const void *src, int64_t rows, int64_t cols, int64_t r0,
                       int64_t r1, float *dst);
};

extern const QuantKernels quant_kernels_ref;

// Row r of a [rows, cols] matrix in format, dequantized into out[cols] (reference code; the
// GEMM reference builds on it).
void dequantize_row_ref(int32_t format, const void *src, int64_t rows, int64_t cols, int64_t r, float *out);
extern const QuantKernels quant_kernels_avx2;
extern const QuantKernels quant_kernels_avx512;  // quant/x86_avx512.cpp
// The family's variants by VANE_ISA_* (defined beside the reference kernels).
extern const Variants<QuantKernels> quant_variants;

}  // namespace vane
