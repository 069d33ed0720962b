// GEMM of GGUF's other block formats (q4_1 ... mxfp4): the rows-and-blocks loop, written once.
// The prepare step quantizes each row of x into the activation blocks the format's dot product
// takes (gemm/ggml_act.cpp); then every (weight row, x row) pair is one call of the active
// variant's dot kernel over the whole row (or of its kernel of kDotRows x rows, where it has one
// and M allows). Weight rows go in tiles small enough to stay in L1/L2
// while every x row runs against them, so a GEMM reads each weight byte from memory once.
// The reference variant runs the x8 formats (q4_kx8, q6_kx8, iq4_xsx8: rows interleaved 8 at a
// time) here too, on their rows copied out as q4_k, q6_k, iq4_xs.
#include <string.h>

#include <vector>

#include "gemm/gemm.h"
#include "gemm/ggml_dot.h"
#include "quant/quant.h"

namespace vane {

namespace {

constexpr int64_t kAlign = 64;
// Weight bytes per tile of rows run against all x rows (well inside L2 with x's rows beside it).
constexpr int64_t kTileBytes = 64 * 1024;

int64_t act_block_bytes(int32_t act) {
    switch (act) {
        case ACT_Q8_0: return sizeof(act_q8_0);
        case ACT_Q8_1: return sizeof(act_q8_1);
        case ACT_Q8_K: return sizeof(act_q8_k);
        default: return 0;
    }
}

int64_t act_block_elems(int32_t act) { return act == ACT_Q8_K ? 256 : 32; }

}  // namespace

bool ggml_act_format(int32_t format) {
    const FormatTraits *f = format_traits(format);
    return f && f->act >= ACT_Q8_0;
}

int64_t ggml_act_row_bytes(int32_t format, int64_t k) {
    const int32_t act = format_traits(format)->act;
    const int64_t bytes = k / act_block_elems(act) * act_block_bytes(act);
    return (bytes + kAlign - 1) / kAlign * kAlign;
}

void ggml_prepare(const GemmArgs &a, int64_t m0, int64_t m1) {
    const int32_t act = format_traits(a.format)->act;
    const int64_t row_bytes = ggml_act_row_bytes(a.format, a.k);
    for (int64_t i = m0; i < m1; i++) {
        void *out = (uint8_t *)a.scratch + i * row_bytes;
        const float *x = a.x + i * a.ldx;
        if (act == ACT_Q8_0) quantize_act_q8_0(x, (act_q8_0 *)out, a.k);
        else if (act == ACT_Q8_1) quantize_act_q8_1(x, (act_q8_1 *)out, a.k);
        else quantize_act_q8_k(x, (act_q8_k *)out, a.k);
    }
}

void ggml_gemm(const GemmArgs &a, int64_t n0, int64_t n1, DotRowFn dot, DotRowsFn rows_dot) {
    // q4_kx8, q6_kx8 (the reference variant): each tile's rows are copied out as q4_k (q6_k) into
    // the thread's buffer and dot is that format's kernel.
    const RowGroupLayout *x8 = row_group_layout(a.format);
    const FormatTraits &f = *format_traits(x8 ? x8->row_format : a.format);
    const int64_t nb = a.k / f.block_elems, w_row = nb * f.block_bytes;
    const int64_t act_row = ggml_act_row_bytes(a.format, a.k);
    int64_t tile = w_row > 0 ? kTileBytes / w_row : 1;
    if (tile < 1) tile = 1;
    thread_local std::vector<uint8_t> rows;  // x8 formats: the tile's rows, kept between calls
    if (x8) rows.resize((size_t)(tile * w_row));
    for (int64_t j0 = n0; j0 < n1; j0 += tile) {
        const int64_t j1 = j0 + tile < n1 ? j0 + tile : n1;
        const uint8_t *w = (const uint8_t *)a.w + j0 * w_row;
        if (x8) {
            for (int64_t j = j0; j < j1; j++) x8->get_row(a.w, j, nb, rows.data() + (j - j0) * w_row);
            w = rows.data();
        }
        int64_t i = 0;
        // Up to kDotRows x rows at a time: each weight row is decoded once for all of them.
        for (; rows_dot && nb > 0 && i + 2 <= a.m; i += kDotRows) {
            const int rows = a.m - i < kDotRows ? (int)(a.m - i) : kDotRows;
            const void *act[kDotRows];
            for (int r = 0; r < rows; r++) act[r] = (const uint8_t *)a.scratch + (i + r) * act_row;
            for (int64_t j = j0; j < j1; j++) {
                float v[kDotRows];
                rows_dot(w + (j - j0) * w_row, act, nb, rows, v);
                for (int r = 0; r < rows; r++) a.y[(i + r) * a.ldy + j] = a.bias ? v[r] + a.bias[j] : v[r];
            }
        }
        for (; i < a.m; i++) {
            const uint8_t *act = (const uint8_t *)a.scratch + i * act_row;
            float *y = a.y + i * a.ldy;
            for (int64_t j = j0; j < j1; j++) {
                const float v = nb > 0 ? dot(w + (j - j0) * w_row, act, nb) : 0.0f;
                y[j] = a.bias ? v + a.bias[j] : v;
            }
        }
    }
}

}  // namespace vane
