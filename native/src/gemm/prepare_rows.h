// The row loop of the integer formats' prepare step (gemm.h's activation layout), shared by the
// SSE2 step (prepare.cpp) and the AVX-512 one (x86_avx512_prepare.cpp): each unit passes its own
// block quantizer, so the loop is compiled for that unit's instruction set.
#pragma once
#include <stdint.h>
#include <string.h>

#include "gemm/gemm.h"

namespace vane {
namespace {

// Rows [m0, m1) of a.x into a.scratch. quantize_block(x, q[32], &d, &qsum, &s) quantizes one
// block of 32 floats; the padding blocks past k are zeros.
template <class QuantizeBlock>
inline void prepare_rows(const GemmArgs &a, int64_t m0, int64_t m1, QuantizeBlock quantize_block) {
    const GemmActs acts = gemm_acts(a.scratch, a.m, a.k);
    const int64_t nb = a.k / 32, nbp = acts.nbp;
    for (int64_t i = m0; i < m1; i++) {
        int8_t *q = (int8_t *)acts.q + i * nbp * 32;
        float *d = (float *)acts.d + i * nbp;
        int32_t *qsum = (int32_t *)acts.qsum + i * nbp;
        float *s = (float *)acts.s + i * nbp;
        const float *x = a.x + i * a.ldx;
        for (int64_t b = 0; b < nbp; b++) {
            alignas(32) int8_t blk[32];
            const int64_t slot = act_slot(b);
            if (b < nb) {
                quantize_block(x + 32 * b, blk, d + slot, qsum + slot, s + slot);
            } else {  // padding
                memset(blk, 0, 32);
                d[slot] = 0.0f;
                qsum[slot] = 0;
                s[slot] = 0.0f;
            }
            if (acts.lanes) {
                for (int e = 0; e < 32; e += 4) memcpy(q + act_q_offset(b, e, true), blk + e, 4);
            } else {
                memcpy(q + act_q_offset(b, 0, false), blk, 16);
                memcpy(q + act_q_offset(b, 16, false), blk + 16, 16);
            }
        }
    }
}

}  // namespace
}  // namespace vane
