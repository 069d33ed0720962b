// Plain reference GEMM, the definition of correct for the fast variants (docs/FORMATS.md, "GEMM").
//
// Float formats (f32, f16, bf16, fp8): each weight row is dequantized (quant's reference decoder)
// and dotted with every row of x, accumulating in f32 in index order.
//
// Integer formats (int4_*, int8_*, q4_0, q8_0, q4_0x8 read row by row as q4_0) use the activations quantized by the prepare step
// (d_x, q, qsum, s per block of 32). For each weight block, in order, and each 32-element block
// b of x inside it:
//   D   = sum of c * q over the block, exact in int32, where c is the signed weight code:
//         c - 8 for int4_sym and q4_0, the code 0..15 for int4_asym, the int8 value otherwise;
//   acc += (d_w * d_x[b]) * (float)D;
//   int4_asym only: acc += m_w * s[b]   (m_w times the block's sum of x-hat);
// and y = acc + bias. So y is x-hat * W-hat^T + bias rounded in f32, x-hat being the quantized
// activations and W-hat the dequantized weights. The fast variants compute the same numbers in
// another order (tests hold them to an f32 summation-order bound).
//
// GGUF's other formats (q4_1 ... mxfp4) run through ggml_gemm with the reference dot kernels
// (gemm/ggml_dot.h: x quantized as llama.cpp does for the type); the x8 formats too, their rows
// read back as q4_k, q6_k, iq4_xs and iq4_nl (so their results are those formats', bit for bit).
#include <string.h>

#include <vector>

#include "gemm/gemm.h"
#include "gemm/ggml_dot.h"
#include "quant/quant.h"
#include "quant/scalar.h"

namespace vane {

namespace {

void gemm_ref_float(const GemmArgs &a, int64_t n0, int64_t n1) {
    thread_local std::vector<float> row;  // one dequantized weight row, reused across calls
    row.resize(static_cast<size_t>(a.k));
    for (int64_t j = n0; j < n1; j++) {
        dequantize_row_ref(a.format, a.w, a.n, a.k, j, row.data());
        const float b = a.bias ? a.bias[j] : 0.0f;
        for (int64_t i = 0; i < a.m; i++) {
            const float *x = a.x + i * a.ldx;
            float acc = 0.0f;
            for (int64_t c = 0; c < a.k; c++) acc += x[c] * row[c];
            a.y[i * a.ldy + j] = acc + b;
        }
    }
}

// How one integer format stores a block.
enum class Kind { Int4Sym, Int4Asym, Int8 };
struct BlockFormat {
    Kind kind;
    int g;            // elements per block
    int bytes;        // bytes per block
    bool f32_scale;   // int8_g*: f32 d; the others fp16
    int codes_at;     // offset of the codes in the block
};

// Read off the traits: the scale fields come first (fp16 d, and m for int4_asym; f32 d for
// int8_g*), the codes fill the rest of the block, a byte each (int8) or a nibble each (int4).
// q4_0x8's rows are copied out as q4_0 first, so it reads as q4_0's traits.
BlockFormat block_format(int32_t format) {
    const FormatTraits &f = *format_traits(format == VANE_FORMAT_Q4_0_X8 ? VANE_FORMAT_Q4_0 : format);
    const int g = f.block_elems, scale_bytes = f.scale_kind == SCALE_F32 ? 4 : 2;
    const int codes_at = f.scale_at[1] >= 0 ? f.scale_at[1] + scale_bytes : scale_bytes;
    const bool int8 = f.block_bytes - codes_at == g;
    const Kind kind = int8 ? Kind::Int8 : f.scale_at[1] >= 0 ? Kind::Int4Asym : Kind::Int4Sym;
    return {kind, g, f.block_bytes, f.scale_kind == SCALE_F32, codes_at};
}

// Signed code of element e of a block (nibble order: byte j holds e = j low, e = j + g/2 high).
int32_t code(const BlockFormat &bf, const uint8_t *codes, int e) {
    if (bf.kind == Kind::Int8) return (int8_t)codes[e];
    const int h = bf.g / 2;
    const int c = e < h ? (codes[e] & 0xf) : (codes[e - h] >> 4);
    return bf.kind == Kind::Int4Sym ? c - 8 : c;
}

void gemm_ref_int(const GemmArgs &a, int64_t n0, int64_t n1) {
    const BlockFormat bf = block_format(a.format);
    const GemmActs acts = gemm_acts(a.scratch, a.m, a.k);
    const int64_t nbw = a.k / bf.g;  // weight blocks per row
    const int sub = bf.g / 32;       // activation blocks per weight block
    thread_local std::vector<uint8_t> x8_row;  // q4_0x8: the row's Q4_0 blocks, copied out
    for (int64_t j = n0; j < n1; j++) {
        const uint8_t *row = (const uint8_t *)a.w + j * nbw * bf.bytes;
        if (a.format == VANE_FORMAT_Q4_0_X8) {
            x8_row.resize((size_t)(nbw * bf.bytes));
            q4_0x8_get_row(a.w, j, nbw, x8_row.data());
            row = x8_row.data();
        }
        const float bias = a.bias ? a.bias[j] : 0.0f;
        for (int64_t i = 0; i < a.m; i++) {
            const int8_t *q = acts.q + i * acts.nbp * 32;  // x row i (layout: gemm.h)
            const float *dx = acts.d + i * acts.nbp;
            const float *sx = acts.s + i * acts.nbp;
            float acc = 0.0f;
            for (int64_t g = 0; g < nbw; g++) {
                const uint8_t *blk = row + g * bf.bytes;
                const float dw = bf.f32_scale ? get_f32(blk) : f16_bits_to_f32(get_u16(blk));
                const float mw = bf.kind == Kind::Int4Asym ? f16_bits_to_f32(get_u16(blk + 2)) : 0.0f;
                const uint8_t *codes = blk + bf.codes_at;
                for (int s = 0; s < sub; s++) {
                    const int64_t b = g * sub + s;
                    int32_t dot = 0;
                    for (int e = 0; e < 32; e++) dot += code(bf, codes, 32 * s + e) * q[act_q_offset(b, e, acts.lanes)];
                    acc += (dw * dx[act_slot(b)]) * (float)dot;
                    if (bf.kind == Kind::Int4Asym) acc += mw * sx[act_slot(b)];
                }
            }
            a.y[i * a.ldy + j] = acc + bias;
        }
    }
}

void gemm_ref(const GemmArgs &a, int64_t n0, int64_t n1) {
    if (ggml_act_format(a.format)) {
        DotRowFn dot = dot_row_legacy_ref(a.format);
        ggml_gemm(a, n0, n1, dot ? dot : dot_row_kquant_ref(a.format));
    } else if (gemm_quantizes_acts(a.format)) {
        gemm_ref_int(a, n0, n1);
    } else {
        gemm_ref_float(a, n0, n1);
    }
}

}  // namespace

const GemmKernels gemm_kernels_ref = {gemm_scratch_bytes, gemm_prepare, gemm_ref};

const Variants<GemmKernels> gemm_variants = {{&gemm_kernels_ref, &gemm_kernels_avx2, &gemm_kernels_avx512}};

}  // namespace vane
