// Reference dot kernels of GGUF's 32-element formats (gemm/ggml_dot.h): q5_0, iq4_nl and mxfp4
// against q8_0 activation blocks, q4_1 and q5_1 against q8_1 ones. The definition of correct:
// per block, the integer dot product of the codes with the activation's q, exact; then the f32
// part in the order of ggml's generic vec_dot (ggml-cpu/quants.c), so that a build without FMA
// gives the same bits as llama.cpp's scalar code:
//   q5_0, iq4_nl, mxfp4: sum += (d_w * d_a) * float(isum)
//   q4_1, q5_1:          sum += ((d_w * d_a) * float(isum) + m_w * s_a)
// (mxfp4's d_w is the E8M0 factor of the doubled E2M1 values, mxfp4_half_scale). A NaN d_a (an
// activation block that held a NaN or an Inf) makes the sum NaN.
#include <stdint.h>
#include <string.h>

#include "gemm/ggml_dot.h"
#include "quant/ggml_blocks.h"
#include "quant/scalar.h"

namespace vane {

namespace {

float h2f(uint16_t h) { return f16_bits_to_f32(h); }

// The fifth bits of a 5-bit format: bit j of qh belongs to element j.
uint32_t qh_bits(const uint8_t qh[4]) {
    uint32_t v;
    memcpy(&v, qh, 4);
    return v;
}

// Byte j of a block's 16 code bytes holds element j in its low nibble and element j + 16 in its
// high nibble; the activation's q are in element order.

float dot_q5_0(const void *w, const void *act, int64_t nb) {
    const vane_block_q5_0 *x = (const vane_block_q5_0 *)w;
    const act_q8_0 *y = (const act_q8_0 *)act;
    float sum = 0.0f;
    for (int64_t b = 0; b < nb; b++) {
        const uint32_t qh = qh_bits(x[b].qh);
        int32_t isum = 0;
        for (int j = 0; j < 16; j++) {
            const int lo = (x[b].qs[j] & 0x0f) | (int)((qh >> j) & 1u) << 4;
            const int hi = (x[b].qs[j] >> 4) | (int)((qh >> (j + 16)) & 1u) << 4;
            isum += (lo - 16) * y[b].qs[j] + (hi - 16) * y[b].qs[j + 16];
        }
        sum += (h2f(x[b].d) * h2f(y[b].d)) * (float)isum;
    }
    return sum;
}

float dot_q5_1(const void *w, const void *act, int64_t nb) {
    const vane_block_q5_1 *x = (const vane_block_q5_1 *)w;
    const act_q8_1 *y = (const act_q8_1 *)act;
    float sum = 0.0f;
    for (int64_t b = 0; b < nb; b++) {
        const uint32_t qh = qh_bits(x[b].qh);
        int32_t isum = 0;
        for (int j = 0; j < 16; j++) {
            const int lo = (x[b].qs[j] & 0x0f) | (int)((qh >> j) & 1u) << 4;
            const int hi = (x[b].qs[j] >> 4) | (int)((qh >> (j + 16)) & 1u) << 4;
            isum += lo * y[b].qs[j] + hi * y[b].qs[j + 16];
        }
        sum += (h2f(x[b].d) * h2f(y[b].d)) * (float)isum + h2f(x[b].m) * h2f(y[b].s);
    }
    return sum;
}

float dot_q4_1(const void *w, const void *act, int64_t nb) {
    const vane_block_q4_1 *x = (const vane_block_q4_1 *)w;
    const act_q8_1 *y = (const act_q8_1 *)act;
    float sum = 0.0f;
    for (int64_t b = 0; b < nb; b++) {
        int32_t isum = 0;
        for (int j = 0; j < 16; j++) isum += (x[b].qs[j] & 0x0f) * y[b].qs[j] + (x[b].qs[j] >> 4) * y[b].qs[j + 16];
        sum += (h2f(x[b].d) * h2f(y[b].d)) * (float)isum + h2f(x[b].m) * h2f(y[b].s);
    }
    return sum;
}

// iq4_nl and mxfp4: each nibble indexes a table of 16 values.
int32_t table_dot(const uint8_t *qs, const int8_t *table, const int8_t *q) {
    int32_t isum = 0;
    for (int j = 0; j < 16; j++) isum += table[qs[j] & 0x0f] * q[j] + table[qs[j] >> 4] * q[j + 16];
    return isum;
}

float dot_iq4_nl(const void *w, const void *act, int64_t nb) {
    const vane_block_iq4_nl *x = (const vane_block_iq4_nl *)w;
    const act_q8_0 *y = (const act_q8_0 *)act;
    float sum = 0.0f;
    for (int64_t b = 0; b < nb; b++)
        sum += (h2f(y[b].d) * h2f(x[b].d)) * (float)table_dot(x[b].qs, kIq4Values, y[b].qs);
    return sum;
}

float dot_mxfp4(const void *w, const void *act, int64_t nb) {
    const vane_block_mxfp4 *x = (const vane_block_mxfp4 *)w;
    const act_q8_0 *y = (const act_q8_0 *)act;
    float sum = 0.0f;
    for (int64_t b = 0; b < nb; b++)
        sum += (h2f(y[b].d) * mxfp4_half_scale(x[b].e)) * (float)table_dot(x[b].qs, kMxfp4Values, y[b].qs);
    return sum;
}

}  // namespace

DotRowFn dot_row_legacy_ref(int32_t format) {
    switch (format) {
        case VANE_FORMAT_Q4_1: return dot_q4_1;
        case VANE_FORMAT_Q5_0: return dot_q5_0;
        case VANE_FORMAT_Q5_1: return dot_q5_1;
        case VANE_FORMAT_IQ4_NL:
        case VANE_FORMAT_IQ4_NL_X8: return dot_iq4_nl;  // on its rows copied out (ggml_gemm)
        case VANE_FORMAT_MXFP4: return dot_mxfp4;
        default: return nullptr;
    }
}

}  // namespace vane
