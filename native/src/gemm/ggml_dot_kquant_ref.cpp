// The reference dot kernels of the K-quants (q2_k ... q6_k) and IQ4_XS with q8_K activations
// (gemm/ggml_dot.h): the definition of correct for every variant.
//
// Each super-block of 256 is first decoded into its 256 small integer weights and the integer
// scale of each group of 16 (or 32), then the integer sums are taken exactly in int32 and the
// f32 part follows ggml's generic vec_dot (ggml-cpu/quants.c) operation for operation:
//   q2_k:          sum += (da * dw) * isum - (da * dmin) * msum, once per super-block;
//   q3_k, q6_k:    8 lane sums (element index mod 8) per super-block, lane[l] += (dw * da) *
//                  isum[l], and the 8 lanes added in order at the end;
//   q4_k, q5_k:    as q3_k, plus sum -= (dmin * da) * msum per super-block (sum starts at 0
//                  and the 8 lanes are added to it at the end);
//   iq4_xs:        sum += ((dw * da) * (scale - 32)) * isum, once per group of 32.
// A NaN activation block (d = NaN, q = 0) reaches the sum through its d, so the result is NaN.
#include <string.h>

#include "gemm/ggml_dot.h"
#include "quant/scalar.h"

namespace vane {

namespace {

constexpr int kQK = 256;

// ggml's kvalues_iq4nl.
constexpr int8_t kIq4Table[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

// The 6-bit scale and min of group j (0..7) of q4_k / q5_k (ggml's get_scale_min_k4).
void scale_min_k4(const uint8_t *s, int j, int *sc, int *m) {
    if (j < 4) {
        *sc = s[j] & 63;
        *m = s[j + 4] & 63;
    } else {
        *sc = (s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4);
        *m = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
    }
}

// The 16 signed scales of q3_k (6 bits each, stored as value + 32).
void scales_q3k(const uint8_t *s, int sc[16]) {
    for (int j = 0; j < 16; j++) {
        const int low = j < 8 ? (s[j] & 0xF) : (s[j - 8] >> 4);
        const int high = (s[8 + j % 4] >> (2 * (j / 4))) & 3;
        sc[j] = (low | (high << 4)) - 32;
    }
}

// sum over the 256 elements of scale16[i / 16] * w[i] * q[i], per lane i % 8.
void lane_sums(const int8_t *w, const int *scale16, const int8_t *q, int32_t lanes[8]) {
    for (int l = 0; l < 8; l++) lanes[l] = 0;
    for (int i = 0; i < kQK; i++) lanes[i % 8] += scale16[i / 16] * (w[i] * q[i]);
}

// sum over the 16 groups of 16 of m16[g] * bsums[g].
int32_t min_sum(const int *m16, const act_q8_k &a) {
    int32_t s = 0;
    for (int g = 0; g < 16; g++) s += m16[g] * a.bsums[g];
    return s;
}

float f16(uint16_t h) { return f16_bits_to_f32(h); }

float dot_q2_k(const void *w, const void *act, int64_t nb) {
    const vane_block_q2_k *x = (const vane_block_q2_k *)w;
    const act_q8_k *y = (const act_q8_k *)act;
    float sum = 0.0f;
    for (int64_t b = 0; b < nb; b++) {
        // Element 128h + 32j + l holds bits 2j..2j+1 of qs[32h + l]; group g = element / 16.
        int32_t isum = 0;
        for (int i = 0; i < kQK; i++) {
            const int h = i / 128, j = (i % 128) / 32, l = i % 32;
            const int q = (x[b].qs[32 * h + l] >> (2 * j)) & 3;
            isum += (x[b].scales[i / 16] & 0xF) * (q * y[b].qs[i]);
        }
        int m16[16];
        for (int g = 0; g < 16; g++) m16[g] = x[b].scales[g] >> 4;
        const int32_t msum = min_sum(m16, y[b]);
        const float dall = y[b].d * f16(x[b].d);
        const float dmin = y[b].d * f16(x[b].dmin);
        sum += dall * (float)isum - dmin * (float)msum;
    }
    return sum;
}

float dot_q3_k(const void *w, const void *act, int64_t nb) {
    const vane_block_q3_k *x = (const vane_block_q3_k *)w;
    const act_q8_k *y = (const act_q8_k *)act;
    float lanes_f[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int64_t b = 0; b < nb; b++) {
        // Element 128h + 32j + l: bits 2j..2j+1 of qs[32h + l], minus 4 unless bit 4h + j of
        // hmask[l] is set.
        int8_t v[kQK];
        for (int i = 0; i < kQK; i++) {
            const int h = i / 128, j = (i % 128) / 32, l = i % 32;
            const int low = (x[b].qs[32 * h + l] >> (2 * j)) & 3;
            const bool high = (x[b].hmask[l] >> (4 * h + j)) & 1;
            v[i] = (int8_t)(low - (high ? 0 : 4));
        }
        int sc[16];
        scales_q3k(x[b].scales, sc);
        int32_t lanes[8];
        lane_sums(v, sc, y[b].qs, lanes);
        const float d = f16(x[b].d) * y[b].d;
        for (int l = 0; l < 8; l++) lanes_f[l] += d * (float)lanes[l];
    }
    float sum = 0.0f;
    for (int l = 0; l < 8; l++) sum += lanes_f[l];
    return sum;
}

// q4_k and q5_k: 4-bit (or 5-bit) weights, groups of 32 with a 6-bit scale and min each.
// Element 64j + l (l < 32) is the low nibble of qs[32j + l], element 64j + 32 + l its high
// nibble; for q5_k bit i / 32 of qh[i % 32] adds 16.
float dot_q45_k(const uint8_t *dm, const uint8_t *scales, const uint8_t *qh, const uint8_t *qs,
                const act_q8_k &y, float *lanes_f) {
    int8_t v[kQK];
    for (int i = 0; i < kQK; i++) {
        const int j = i / 64, l = i % 32;
        const uint8_t byte = qs[32 * j + l];
        int q = (i % 64) < 32 ? (byte & 0xF) : (byte >> 4);
        if (qh && ((qh[l] >> (i / 32)) & 1)) q += 16;
        v[i] = (int8_t)q;
    }
    int sc16[16], m16[16];
    for (int g = 0; g < 8; g++) {
        int sc, m;
        scale_min_k4(scales, g, &sc, &m);
        sc16[2 * g] = sc16[2 * g + 1] = sc;
        m16[2 * g] = m16[2 * g + 1] = m;
    }
    int32_t lanes[8];
    lane_sums(v, sc16, y.qs, lanes);
    const int32_t msum = min_sum(m16, y);
    const float d = f16(get_u16(dm)) * y.d;
    for (int l = 0; l < 8; l++) lanes_f[l] += d * (float)lanes[l];
    const float dmin = f16(get_u16(dm + 2)) * y.d;
    return dmin * (float)msum;
}

float dot_q4_k(const void *w, const void *act, int64_t nb) {
    const vane_block_q4_k *x = (const vane_block_q4_k *)w;
    const act_q8_k *y = (const act_q8_k *)act;
    float lanes_f[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    float sum = 0.0f;
    for (int64_t b = 0; b < nb; b++)
        sum -= dot_q45_k((const uint8_t *)&x[b].d, x[b].scales, nullptr, x[b].qs, y[b], lanes_f);
    for (int l = 0; l < 8; l++) sum += lanes_f[l];
    return sum;
}

float dot_q5_k(const void *w, const void *act, int64_t nb) {
    const vane_block_q5_k *x = (const vane_block_q5_k *)w;
    const act_q8_k *y = (const act_q8_k *)act;
    float lanes_f[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    float sum = 0.0f;
    for (int64_t b = 0; b < nb; b++)
        sum -= dot_q45_k((const uint8_t *)&x[b].d, x[b].scales, x[b].qh, x[b].qs, y[b], lanes_f);
    for (int l = 0; l < 8; l++) sum += lanes_f[l];
    return sum;
}

float dot_q6_k(const void *w, const void *act, int64_t nb) {
    const vane_block_q6_k *x = (const vane_block_q6_k *)w;
    const act_q8_k *y = (const act_q8_k *)act;
    float lanes_f[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int64_t b = 0; b < nb; b++) {
        // Element 128h + 32k + l (k = 0..3): nibble k / 2 of ql[64h + 32(k % 2) + l] and bits
        // 2k..2k+1 of qh[32h + l] above it, minus 32.
        int8_t v[kQK];
        for (int i = 0; i < kQK; i++) {
            const int h = i / 128, k = (i % 128) / 32, l = i % 32;
            const uint8_t lo = x[b].ql[64 * h + 32 * (k % 2) + l];
            const int low = k < 2 ? (lo & 0xF) : (lo >> 4);
            const int high = (x[b].qh[32 * h + l] >> (2 * k)) & 3;
            v[i] = (int8_t)((low | (high << 4)) - 32);
        }
        int sc[16];
        for (int g = 0; g < 16; g++) sc[g] = x[b].scales[g];
        int32_t lanes[8];
        lane_sums(v, sc, y[b].qs, lanes);
        const float d = f16(x[b].d) * y[b].d;
        for (int l = 0; l < 8; l++) lanes_f[l] += d * (float)lanes[l];
    }
    float sum = 0.0f;
    for (int l = 0; l < 8; l++) sum += lanes_f[l];
    return sum;
}

float dot_iq4_xs(const void *w, const void *act, int64_t nb) {
    const vane_block_iq4_xs *x = (const vane_block_iq4_xs *)w;
    const act_q8_k *y = (const act_q8_k *)act;
    float sum = 0.0f;
    for (int64_t b = 0; b < nb; b++) {
        const float d = f16(x[b].d) * y[b].d;
        for (int g = 0; g < 8; g++) {
            // Group g of 32: scale = nibble g of scales_l | bits 2g..2g+1 of scales_h above it;
            // element 32g + l (l < 16) is the low nibble of qs[16g + l], 32g + 16 + l its high.
            const int low = (x[b].scales_l[g / 2] >> (4 * (g % 2))) & 0xF;
            const int high = (x[b].scales_h >> (2 * g)) & 3;
            const int ls = low | (high << 4);
            const uint8_t *qs = x[b].qs + 16 * g;
            const int8_t *q8 = y[b].qs + 32 * g;
            int32_t isum = 0;
            for (int l = 0; l < 16; l++)
                isum += kIq4Table[qs[l] & 0xF] * q8[l] + kIq4Table[qs[l] >> 4] * q8[l + 16];
            sum += (d * (float)(ls - 32)) * (float)isum;
        }
    }
    return sum;
}

}  // namespace

DotRowFn dot_row_kquant_ref(int32_t format) {
    switch (format) {
        case VANE_FORMAT_Q2_K: return dot_q2_k;
        case VANE_FORMAT_Q3_K: return dot_q3_k;
        case VANE_FORMAT_Q4_K:
        case VANE_FORMAT_Q4_K_X8: return dot_q4_k;  // on its rows copied out (ggml_gemm)
        case VANE_FORMAT_Q5_K: return dot_q5_k;
        case VANE_FORMAT_Q6_K:
        case VANE_FORMAT_Q6_K_X8: return dot_q6_k;  // on its rows copied out (ggml_gemm)
        case VANE_FORMAT_IQ4_XS:
        case VANE_FORMAT_IQ4_XS_X8: return dot_iq4_xs;  // on its rows copied out (ggml_gemm)
        default: return nullptr;
    }
}

}  // namespace vane
