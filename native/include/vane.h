/*
 * vane.h - the one public C header of Vane (the ABI the Java bindings bind to).
 *
 * Rules (see docs/ARCHITECTURE.md):
 *  - Every operation is vane_<family>_<op> and returns vane_status (0 = OK, negative = error);
 *    vane_last_error() then holds a thread-local message. The only exceptions are the pure
 *    getters vane_version(), vane_last_error() and vane_get_threads(), which cannot fail.
 *  - Only plain C types cross the ABI; enum-like values are passed as int32_t and their numeric
 *    values are fixed forever (a removed value stays reserved).
 *  - Native code never aborts or throws across the ABI: it validates its arguments.
 */
#ifndef VANE_H
#define VANE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(VANE_BUILDING_LIBRARY)
#define VANE_API __attribute__((visibility("default")))
#else
#define VANE_API
#endif

/* ---- status ------------------------------------------------------------------------------ */

typedef int32_t vane_status;
enum {
    VANE_OK = 0,
    VANE_E_INVALID_ARGUMENT = -1, /* null pointer, bad dimension, unknown enum value */
    VANE_E_UNSUPPORTED = -2,      /* valid request this build or CPU cannot serve */
    VANE_E_BUFFER_TOO_SMALL = -3, /* an output or input buffer is smaller than the shape needs */
    VANE_E_NON_FINITE = -4,       /* NaN or Inf where only finite values are allowed */
    VANE_E_OUT_OF_RANGE = -5,     /* a finite value the format cannot represent (scale overflow) */
    VANE_E_OUT_OF_MEMORY = -6,
    VANE_E_INTERNAL = -7          /* a bug in Vane: please report it with the message */
};

/* Message for the last failed call on this thread ("" if none). Valid until the next call. */
VANE_API const char *vane_last_error(void);

/* Library version, "MAJOR.MINOR.PATCH". */
VANE_API const char *vane_version(void);

/* ---- CPU dispatch ------------------------------------------------------------------------ */

/* Kernel variants (instruction-set levels). */
enum {
    VANE_ISA_BASELINE = 0, /* x86-64 baseline (SSE2), runs everywhere */
    VANE_ISA_AVX2 = 1,     /* AVX2 + FMA + F16C */
    VANE_ISA_AVX512 = 2    /* the AVX2 set + AVX-512 F, BW, VL, DQ and VNNI (Ice Lake, Zen 4 and later);
                              BF16 kernels also need VANE_CPU_AVX512BF16 and fall back without it */
};

/* Feature bits seen by cpuid (and enabled by the OS). */
enum {
    VANE_CPU_SSE2 = 1 << 0,
    VANE_CPU_AVX = 1 << 1,
    VANE_CPU_AVX2 = 1 << 2,
    VANE_CPU_FMA = 1 << 3,
    VANE_CPU_F16C = 1 << 4,
    VANE_CPU_AVX512F = 1 << 5,
    VANE_CPU_AVX512BW = 1 << 6,
    VANE_CPU_AVX512VL = 1 << 7,
    VANE_CPU_AVX512DQ = 1 << 8,
    VANE_CPU_AVX512VNNI = 1 << 9,
    VANE_CPU_AVX512BF16 = 1 << 10
};

typedef struct vane_cpu_info {
    uint32_t features; /* VANE_CPU_* bits */
    int32_t active;    /* VANE_ISA_* in use */
    char reason[160];  /* why that variant is active, e.g. "VANE_CPU=baseline" */
} vane_cpu_info;

VANE_API vane_status vane_cpu_features(vane_cpu_info *out);

/* Switches the active variant at run time (tests use it to compare variants in one process).
 * Fails with VANE_E_UNSUPPORTED when the CPU lacks the instructions. Not to be called while
 * other threads are inside Vane kernels. */
VANE_API vane_status vane_cpu_select(int32_t isa);

/* ---- threads ----------------------------------------------------------------------------- */

/* Size of the native thread pool (calling thread included). n >= 1. Default: VANE_THREADS, else
 * the cores available to the process. */
VANE_API vane_status vane_set_threads(int32_t n);
VANE_API int32_t vane_get_threads(void);

/* ---- number formats ---------------------------------------------------------------------- */

/* Weight formats. A matrix is [rows, cols] row-major (rows = N outputs, cols = K inputs). */
enum {
    VANE_FORMAT_F32 = 0,
    VANE_FORMAT_F16 = 1,
    VANE_FORMAT_BF16 = 2,
    VANE_FORMAT_FP8_E4M3_ROW = 3,  /* planar: e4m3 codes, then one f32 scale per row */
    VANE_FORMAT_FP8_E4M3_B128 = 4, /* planar: e4m3 codes, then one f32 scale per 128x128 tile */
    VANE_FORMAT_INT4_SYM_G32 = 5,
    VANE_FORMAT_INT4_SYM_G64 = 6,
    VANE_FORMAT_INT4_SYM_G128 = 7,
    VANE_FORMAT_INT4_ASYM_G32 = 8,
    VANE_FORMAT_INT4_ASYM_G64 = 9,
    VANE_FORMAT_INT4_ASYM_G128 = 10,
    VANE_FORMAT_INT8_G32 = 11,
    VANE_FORMAT_INT8_G64 = 12,
    VANE_FORMAT_INT8_G128 = 13,
    VANE_FORMAT_Q4_0 = 14, /* GGUF Q4_0, byte-for-byte */
    VANE_FORMAT_Q8_0 = 15, /* GGUF Q8_0, byte-for-byte */
    /* Q4_0 repacked for speed (same values, same total bytes): rows in groups of 8 (rows must
     * be a multiple of 8), each group stored as one vane_block_q4_0x8 per 32 columns, column
     * blocks in order. Made by vane_quant_repack from Q4_0 bytes, or by quantizing. */
    VANE_FORMAT_Q4_0_X8 = 16,
    /* The other GGUF block formats, byte for byte as ggml defines them (docs/FORMATS.md). Their
     * GEMM quantizes each row of x as llama.cpp does for the type (q8_0, q8_1 or q8_K blocks). */
    VANE_FORMAT_Q4_1 = 17,
    VANE_FORMAT_Q5_0 = 18,
    VANE_FORMAT_Q5_1 = 19,
    VANE_FORMAT_Q2_K = 20, /* K-quants: super-blocks of 256 columns */
    VANE_FORMAT_Q3_K = 21,
    VANE_FORMAT_Q4_K = 22,
    VANE_FORMAT_Q5_K = 23,
    VANE_FORMAT_Q6_K = 24,
    VANE_FORMAT_IQ4_NL = 25, /* 4-bit codes into a fixed non-linear table, blocks of 32 */
    VANE_FORMAT_IQ4_XS = 26, /* IQ4_NL's table in super-blocks of 256 with 6-bit sub-block scales */
    VANE_FORMAT_MXFP4 = 27,  /* OCP MX FP4 (E2M1) with an E8M0 scale per 32 (gpt-oss) */
    /* Q4_K repacked for speed (same values, 148 bytes per row and 256 columns instead of 144):
     * rows in groups of 8 (rows must be a multiple of 8), each group stored as one
     * vane_block_q4_kx8 per 256 columns, column blocks in order. Made by vane_quant_repack from
     * Q4_K bytes, or by quantizing. */
    VANE_FORMAT_Q4_K_X8 = 28,
    /* Q6_K repacked for speed (same values, 210 bytes per row and 256 columns, as Q6_K): rows in
     * groups of 8, each group stored as one vane_block_q6_kx8 per 256 columns. Made by
     * vane_quant_repack from Q6_K bytes, or by quantizing. */
    VANE_FORMAT_Q6_K_X8 = 29,
    /* IQ4_XS repacked for speed (same values, 138 bytes per row and 256 columns instead of 136):
     * rows in groups of 8 (rows must be a multiple of 8), each group stored as one
     * vane_block_iq4_xsx8 per 256 columns, column blocks in order. Made by vane_quant_repack from
     * IQ4_XS bytes, or by quantizing. */
    VANE_FORMAT_IQ4_XS_X8 = 30,
    /* IQ4_NL repacked for speed (the same 144 bytes per 8 rows and 32 columns as IQ4_NL): rows in
     * groups of 8 (rows a multiple of 8), each group stored as one vane_block_iq4_nlx8 per 32
     * columns, column blocks in order. Made by vane_quant_repack from IQ4_NL bytes, or by
     * quantizing. */
    VANE_FORMAT_IQ4_NL_X8 = 31
};

/* Packed blocks (docs/FORMATS.md has the full layouts). uint16_t "d"/"m" fields are IEEE fp16.
 * Nibble order in every 4-bit block: byte j holds element j in its low nibble and element
 * j + G/2 in its high nibble (as GGUF Q4_0). */
typedef struct vane_block_q4_0 { uint16_t d; uint8_t qs[16]; } vane_block_q4_0;
typedef struct vane_block_q8_0 { uint16_t d; int8_t qs[32]; } vane_block_q8_0;
/* 8 rows x 32 columns of Q4_0: the 8 rows' scales, then their codes in 4 chunks of 32 bytes;
 * chunk j holds bytes 4j .. 4j + 3 of each row's 16 Q4_0 code bytes, row 0 first (so one
 * 32-byte load gives elements 4j..4j+3 and 4j+16..4j+19 of all 8 rows). */
typedef struct vane_block_q4_0x8 { uint16_t d[8]; uint8_t qs[128]; } vane_block_q4_0x8;
/* 8 rows x 256 columns of Q4_K: the 8 rows' d, then their dmin (fp16), then per sub-block g
 * of 32 columns 16 bytes: the 8 rows' 6-bit scales of g, then their 6-bit mins of g, one byte
 * each (Q4_K packs them in 12 bytes a row); then the codes in 32 chunks of 32 bytes: chunk j
 * holds bytes 4j .. 4j + 3 of each row's 128 Q4_K code bytes, row 0 first (one 32-byte load
 * gives 4 consecutive columns of sub-block 2 * (j / 8) in the low nibbles and of sub-block
 * 2 * (j / 8) + 1 in the high ones, of all 8 rows). */
typedef struct vane_block_q4_kx8 {
    uint16_t d[8];
    uint16_t dmin[8];
    uint8_t scales[8][16];
    uint8_t qs[1024];
} vane_block_q4_kx8;
/* 8 rows x 256 columns of Q6_K: the 8 rows' d (fp16); the int8 scales, sub-block s (16 columns)
 * at scales[s], row i at [s][i] (one 8-byte load gives a sub-block's 8 scales); then the 6-bit
 * codes u = q + 32 (0..63, Q6_K's 4 low bits | 2 high bits << 4) in 16 triples of 32-byte chunks:
 * triple t = 8h + c (h = 0..1, c = 0..7) covers columns 128h + 32k + 4c + e (k = 0..3, e =
 * 0..3); chunk 3t + j (j = 0..2) holds byte e of row i at qs[32 (3t + j) + 4i + e] = u of
 * column 128h + 32j + 4c + e | bits 2j..2j+1 of u of column 128h + 96 + 4c + e, << 6. So one
 * chunk masked with 0x3F gives 4 consecutive columns of 8 rows, and the three chunks' top bits
 * a fourth group of 4 columns. */
typedef struct vane_block_q6_kx8 {
    uint16_t d[8];
    int8_t scales[16][8];
    uint8_t qs[1536];
} vane_block_q6_kx8;
/* 8 rows x 256 columns of IQ4_XS: the 8 rows' d (fp16), then per sub-block g of 32 columns the
 * 8 rows' 6-bit scales of g decoded to int8 ls - 32 (IQ4_XS packs them in scales_l / scales_h),
 * then the codes in 32 chunks of 32 bytes: chunk j holds bytes 4j .. 4j + 3 of each row's 128
 * IQ4_XS code bytes, row 0 first (one 32-byte load gives columns 32 * (j / 4) + 4 * (j % 4) .. + 3
 * in the low nibbles and the same + 16 in the high ones, all of sub-block j / 4, of all 8 rows). */
typedef struct vane_block_iq4_xsx8 {
    uint16_t d[8];
    int8_t scales[8][8];
    uint8_t qs[1024];
} vane_block_iq4_xsx8;
/* 8 rows x 32 columns of IQ4_NL, laid out as vane_block_q4_0x8: the 8 rows' d (fp16), then 4
 * chunks of 32 bytes, chunk j holding bytes 4j .. 4j + 3 of each row's 16 IQ4_NL code bytes, row
 * 0 first (a code c still means d * kvalues_iq4nl[c]). */
typedef struct vane_block_iq4_nlx8 { uint16_t d[8]; uint8_t qs[128]; } vane_block_iq4_nlx8;
typedef struct vane_block_int4_sym_g32 { uint16_t d; uint8_t qs[16]; } vane_block_int4_sym_g32;
typedef struct vane_block_int4_sym_g64 { uint16_t d; uint8_t qs[32]; } vane_block_int4_sym_g64;
typedef struct vane_block_int4_sym_g128 { uint16_t d; uint8_t qs[64]; } vane_block_int4_sym_g128;
typedef struct vane_block_int4_asym_g32 { uint16_t d; uint16_t m; uint8_t qs[16]; } vane_block_int4_asym_g32;
typedef struct vane_block_int4_asym_g64 { uint16_t d; uint16_t m; uint8_t qs[32]; } vane_block_int4_asym_g64;
typedef struct vane_block_int4_asym_g128 { uint16_t d; uint16_t m; uint8_t qs[64]; } vane_block_int4_asym_g128;
/* GGUF's other block formats, as ggml lays them out. "d"/"dmin"/"m" are fp16 bits. */
typedef struct vane_block_q4_1 { uint16_t d; uint16_t m; uint8_t qs[16]; } vane_block_q4_1;
typedef struct vane_block_q5_0 { uint16_t d; uint8_t qh[4]; uint8_t qs[16]; } vane_block_q5_0;
typedef struct vane_block_q5_1 { uint16_t d; uint16_t m; uint8_t qh[4]; uint8_t qs[16]; } vane_block_q5_1;
typedef struct vane_block_q2_k { uint8_t scales[16]; uint8_t qs[64]; uint16_t d; uint16_t dmin; } vane_block_q2_k;
typedef struct vane_block_q3_k { uint8_t hmask[32]; uint8_t qs[64]; uint8_t scales[12]; uint16_t d; } vane_block_q3_k;
typedef struct vane_block_q4_k { uint16_t d; uint16_t dmin; uint8_t scales[12]; uint8_t qs[128]; } vane_block_q4_k;
typedef struct vane_block_q5_k { uint16_t d; uint16_t dmin; uint8_t scales[12]; uint8_t qh[32]; uint8_t qs[128]; } vane_block_q5_k;
typedef struct vane_block_q6_k { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; uint16_t d; } vane_block_q6_k;
typedef struct vane_block_iq4_nl { uint16_t d; uint8_t qs[16]; } vane_block_iq4_nl;
typedef struct vane_block_iq4_xs { uint16_t d; uint16_t scales_h; uint8_t scales_l[4]; uint8_t qs[128]; } vane_block_iq4_xs;
typedef struct vane_block_mxfp4 { uint8_t e; uint8_t qs[16]; } vane_block_mxfp4; /* e: E8M0 exponent */
typedef struct vane_block_int8_g32 { float d; int8_t qs[32]; } vane_block_int8_g32;
typedef struct vane_block_int8_g64 { float d; int8_t qs[64]; } vane_block_int8_g64;
typedef struct vane_block_int8_g128 { float d; int8_t qs[128]; } vane_block_int8_g128;

#ifdef __cplusplus
#define VANE_STATIC_ASSERT(c, m) static_assert(c, m)
#else
#define VANE_STATIC_ASSERT(c, m) _Static_assert(c, m)
#endif
VANE_STATIC_ASSERT(sizeof(vane_block_q4_0) == 18, "Q4_0 block is 18 bytes");
VANE_STATIC_ASSERT(sizeof(vane_block_q8_0) == 34, "Q8_0 block is 34 bytes");
VANE_STATIC_ASSERT(sizeof(vane_block_q4_0x8) == 144, "Q4_0x8 block is 144 bytes");
VANE_STATIC_ASSERT(sizeof(vane_block_int4_sym_g32) == 18, "INT4 sym g32 block");
VANE_STATIC_ASSERT(sizeof(vane_block_int4_sym_g64) == 34, "INT4 sym g64 block");
VANE_STATIC_ASSERT(sizeof(vane_block_int4_sym_g128) == 66, "INT4 sym g128 block");
VANE_STATIC_ASSERT(sizeof(vane_block_int4_asym_g32) == 20, "INT4 asym g32 block");
VANE_STATIC_ASSERT(sizeof(vane_block_int4_asym_g64) == 36, "INT4 asym g64 block");
VANE_STATIC_ASSERT(sizeof(vane_block_int4_asym_g128) == 68, "INT4 asym g128 block");
VANE_STATIC_ASSERT(sizeof(vane_block_q4_1) == 20, "Q4_1 block is 20 bytes");
VANE_STATIC_ASSERT(sizeof(vane_block_q5_0) == 22, "Q5_0 block is 22 bytes");
VANE_STATIC_ASSERT(sizeof(vane_block_q5_1) == 24, "Q5_1 block is 24 bytes");
VANE_STATIC_ASSERT(sizeof(vane_block_q2_k) == 84, "Q2_K block is 84 bytes");
VANE_STATIC_ASSERT(sizeof(vane_block_q3_k) == 110, "Q3_K block is 110 bytes");
VANE_STATIC_ASSERT(sizeof(vane_block_q4_k) == 144, "Q4_K block is 144 bytes");
VANE_STATIC_ASSERT(sizeof(vane_block_q5_k) == 176, "Q5_K block is 176 bytes");
VANE_STATIC_ASSERT(sizeof(vane_block_q6_k) == 210, "Q6_K block is 210 bytes");
VANE_STATIC_ASSERT(sizeof(vane_block_iq4_nl) == 18, "IQ4_NL block is 18 bytes");
VANE_STATIC_ASSERT(sizeof(vane_block_iq4_xs) == 136, "IQ4_XS block is 136 bytes");
VANE_STATIC_ASSERT(sizeof(vane_block_mxfp4) == 17, "MXFP4 block is 17 bytes");
VANE_STATIC_ASSERT(sizeof(vane_block_q4_kx8) == 1184, "Q4_Kx8 block is 1184 bytes");
VANE_STATIC_ASSERT(sizeof(vane_block_q6_kx8) == 1680, "Q6_Kx8 block is 1680 bytes");
VANE_STATIC_ASSERT(sizeof(vane_block_iq4_xsx8) == 1104, "IQ4_XSx8 block is 1104 bytes");
VANE_STATIC_ASSERT(sizeof(vane_block_iq4_nlx8) == 144, "IQ4_NLx8 block is 144 bytes");
VANE_STATIC_ASSERT(sizeof(vane_block_int8_g32) == 36, "INT8 g32 block");
VANE_STATIC_ASSERT(sizeof(vane_block_int8_g64) == 68, "INT8 g64 block");
VANE_STATIC_ASSERT(sizeof(vane_block_int8_g128) == 132, "INT8 g128 block");

/* How a format lays out a matrix. Block formats ("interleaved"): each row is cols/block_elems
 * blocks of block_bytes, scale inside the block. Planar formats (FP8): rows*cols code bytes,
 * then f32 scales starting at the next multiple of 64 bytes, one per scale_rows x scale_cols
 * tile (row-major over tiles, partial tiles at the edges), as published FP8 checkpoints store
 * weight and weight_scale_inv. */
typedef struct vane_format_desc {
    int32_t format;       /* VANE_FORMAT_* */
    int32_t block_elems;  /* cols must be a multiple of this */
    int32_t block_bytes;  /* bytes per block (element size for unscaled and planar formats) */
    int32_t planar;       /* 1 for planar formats (scales after the codes) */
    int32_t scale_rows;   /* planar only: rows per scale tile (0 otherwise) */
    int32_t scale_cols;   /* planar only: cols per scale tile, 0 = the whole row */
    int32_t row_group;    /* rows must be a multiple of this (the x8 formats: 8; every other format: 1) */
    char name[24];        /* stable lower-case name, e.g. "q4_0", "int4_asym_g64" */
} vane_format_desc;

VANE_API vane_status vane_format_info(int32_t format, vane_format_desc *out);

/* Bytes a [rows, cols] matrix takes in the format. */
VANE_API vane_status vane_quant_size(int32_t format, int64_t rows, int64_t cols, int64_t *out_bytes);

/* In every conversion below, src and dst must not overlap (VANE_E_INVALID_ARGUMENT), and f32
 * buffers must be 4-byte aligned. Kernels assume the default floating-point environment
 * (round to nearest), as the JVM keeps it. */

/* f32 [rows, cols] -> format. Inputs must be finite (VANE_E_NON_FINITE otherwise); a scale
 * the format cannot hold (fp16 overflow) is VANE_E_OUT_OF_RANGE. */
VANE_API vane_status vane_quant_quantize(int32_t format, const float *src, int64_t rows, int64_t cols,
                                         void *dst, int64_t dst_bytes);

/* format -> f32 [rows, cols]. */
VANE_API vane_status vane_quant_dequantize(int32_t format, const void *src, int64_t src_bytes,
                                           int64_t rows, int64_t cols, float *dst);

/* Checks that every scale field of a packed [rows, cols] matrix holds a finite value (fp16 and f32
 * scales and minimums, MXFP4's E8M0 exponent, where 0xFF is NaN): VANE_E_NON_FINITE naming the
 * first bad row and block otherwise. Model loaders run it on a file's tensors, so that a hostile
 * or damaged block is refused instead of turning outputs into NaN. Formats without scales (f32,
 * f16, bf16) always pass; the x8 formats (q4_0x8, q4_kx8, q6_kx8, iq4_xsx8, iq4_nlx8) are not
 * checked (they are made from checked q4_0, q4_k, q6_k, iq4_xs and iq4_nl). */
VANE_API vane_status vane_quant_check(int32_t format, const void *src, int64_t src_bytes, int64_t rows, int64_t cols);

/* Repacks a [rows, cols] matrix of one format into another layout of the same values (a byte
 * shuffle, no rounding): today Q4_0 -> Q4_0_X8, Q4_K -> Q4_K_X8, Q6_K -> Q6_K_X8, IQ4_XS ->
 * IQ4_XS_X8 and IQ4_NL -> IQ4_NL_X8 (rows a multiple of 8). The load-time step that lets a
 * model's tensors run on the
 * faster kernels. */
VANE_API vane_status vane_quant_repack(int32_t from_format, const void *src, int64_t src_bytes, int64_t rows,
                                       int64_t cols, int32_t to_format, void *dst, int64_t dst_bytes);

/* ---- GEMM -------------------------------------------------------------------------------- */

/* y[m, j] = sum_k x[m, k] * W[j, k] + bias[j]   (y = x * W^T + bias; a linear layer).
 * W: an [n, k] matrix in `format`'s layout (vane_quant_quantize's output, or the bytes of a model
 * file), w_bytes long; k must be a multiple of the format's block. x: m rows of k floats, row
 * stride ldx >= k. y: m rows of n floats, row stride ldy >= n. bias: n floats, or NULL.
 * y must not overlap x, W or bias. Float formats (f32, f16, bf16, fp8) multiply x as given;
 * integer formats (int4, int8, q4_0, q8_0) first quantize each 32-element block of x to int8
 * with d_x = amax / 127, so y is within sum over blocks of (d_x / 2) * sum |w| (plus f32
 * rounding) of the exact result (docs/FORMATS.md, "GEMM"). Non-finite inputs propagate as IEEE
 * arithmetic does, except that with integer formats a NaN or Inf in x makes its whole row NaN.
 * Integer formats use a per-thread scratch buffer for the quantized x, kept between calls. */
VANE_API vane_status vane_gemm(int32_t format, const void *w, int64_t w_bytes, int64_t n, int64_t k,
                               const float *x, int64_t ldx, int64_t m, const float *bias, float *y,
                               int64_t ldy);

/* ---- feed-forward and mixture of experts -------------------------------------------------- */

/* A weight matrix in one of the formats above: `bytes` bytes at `data` (vane_quant_size's size
 * for its shape, or more). */
typedef struct vane_matrix {
    int32_t format;
    int32_t reserved; /* 0 */
    const void *data;
    int64_t bytes;
} vane_matrix;

/* Activations of a gated feed-forward block (the GLU variants). Each is out = act(g) * f(u):
 *  SILU        silu(g) * u, silu(g) = g / (1 + e^-g) (SwiGLU: Llama, Qwen, Mixtral);
 *  GELU        gelu(g) * u with gelu the tanh approximation 0.5 g (1 + tanh(sqrt(2/pi) g
 *              (1 + 0.044715 g^2))) (GeGLU: Gemma), computed in f32 as g * sigmoid(2 z) (the same
 *              function, without the cancellation of 1 + tanh z for negative z);
 *  SWIGLU_OAI  gpt-oss: g' = min(g, limit), u' = clamp(u, -limit, limit),
 *              out = g' / (1 + e^(-alpha g')) * (u' + 1) (alpha 1.702 and limit 7 in gpt-oss).
 * A NaN g or u gives NaN. */
enum {
    VANE_ACT_SILU = 0,
    VANE_ACT_GELU = 1,
    VANE_ACT_SWIGLU_OAI = 2
};

/* A gated feed-forward block: y = down(act(gate(x) + gate_bias) * f(up(x) + up_bias)) + down_bias
 * (act and f as the activation says); gate and up are [ffn_dim, dim] matrices, down
 * [dim, ffn_dim] (y = x * W^T for each, as vane_gemm). Each bias is added in f32 to its GEMM's
 * output. A struct with the fields after down zeroed is the plain SwiGLU block. */
typedef struct vane_ffn {
    vane_matrix gate, up, down;
    int32_t activation; /* VANE_ACT_SILU 0, VANE_ACT_GELU 1, VANE_ACT_SWIGLU_OAI 2 */
    float alpha, limit; /* VANE_ACT_SWIGLU_OAI only (alpha finite, limit > 0, +Inf for no clamp); else ignored */
    const float *gate_bias, *up_bias, *down_bias; /* [ffn_dim], [ffn_dim], [dim] or NULL */
} vane_ffn;

/* y = ffn(x) for t rows of x [t, dim] (rows contiguous) into y [t, dim]; y must not overlap x.
 * The dense layer a mixture of experts is measured against. */
VANE_API vane_status vane_ffn_forward(const vane_ffn *ffn, int64_t dim, int64_t ffn_dim, const float *x, int64_t t,
                                      float *y);

/* Gating rules, as llama.cpp's build_moe_ffn: weights are computed, then renormalized if asked,
 * then scaled. */
enum {
    /* p = softmax(logits) over all experts; the k largest p are chosen and weigh the experts
     * (llama.cpp's SOFTMAX; Mixtral and Qwen-MoE with renormalize, its norm_w: the k weights
     * then sum to 1). */
    VANE_GATING_SOFTMAX_TOPK = 0,
    /* The k largest logits are chosen; their softmax (over the k alone) weighs the experts
     * (llama.cpp's SOFTMAX_WEIGHT: gpt-oss). */
    VANE_GATING_TOPK_SOFTMAX = 1,
    /* s = sigmoid(logits); the k largest s + selection_bias are chosen; the chosen s (without the
     * bias) weigh the experts, renormalized if asked (DeepSeek-V3). */
    VANE_GATING_SIGMOID_TOPK = 2
};

typedef struct vane_gating {
    int32_t kind;                /* VANE_GATING_* */
    int32_t k;                   /* experts per token, 1 <= k <= n_experts */
    int32_t renormalize;         /* nonzero: divide the k weights by their sum, or by 2^-14 if the sum is smaller (as llama.cpp) */
    float scale;                 /* multiplies every final weight (1 unless the model says so; 0 reads as 1, as llama.cpp's w_scale) */
    const float *selection_bias; /* [n_experts] for VANE_GATING_SIGMOID_TOPK, or NULL (zeros) */
} vane_gating;

/* Routing alone. logits: t rows of n_experts floats, row stride ld >= n_experts. Writes each
 * token's k experts into ids [t, k] in order of descending selection score (ties: the lower
 * expert index first) and their weights into weights [t, k]; tokens_per_expert [n_experts], if
 * not NULL, gets how many tokens chose each expert. A NaN or Inf logit: VANE_E_NON_FINITE naming
 * the token, and nothing is written. */
VANE_API vane_status vane_moe_route(const vane_gating *gating, const float *logits, int64_t t, int64_t n_experts,
                                    int64_t ld, int32_t *ids, float *weights, int64_t *tokens_per_expert);

/* A mixture-of-experts layer: router [n_experts, dim] (logits = x * router^T + router_bias),
 * n_experts experts each [ffn_dim] wide (each with its own activation and biases), and
 * optionally a shared expert every token also runs (shared_ffn_dim wide) with weight 1, or with
 * weight sigmoid(x[t] . shared_gate) when shared_gate is given.
 * y[t] = sum over the chosen e of w_e * expert_e(x[t]) (in routing order) + s_t * shared(x[t]). */
typedef struct vane_moe_layer {
    int64_t dim, ffn_dim, n_experts;
    vane_matrix router;
    const vane_ffn *experts; /* [n_experts] */
    const vane_ffn *shared;  /* or NULL */
    int64_t shared_ffn_dim;
    vane_gating gating;
    const float *router_bias; /* [n_experts] or NULL: added to the router logits before gating (gpt-oss) */
    const float *shared_gate; /* [dim] or NULL: the shared expert's output is multiplied by sigmoid(x . shared_gate) per token (Qwen2-MoE's ffn_gate_inp_shexp) */
} vane_moe_layer;

/* What one vane_moe_forward call did: tokens per expert and where the time went. */
typedef struct vane_moe_stats {
    int64_t *tokens_per_expert; /* [n_experts], filled if not NULL (set by the caller) */
    double route_seconds;       /* router GEMM and gating */
    double group_seconds;       /* grouping (token, expert) pairs by expert and gathering rows */
    double experts_seconds;     /* the expert FFNs (and the shared one) */
    double combine_seconds;     /* the weighted sums into y */
} vane_moe_stats;

/* y = layer(x) for x [t, dim] into y [t, dim] (rows contiguous; y must not overlap x). The
 * (token, expert) pairs are grouped by expert with a stable counting sort, each expert runs once
 * on its tokens' rows as an M-row GEMM, and each token's results are added in its routing order.
 * Every matrix is checked against its shape and format first. stats may be NULL. */
VANE_API vane_status vane_moe_forward(const vane_moe_layer *layer, const float *x, int64_t t, float *y,
                                      vane_moe_stats *stats);

/* ---- attention ---------------------------------------------------------------------------- */

/* Scaled dot-product attention of queries over keys and values with a streaming (online)
 * softmax: the n_q x n_kv score matrix is never formed, memory stays O((n_q + n_kv) * head_dim).
 * q and out hold n_q tokens x n_heads x head_dim floats, k and v n_kv tokens x n_kv_heads x
 * head_dim (each token's heads contiguous, as Q/K/V projections write them). Query head h reads
 * KV head h / (n_heads / n_kv_heads): grouped-query attention, multi-query when n_kv_heads = 1;
 * n_kv_heads must divide n_heads. */
typedef struct vane_attention_params {
    int64_t n_heads, n_kv_heads, head_dim; /* head_dim in 1..512 */
    float scale;    /* multiplies q . k before the softmax, usually 1 / sqrt(head_dim) */
    int32_t causal; /* nonzero: the queries are the last n_q of the n_kv positions, and query i
                       (position n_kv - n_q + i) sees the keys at positions <= its own (prefill,
                       decode); zero: every query sees every key (cross-attention) */
    int64_t window; /* causal only: > 0 keeps, for a query at position p, the keys at positions
                       p - window + 1 .. p (sliding window); 0 = no limit */
    float softcap;  /* > 0: each score s = scale * q . k becomes softcap * tanh(s / softcap) before
                       the mask and the softmax (logit soft-capping, Gemma 2); 0 = off; finite */
    const float *sinks; /* [n_heads] or NULL: a learned logit per query head that joins the
                           head's softmax denominator without a value (attention sinks, gpt-oss);
                           finite */
} vane_attention_params;

/* out = softmax(cap(q k^T * scale) + mask) v per head, with cap(s) = softcap * tanh(s / softcap)
 * when softcap > 0 (else s). With sinks, query head h's row is
 * sum_j e^(s_j - m) v_j / (e^(sinks[h] - m) + sum_j e^(s_j - m)), m the largest of the scores and
 * sinks[h] (a row that sees no key gives zeros). n_kv = 0 gives zeros; with causal, n_q must be
 * <= n_kv. out must not overlap q, k or v. A NaN or infinite q . k * scale makes its row NaN,
 * capped or not. Work is split over the thread pool by KV head and query block, and along the
 * keys when that leaves threads idle (a decode over one long sequence), the pieces merged by
 * their log-sum-exp (the sink counted once, at the merge). */
VANE_API vane_status vane_attention(const vane_attention_params *p, const float *q, int64_t n_q, const float *k,
                                    const float *v, int64_t n_kv, float *out);

/* A paged KV cache: a pool of n_blocks blocks, each holding block_tokens positions of every KV
 * head's keys and values, in memory the caller owns. Element e of the key of head g at slot s of
 * block b is k[((b * n_kv_heads + g) * block_tokens + s) * head_dim + e] (one head's keys in a
 * block are contiguous; v alike). A sequence is a block table: the key at cache position p is in
 * block table[p / block_tokens], slot p % block_tokens. Storage: f32, f16 (round to nearest even),
 * or FP8 E4M3 with one f32 scale per (block, head, slot) vector in k_scales / v_scales (amax / 448
 * of the vector, as fp8_e4m3_row scales a row). */
enum {
    VANE_KV_F32 = 0,
    VANE_KV_F16 = 1,
    VANE_KV_FP8_E4M3 = 2
};

/* A block table entry whose block went back to the pool (positions no query will see again). */
enum { VANE_KV_RELEASED = -1 };

typedef struct vane_kv_cache {
    int32_t dtype; /* VANE_KV_* */
    int32_t reserved;
    int64_t n_kv_heads, head_dim, block_tokens, n_blocks;
    void *k, *v;                /* n_blocks * n_kv_heads * block_tokens * head_dim elements each */
    float *k_scales, *v_scales; /* FP8: n_blocks * n_kv_heads * block_tokens floats each; else NULL */
} vane_kv_cache;

/* Bytes of each of k and v, and of each scale array (0 unless FP8), for a cache's shape. */
VANE_API vane_status vane_kv_cache_bytes(const vane_kv_cache *c, int64_t *kv_bytes, int64_t *scale_bytes);

/* Stores n tokens' keys and values (f32, [n, n_kv_heads, head_dim]) at cache positions pos0 ..
 * pos0 + n - 1 of the sequence whose block table is table[0 .. n_table). Only the entries of
 * those positions are read (earlier ones may be released, see vane_attention_cached). A position
 * past n_table * block_tokens, or a block id outside 0 .. n_blocks - 1, is VANE_E_OUT_OF_RANGE
 * (nothing written); a NaN or Inf in FP8 storage, VANE_E_NON_FINITE. */
VANE_API vane_status vane_kv_write(const vane_kv_cache *c, const int32_t *table, int64_t n_table, int64_t pos0, const float *k,
                                   const float *v, int64_t n);

/* Copies whole blocks: from[i] to to[i] for i < n (keys, values and scales; copy-on-write of a
 * shared block). */
VANE_API vane_status vane_kv_copy_blocks(const vane_kv_cache *c, const int32_t *from, const int32_t *to, int64_t n);

/* Keys rotated at attention time (streaming caches keep keys unrotated and rotate each by its
 * position in the cache): a table of cos and sin, [positions][rot_dim / 2][2] floats, as
 * vane_rope_table makes it, and the pairing (neox 0: (2i, 2i + 1); else (i, i + rot_dim / 2)). */
typedef struct vane_key_rope {
    const float *table;
    int64_t positions; /* rows in the table: cache positions 0 .. positions - 1 */
    int64_t rot_dim;
    int32_t neox;
} vane_key_rope;

/* Attention of n_q queries over the first n_cached positions of a cached sequence: as
 * vane_attention with k and v read from the cache (causal: the queries are the last n_q of the
 * n_cached positions). key_rope, if not NULL, rotates each key by its cache position first.
 * Only the table entries of positions some query sees are read and checked: with causal and
 * window > 0, those of positions n_cached - n_q - window + 1 .. n_cached - 1; else all of 0 ..
 * n_cached - 1. A sliding-window sequence may so give the blocks older than its window back to
 * the pool: their entries are marked -1 (VANE_KV_RELEASED) and never read. */
VANE_API vane_status vane_attention_cached(const vane_attention_params *p, const float *q, int64_t n_q, const vane_kv_cache *c,
                                           const int32_t *table, int64_t n_table, int64_t n_cached, const vane_key_rope *key_rope,
                                           float *out);

/* Rotary position embedding (RoPE), in place on x, as llama.cpp's ggml_rope_ext computes it on
 * the CPU: n tokens x n_heads x head_dim floats, token t's row starting ld floats after token
 * t - 1's (ld >= n_heads * head_dim). Token t sits at positions[t] (>= 0). In each head the first
 * rot_dim dimensions (even, <= head_dim; the rest pass through) rotate in pairs: pair i is
 * (2i, 2i + 1) in the normal layout (llama.cpp's default for Llama GGUF files) and
 * (i, i + rot_dim/2) in the NeoX layout, i = 0 .. rot_dim/2 - 1. At position p, with
 * freq_scale = 1 / linear_scale:
 *   theta_extrap = p * base^(-2i / rot_dim) / freq_factors[i]   (freq factor 1 without the array)
 *   theta_interp = freq_scale * theta_extrap
 *   theta        = theta_interp, or with ext_factor != 0 (YaRN) the mix
 *                  theta_interp * (1 - r) + theta_extrap * r,  r = ext_factor * ramp(i), ramp 1
 *                  below YaRN's low correction dim and 0 above its high one, linear between (the
 *                  dims from rot_dim, n_ctx_orig, base, beta_fast and beta_slow, as
 *                  ggml_rope_yarn_corr_dims)
 *   mscale       = attn_factor * (1 + 0.1 ln(1 / freq_scale)) with ext_factor != 0, else attn_factor
 *   (a, b)      -> (a cos - b sin, a sin + b cos), cos and sin each multiplied by mscale.
 * Everything in f32 in ggml's order: base^(-2i / rot_dim) by i repeated multiplications by
 * powf(base, -2 / rot_dim) starting from (float)p, libm's cosf and sinf, no fused multiply-add;
 * so the result is ggml's bit for bit on the same libm (at large positions the f32 angle is off
 * the exact one by a few of its ulps, as in llama.cpp). The appended fields zeroed keep plain
 * RoPE: no freq factors, no YaRN, attn_factor 0 meaning 1. */
typedef struct vane_rope_params {
    int64_t n_heads, head_dim, rot_dim;
    float base;         /* 10000 for Llama 2, 500000 for Llama 3 */
    float linear_scale; /* 1 / freq_scale: positions are divided by this (linear RoPE scaling); 1 = none */
    int32_t neox;       /* 0: adjacent pairs; nonzero: halves */
    const float *freq_factors; /* [rot_dim / 2], each finite and > 0 (rope_freqs.weight of Llama 3.1+,
                                  Phi-3's rope_factors_long/short), or NULL for none */
    float ext_factor;  /* YaRN extrapolation mix in 0..1; 0 = no YaRN (the betas and n_ctx_orig ignored) */
    float attn_factor; /* multiplies cos and sin; finite and > 0, or 0 meaning 1 */
    float beta_fast, beta_slow; /* YaRN's correction bounds in rotations (32 and 1); > 0 with ext_factor */
    int64_t n_ctx_orig;         /* the context the model was trained at; 1 .. 2^31 - 1 with ext_factor */
} vane_rope_params;

VANE_API vane_status vane_rope(const vane_rope_params *p, float *x, int64_t n, int64_t ld, const int64_t *positions);

/* The cos/sin table of positions 0 .. n_positions - 1 for vane_key_rope: out[(p * rot_dim / 2 + i) * 2]
 * = cos, + 1 = sin of the angle vane_rope uses for pair i at position p, each times its mscale:
 * the very floats vane_rope rotates with (n_heads is ignored). */
VANE_API vane_status vane_rope_table(const vane_rope_params *p, int64_t n_positions, float *out);

/* ---- model runtime helpers ---------------------------------------------------------------- */

/* RMSNorm: y[r] = x[r] / sqrt(mean(x[r]^2) + eps) * weight for rows rows of dim floats (row
 * strides ldx, ldy >= dim); the sum of squares in double, the rest in f32, as llama.cpp. y may be
 * x (then ldy == ldx) but must not otherwise overlap it. */
VANE_API vane_status vane_rms_norm(const float *x, int64_t rows, int64_t dim, int64_t ldx, const float *weight, float eps, float *y,
                                   int64_t ldy);

/* y[i] += x[i] for i < n (a residual connection). x may be y. */
VANE_API vane_status vane_add(float *y, const float *x, int64_t n);

/* ---- FP8 scalars ------------------------------------------------------------------------- */

enum {
    VANE_FP8_E4M3 = 0, /* OCP E4M3FN: bias 7, no Inf, S.1111.111 = NaN, max 448 */
    VANE_FP8_E5M2 = 1  /* OCP E5M2: bias 15, IEEE Inf/NaN, max 57344 */
};

/* Round to nearest even; finite overflow and +-Inf saturate to +-max; NaN -> NaN (0x7F|sign). */
VANE_API vane_status vane_fp8_encode(int32_t kind, const float *src, uint8_t *dst, int64_t n);
VANE_API vane_status vane_fp8_decode(int32_t kind, const uint8_t *src, float *dst, int64_t n);

/* ---- machine probes ---------------------------------------------------------------------- */

/* The machine's ceilings, which benchmarks report their results against (docs/CEILINGS.md).
 * Each runs the active kernel variant's loop on every thread of the pool at once and returns
 * the median over `repeats` timed passes (steady clock; a compute pass takes about 0.1 s).
 * Run them while no other Vane work is running: a pool that is busy runs the probe on the
 * calling thread alone. repeats must be in [1, 1000]; out must not be null. */

/* Streaming read bandwidth in GB/s (1e9 bytes per second). Allocates a buffer of `bytes`
 * (64-byte aligned; 2 MiB in fact, so huge pages may back it), writes every byte once, then
 * reads all of it `repeats` times, each thread taking large contiguous chunks in turn, and
 * frees it. The buffer must be far larger than the last-level cache, or the result is a cache
 * bandwidth: use at least 8x the L3 size (the Java API uses 1 GiB). bytes must be at least
 * 1 MiB and at most half the physical memory (and 1 TiB), VANE_E_INVALID_ARGUMENT otherwise;
 * VANE_E_OUT_OF_MEMORY if it cannot be allocated. */
VANE_API vane_status vane_probe_read_bandwidth(int64_t bytes, int32_t repeats, double *out_gbps);

/* fp32 multiply-add peak in GFLOP/s, one multiply and one add counting 2 flops per lane, fused
 * or not. avx2: independent chains of vfmadd on 8-lane ymm registers, 16 flops per instruction.
 * baseline: SSE2 has no FMA, so independent chains of mulps then addps on 4 lanes, 8 flops per
 * pair. */
VANE_API vane_status vane_probe_fma_peak(int32_t repeats, double *out_gflops);

/* Integer dot-product peak in Gop/s, counting 2 ops per multiply-add (the product and its
 * addition into a sum). avx2: the int8 GEMM step vpmaddubsw (32 u8 x s8 products, summed in
 * pairs) + vpmaddwd with ones (widening to int32) + vpaddd: 32 multiply-adds = 64 ops per step.
 * baseline: SSE2 has no 8-bit multiply-add; its integer-dot ceiling is pmaddwd on int16 (8
 * products) + paddd: 16 ops per step. */
VANE_API vane_status vane_probe_int8_dot_peak(int32_t repeats, double *out_gops);

/* ---- ABI self-description ---------------------------------------------------------------- */

/* One entry of the table of every struct in this header, as the library was compiled: entry
 * index (0, 1, ...) gives a struct's name, and either its whole size (*field_name = "", *offset =
 * 0) or one field's name, offset and size (arrays and nested structs whole). Bindings compare
 * their own layouts with it (docs/RELIABILITY.md). The strings are static. An index past the last
 * entry is VANE_E_OUT_OF_RANGE (the end of the walk); a negative index or a null pointer,
 * VANE_E_INVALID_ARGUMENT. */
VANE_API vane_status vane_abi_describe(int32_t index, const char **struct_name, const char **field_name, int64_t *offset,
                                       int64_t *size);

#ifdef __cplusplus
}
#endif
#endif /* VANE_H */
