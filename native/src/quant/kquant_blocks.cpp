// GGUF's k-quant super-blocks (Q2_K .. Q6_K, 256 elements each): the reference quantizers and
// dequantizers of quant/ggml_blocks.h, byte for byte and bit for bit as ggml's
// quantize_row_q*_K_ref and dequantize_row_q*_K.
//
// Byte identity needs ggml's float operations in ggml's order: every sum below is accumulated
// left to right, every product is grouped as ggml's source groups it (a*b*c is (a*b)*c), ints
// meet floats as C converts them, and there is no fma (the build is -ffp-contract=off, and the
// llama.cpp library these are checked against computes them with plain SSE mulss/addss). The
// narrowing casts (int -> uint8_t / int8_t) wrap as GCC and Clang define them, as in ggml.
//
// Each super-block splits into 16 sub-blocks of 16 (Q2_K, Q3_K, Q6_K) or 8 of 32 (Q4_K, Q5_K).
// A sub-block gets a float scale (and, with a minimum, a float min) from a small search; the
// super-block stores them quantized against the largest one, under an fp16 d (and dmin); the
// codes are then recomputed with the stored scales, except in sub-blocks whose stored scale is
// 0, which keep the search's codes.
#include <math.h>
#include <string.h>

#include "quant/ggml_blocks.h"
#include "quant/quant.h"
#include "quant/scalar.h"

namespace vane {

namespace {

constexpr int kQK = 256;
// Below this a sub-block counts as all zero (ggml's GROUP_MAX_EPS).
constexpr float kGroupMaxEps = 1e-15f;

// ggml's nearest_int: round half to even by adding 1.5 * 2^23 and reading the mantissa. Exact for
// |v| <= 2^22; beyond that (and for NaN) it is still what ggml computes, so it is kept as is.
int nearest_int(float v) {
    const float t = v + 12582912.0f;
    int32_t i;
    memcpy(&i, &t, 4);
    return (i & 0x007fffff) - 0x00400000;
}

int clamp_int(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

float f16(uint16_t h) { return f16_bits_to_f32(h); }

// The element of largest magnitude (the first one if several tie), with its sign.
float signed_absmax(const float *x, int n, float *amax_out) {
    float max = 0.0f, amax = 0.0f;
    for (int i = 0; i < n; ++i) {
        const float ax = fabsf(x[i]);
        if (ax > amax) {
            amax = ax;
            max = x[i];
        }
    }
    *amax_out = amax;
    return max;
}

// Symmetric codes L[i] in [0, 2*nmax) (value l = L - nmax in [-nmax, nmax-1]) and their scale,
// weighted by x^2: ggml's make_qx_quants with rmse_type 1 and no importance weights. Tries
// iscale = -(nmax + 0.1 is) / max for is = -9..9 and keeps the least-squares scale of the best.
float symmetric_scale_x2(int n, int nmax, const float *x, int8_t *L) {
    float amax;
    const float max = signed_absmax(x, n, &amax);
    if (amax < kGroupMaxEps) {
        for (int i = 0; i < n; ++i) L[i] = 0;
        return 0.0f;
    }
    float iscale = (float)(-nmax) / max;
    float sumlx = 0.0f, suml2 = 0.0f;
    for (int i = 0; i < n; ++i) {
        const int l = clamp_int(nearest_int(iscale * x[i]), -nmax, nmax - 1);
        L[i] = (int8_t)(l + nmax);
        const float w = x[i] * x[i];
        sumlx += w * x[i] * (float)l;
        suml2 += w * (float)l * (float)l;
    }
    float scale = suml2 != 0.0f ? sumlx / suml2 : 0.0f;
    float best = scale * sumlx;
    for (int is = -9; is <= 9; ++is) {
        if (is == 0) continue;
        iscale = -((float)nmax + 0.1f * (float)is) / max;
        sumlx = suml2 = 0.0f;
        for (int i = 0; i < n; ++i) {
            const int l = clamp_int(nearest_int(iscale * x[i]), -nmax, nmax - 1);
            const float w = x[i] * x[i];
            sumlx += w * x[i] * (float)l;
            suml2 += w * (float)l * (float)l;
        }
        if (suml2 > 0.0f && sumlx * sumlx > best * suml2) {
            for (int i = 0; i < n; ++i)
                L[i] = (int8_t)(nmax + clamp_int(nearest_int(iscale * x[i]), -nmax, nmax - 1));
            scale = sumlx / suml2;
            best = scale * sumlx;
        }
    }
    return scale;
}

// Q3_K's sub-block search (ggml's make_q3_quants with do_rmse): start from iscale = -nmax / max,
// then up to 5 passes that move single codes where that raises the x^2-weighted fit
// sumlx^2 / suml2. Codes L[i] in [0, 2*nmax) (l + nmax); returns the least-squares scale.
float q3_scale_search(int n, int nmax, const float *x, int8_t *L) {
    float amax;
    const float max = signed_absmax(x, n, &amax);
    if (amax < kGroupMaxEps) {
        for (int i = 0; i < n; ++i) L[i] = 0;
        return 0.0f;
    }
    const float iscale = (float)(-nmax) / max;
    float sumlx = 0.0f, suml2 = 0.0f;
    for (int i = 0; i < n; ++i) {
        const int l = clamp_int(nearest_int(iscale * x[i]), -nmax, nmax - 1);
        L[i] = (int8_t)l;
        const float w = x[i] * x[i];
        sumlx += w * x[i] * (float)l;
        suml2 += w * (float)l * (float)l;
    }
    for (int pass = 0; pass < 5; ++pass) {
        int changed = 0;
        for (int i = 0; i < n; ++i) {
            const float w = x[i] * x[i];
            float slx = sumlx - w * x[i] * (float)L[i];
            if (!(slx > 0.0f)) continue;
            float sl2 = suml2 - w * (float)L[i] * (float)L[i];
            const int nl = clamp_int(nearest_int(x[i] * sl2 / slx), -nmax, nmax - 1);
            if (nl == L[i]) continue;
            slx += w * x[i] * (float)nl;
            sl2 += w * (float)nl * (float)nl;
            if (sl2 > 0.0f && slx * slx * suml2 > sumlx * sumlx * sl2) {
                L[i] = (int8_t)nl;
                sumlx = slx;
                suml2 = sl2;
                ++changed;
            }
        }
        if (!changed) break;
    }
    for (int i = 0; i < n; ++i) L[i] = (int8_t)(L[i] + nmax);
    return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

// Codes L[i] in [0, nmax] for x ~ scale * L - the_min (the_min >= 0), weighted by w: ggml's
// make_qkx2_quants. Starts from the range [min(x, 0), max(x)], then for iscale = (rmin + rdelta
// is + nmax) / range, is = 0..nstep, fits scale and min by weighted least squares and keeps the
// fit of least weighted error (absolute if use_mad, else squared).
float min_scale_search(int n, int nmax, const float *x, const float *w, uint8_t *L, float *the_min,
                       float rmin, float rdelta, int nstep, bool use_mad) {
    float min = x[0], max = x[0];
    float sum_w = w[0];
    float sum_x = sum_w * x[0];
    for (int i = 1; i < n; ++i) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
        sum_w += w[i];
        sum_x += w[i] * x[i];
    }
    if (min > 0.0f) min = 0.0f;
    if (max == min) {
        for (int i = 0; i < n; ++i) L[i] = 0;
        *the_min = -min;
        return 0.0f;
    }
    float iscale = (float)nmax / (max - min);
    float scale = 1.0f / iscale;
    float best_error = 0.0f;
    for (int i = 0; i < n; ++i) {
        L[i] = (uint8_t)clamp_int(nearest_int(iscale * (x[i] - min)), 0, nmax);
        float diff = scale * (float)L[i] + min - x[i];
        diff = use_mad ? fabsf(diff) : diff * diff;
        best_error += w[i] * diff;
    }
    uint8_t Laux[32];
    for (int is = 0; is <= nstep; ++is) {
        iscale = (rmin + rdelta * (float)is + (float)nmax) / (max - min);
        float sum_l = 0.0f, sum_l2 = 0.0f, sum_xl = 0.0f;
        for (int i = 0; i < n; ++i) {
            const int l = clamp_int(nearest_int(iscale * (x[i] - min)), 0, nmax);
            Laux[i] = (uint8_t)l;
            sum_l += w[i] * (float)l;
            sum_l2 += w[i] * (float)l * (float)l;
            sum_xl += w[i] * (float)l * x[i];
        }
        const float D = sum_w * sum_l2 - sum_l * sum_l;
        if (!(D > 0.0f)) continue;
        float this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
        float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
        if (this_min > 0.0f) {
            this_min = 0.0f;
            this_scale = sum_xl / sum_l2;
        }
        float cur_error = 0.0f;
        for (int i = 0; i < n; ++i) {
            float diff = this_scale * (float)Laux[i] + this_min - x[i];
            diff = use_mad ? fabsf(diff) : diff * diff;
            cur_error += w[i] * diff;
        }
        if (cur_error < best_error) {
            memcpy(L, Laux, (size_t)n);
            best_error = cur_error;
            scale = this_scale;
            min = this_min;
        }
    }
    *the_min = -min;
    return scale;
}

// The 6-bit scale and min of sub-block j (0..7) in Q4_K / Q5_K's 12 scale bytes: j < 4 in the
// low 6 bits of bytes j and j + 4; j >= 4 split into a nibble of byte j + 4 and the top 2 bits
// of bytes j - 4 (scale) and j (min). ggml's get_scale_min_k4.
void get_scale_min_k4(int j, const uint8_t *q, uint8_t *sc, uint8_t *m) {
    if (j < 4) {
        *sc = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *sc = (uint8_t)((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        *m = (uint8_t)((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

void put_scale_min_k4(int j, uint8_t ls, uint8_t lm, uint8_t *q) {
    if (j < 4) {
        q[j] = ls;
        q[j + 4] = lm;
    } else {
        q[j + 4] = (uint8_t)((ls & 0xF) | ((lm & 0xF) << 4));
        q[j - 4] |= (uint8_t)((ls >> 4) << 6);
        q[j] |= (uint8_t)((lm >> 4) << 6);
    }
}

// Q3_K's signed 6-bit sub-block scale j (0..15, stored + 32): low nibble in byte j (j < 8) or
// high nibble of byte j - 8, top 2 bits in byte 8 + j % 4 at bit 2 * (j / 4).
int q3_scale(const uint8_t *s, int j) {
    const int lo = j < 8 ? (s[j] & 0xF) : (s[j - 8] >> 4);
    const int hi = (s[8 + j % 4] >> (2 * (j / 4))) & 3;
    return (lo | (hi << 4)) - 32;
}

// 2-bit codes L[0..255] as Q2_K / Q3_K store them: byte 32 h + l of a 64-byte array holds
// elements 128 h + l + 32 k at bits 2k.
void pack_2bit(const uint8_t *L, uint8_t *qs) {
    for (int h = 0; h < 2; ++h)
        for (int l = 0; l < 32; ++l) {
            const uint8_t *e = L + 128 * h + l;
            qs[32 * h + l] = (uint8_t)(e[0] | (e[32] << 2) | (e[64] << 4) | (e[96] << 6));
        }
}

// QUANT_SCALE_RANGE where a stored fp16 scale is Inf, or where a sub-block's own float scale is
// not finite. The second happens far past the fp16 range (|x| above about 1.8e19), where the
// searches' x^2 weights overflow f32 and a sub-block's scale comes out as Inf / Inf: ggml then
// drops that sub-block (its scale code becomes 0) and stores a finite d for the others, a block
// that silently loses the input.
int32_t scale_result(uint16_t d, uint16_t dmin, const float *sub_scale, int n) {
    if (!fp16_bits_finite(d) || !fp16_bits_finite(dmin)) return QUANT_SCALE_RANGE;
    for (int j = 0; j < n; ++j)
        if (!isfinite(sub_scale[j])) return QUANT_SCALE_RANGE;
    return QUANT_OK;
}

// The codes of a Q4_K / Q5_K super-block: 8 sub-blocks of 32 searched with min_scale_search
// (weights av_x + |x|, av_x the sub-block's RMS), scales and mins stored in 6 bits against the
// largest, then the codes recomputed with the stored values. Writes d, dmin, scales[12], L[256];
// returns a QuantResult.
int32_t asymmetric_k4_codes(const float *x, int nmax, float rmin, int nstep, uint16_t *d_out,
                         uint16_t *dmin_out, uint8_t *scales, uint8_t *L) {
    float sub_scale[8], sub_min[8];
    float max_scale = 0.0f, max_min = 0.0f;
    for (int j = 0; j < 8; ++j) {
        const float *xs = x + 32 * j;
        float sum_x2 = 0.0f;
        for (int l = 0; l < 32; ++l) sum_x2 += xs[l] * xs[l];
        const float av_x = sqrtf(sum_x2 / 32.0f);
        float w[32];
        for (int l = 0; l < 32; ++l) w[l] = av_x + fabsf(xs[l]);
        sub_scale[j] = min_scale_search(32, nmax, xs, w, L + 32 * j, &sub_min[j], rmin, 0.1f, nstep, false);
        if (sub_scale[j] > max_scale) max_scale = sub_scale[j];
        if (sub_min[j] > max_min) max_min = sub_min[j];
    }
    const float inv_scale = max_scale > 0.0f ? 63.0f / max_scale : 0.0f;
    const float inv_min = max_min > 0.0f ? 63.0f / max_min : 0.0f;
    for (int j = 0; j < 8; ++j) {
        uint8_t ls = (uint8_t)nearest_int(inv_scale * sub_scale[j]);
        uint8_t lm = (uint8_t)nearest_int(inv_min * sub_min[j]);
        if (ls > 63) ls = 63;
        if (lm > 63) lm = 63;
        put_scale_min_k4(j, ls, lm, scales);
    }
    const uint16_t d = f32_to_f16_bits(max_scale / 63.0f);
    const uint16_t dmin = f32_to_f16_bits(max_min / 63.0f);
    for (int j = 0; j < 8; ++j) {
        uint8_t sc, m;
        get_scale_min_k4(j, scales, &sc, &m);
        const float dj = f16(d) * (float)sc;
        if (dj == 0.0f) continue;
        const float dm = f16(dmin) * (float)m;
        for (int i = 0; i < 32; ++i)
            L[32 * j + i] = (uint8_t)clamp_int(nearest_int((x[32 * j + i] + dm) / dj), 0, nmax);
    }
    *d_out = d;
    *dmin_out = dmin;
    return scale_result(d, dmin, sub_scale, 8);
}

}  // namespace

// ---- Q2_K: 16 x 16 codes of 2 bits, 4-bit scale and min per sub-block --------------------------

int32_t quantize_q2_k(const float *x, uint8_t *blk) {
    vane_block_q2_k b;
    uint8_t L[kQK];
    float sub_scale[16], sub_min[16];
    float max_scale = 0.0f, max_min = 0.0f;
    for (int j = 0; j < 16; ++j) {
        float w[16];
        for (int l = 0; l < 16; ++l) w[l] = fabsf(x[16 * j + l]);
        sub_scale[j] = min_scale_search(16, 3, x + 16 * j, w, L + 16 * j, &sub_min[j], -0.5f, 0.1f, 15, true);
        if (sub_scale[j] > max_scale) max_scale = sub_scale[j];
        if (sub_min[j] > max_min) max_min = sub_min[j];
    }
    if (max_scale > 0.0f) {
        const float iscale = 15.0f / max_scale;
        for (int j = 0; j < 16; ++j) b.scales[j] = (uint8_t)nearest_int(iscale * sub_scale[j]);
        b.d = f32_to_f16_bits(max_scale / 15.0f);
    } else {
        memset(b.scales, 0, 16);
        b.d = f32_to_f16_bits(0.0f);
    }
    if (max_min > 0.0f) {
        const float iscale = 15.0f / max_min;
        // Shifted as unsigned: the same bits as ggml's int shift, without its undefined case.
        for (int j = 0; j < 16; ++j) b.scales[j] |= (uint8_t)((uint32_t)nearest_int(iscale * sub_min[j]) << 4);
        b.dmin = f32_to_f16_bits(max_min / 15.0f);
    } else {
        b.dmin = f32_to_f16_bits(0.0f);
    }
    for (int j = 0; j < 16; ++j) {
        const float d = f16(b.d) * (float)(b.scales[j] & 0xF);
        if (d == 0.0f) continue;
        const float dm = f16(b.dmin) * (float)(b.scales[j] >> 4);
        for (int i = 0; i < 16; ++i) L[16 * j + i] = (uint8_t)clamp_int(nearest_int((x[16 * j + i] + dm) / d), 0, 3);
    }
    pack_2bit(L, b.qs);
    memcpy(blk, &b, sizeof b);
    return scale_result(b.d, b.dmin, sub_scale, 16);
}

void dequantize_q2_k(const uint8_t *blk, float *y) {
    vane_block_q2_k b;
    memcpy(&b, blk, sizeof b);
    const float d = f16(b.d), min = f16(b.dmin);
    for (int e = 0; e < kQK; ++e) {
        const uint8_t sc = b.scales[e / 16];
        const float dl = d * (float)(sc & 0xF), ml = min * (float)(sc >> 4);
        const int q = (b.qs[32 * (e / 128) + e % 32] >> (2 * ((e % 128) / 32))) & 3;
        y[e] = dl * (float)q - ml;
    }
}

// ---- Q3_K: 16 x 16 signed 3-bit codes (2 low bits + a high-bit mask), 6-bit signed scales ------

int32_t quantize_q3_k(const float *x, uint8_t *blk) {
    vane_block_q3_k b;
    int8_t L[kQK];
    float sub_scale[16];
    float max_scale = 0.0f, amax = 0.0f;
    for (int j = 0; j < 16; ++j) {
        sub_scale[j] = q3_scale_search(16, 4, x + 16 * j, L + 16 * j);
        const float a = fabsf(sub_scale[j]);
        if (a > amax) {
            amax = a;
            max_scale = sub_scale[j];
        }
    }
    memset(b.scales, 0, 12);
    if (max_scale != 0.0f) {
        const float iscale = -32.0f / max_scale;
        for (int j = 0; j < 16; ++j) {
            int8_t l = (int8_t)nearest_int(iscale * sub_scale[j]);  // wraps to 8 bits first, as ggml
            l = (int8_t)(clamp_int(l, -32, 31) + 32);
            if (j < 8) b.scales[j] = (uint8_t)(l & 0xF);
            else b.scales[j - 8] |= (uint8_t)((l & 0xF) << 4);
            b.scales[8 + j % 4] |= (uint8_t)((l >> 4) << (2 * (j / 4)));
        }
        b.d = f32_to_f16_bits(1.0f / iscale);
    } else {
        b.d = f32_to_f16_bits(0.0f);
    }
    for (int j = 0; j < 16; ++j) {
        const float d = f16(b.d) * (float)q3_scale(b.scales, j);
        if (d == 0.0f) continue;
        for (int i = 0; i < 16; ++i) L[16 * j + i] = (int8_t)(clamp_int(nearest_int(x[16 * j + i] / d), -4, 3) + 4);
    }
    // Codes 4..7 set their element's bit in hmask (element e: byte e % 32, bit e / 32).
    uint8_t low[kQK];
    memset(b.hmask, 0, 32);
    for (int e = 0; e < kQK; ++e) {
        int l = L[e];
        if (l > 3) {
            b.hmask[e % 32] |= (uint8_t)(1u << (e / 32));
            l -= 4;
        }
        low[e] = (uint8_t)l;
    }
    pack_2bit(low, b.qs);
    memcpy(blk, &b, sizeof b);
    return scale_result(b.d, 0, sub_scale, 16);
}

void dequantize_q3_k(const uint8_t *blk, float *y) {
    vane_block_q3_k b;
    memcpy(&b, blk, sizeof b);
    const float d_all = f16(b.d);
    for (int e = 0; e < kQK; ++e) {
        const float dl = d_all * (float)q3_scale(b.scales, e / 16);
        const int lo = (b.qs[32 * (e / 128) + e % 32] >> (2 * ((e % 128) / 32))) & 3;
        const int hi = (b.hmask[e % 32] >> (e / 32)) & 1;
        y[e] = dl * (float)(lo - (hi ? 0 : 4));
    }
}

// ---- Q4_K: 8 x 32 codes of 4 bits, 6-bit scale and min per sub-block ---------------------------

int32_t quantize_q4_k(const float *x, uint8_t *blk) {
    vane_block_q4_k b;
    uint8_t L[kQK];
    const int32_t rc = asymmetric_k4_codes(x, 15, -1.0f, 20, &b.d, &b.dmin, b.scales, L);
    // Byte 32 c + l: element 64 c + l in the low nibble, 64 c + 32 + l in the high one.
    for (int c = 0; c < 4; ++c)
        for (int l = 0; l < 32; ++l) b.qs[32 * c + l] = (uint8_t)(L[64 * c + l] | (L[64 * c + 32 + l] << 4));
    memcpy(blk, &b, sizeof b);
    return rc;
}

void dequantize_q4_k(const uint8_t *blk, float *y) {
    vane_block_q4_k b;
    memcpy(&b, blk, sizeof b);
    const float d = f16(b.d), min = f16(b.dmin);
    for (int j = 0; j < 8; ++j) {
        uint8_t sc, m;
        get_scale_min_k4(j, b.scales, &sc, &m);
        const float dj = d * (float)sc, mj = min * (float)m;
        const uint8_t *q = b.qs + 32 * (j / 2);
        const int shift = 4 * (j % 2);
        for (int l = 0; l < 32; ++l) y[32 * j + l] = dj * (float)((q[l] >> shift) & 0xF) - mj;
    }
}

// ---- Q5_K: Q4_K's layout with a fifth bit per code in qh ---------------------------------------

int32_t quantize_q5_k(const float *x, uint8_t *blk) {
    vane_block_q5_k b;
    uint8_t L[kQK];
    const int32_t rc = asymmetric_k4_codes(x, 31, -0.5f, 15, &b.d, &b.dmin, b.scales, L);
    // As Q4_K for the low 4 bits; the fifth bit of element 32 j + l is bit j of qh[l].
    memset(b.qh, 0, 32);
    for (int c = 0; c < 4; ++c)
        for (int l = 0; l < 32; ++l) {
            const int lo = L[64 * c + l], hi = L[64 * c + 32 + l];
            b.qh[l] |= (uint8_t)(((lo >> 4) << (2 * c)) | ((hi >> 4) << (2 * c + 1)));
            b.qs[32 * c + l] = (uint8_t)((lo & 0xF) | ((hi & 0xF) << 4));
        }
    memcpy(blk, &b, sizeof b);
    return rc;
}

void dequantize_q5_k(const uint8_t *blk, float *y) {
    vane_block_q5_k b;
    memcpy(&b, blk, sizeof b);
    const float d = f16(b.d), min = f16(b.dmin);
    for (int j = 0; j < 8; ++j) {
        uint8_t sc, m;
        get_scale_min_k4(j, b.scales, &sc, &m);
        const float dj = d * (float)sc, mj = min * (float)m;
        const uint8_t *q = b.qs + 32 * (j / 2);
        const int shift = 4 * (j % 2);
        for (int l = 0; l < 32; ++l) {
            const int v = ((q[l] >> shift) & 0xF) + (((b.qh[l] >> j) & 1) ? 16 : 0);
            y[32 * j + l] = dj * (float)v - mj;
        }
    }
}

// ---- Q6_K: 16 x 16 signed 6-bit codes (4 low bits in ql, 2 high in qh), int8 scales ------------

int32_t quantize_q6_k(const float *x, uint8_t *blk) {
    vane_block_q6_k b;
    int8_t L[kQK];
    float sub_scale[16];
    float max_scale = 0.0f, max_abs_scale = 0.0f;
    for (int j = 0; j < 16; ++j) {
        sub_scale[j] = symmetric_scale_x2(16, 32, x + 16 * j, L + 16 * j);
        const float a = fabsf(sub_scale[j]);
        if (a > max_abs_scale) {
            max_abs_scale = a;
            max_scale = sub_scale[j];
        }
    }
    if (max_abs_scale < kGroupMaxEps) {
        memset(blk, 0, sizeof b);  // d = +0 and every code 0
        return scale_result(0, 0, sub_scale, 16);  // all zero, or every sub-block overflowed
    }
    const float iscale = -128.0f / max_scale;
    b.d = f32_to_f16_bits(1.0f / iscale);
    for (int j = 0; j < 16; ++j) {
        const int s = nearest_int(iscale * sub_scale[j]);
        b.scales[j] = (int8_t)(s < 127 ? s : 127);
    }
    for (int j = 0; j < 16; ++j) {
        const float d = f16(b.d) * (float)b.scales[j];
        if (d == 0.0f) continue;
        for (int i = 0; i < 16; ++i) L[16 * j + i] = (int8_t)(clamp_int(nearest_int(x[16 * j + i] / d), -32, 31) + 32);
    }
    // Element 128 h + 32 g + l (g = 0..3): low nibble in ql[64 h + l + 32 (g % 2)] (at bit 4 for
    // g >= 2), high 2 bits in qh[32 h + l] at bit 2 g.
    for (int h = 0; h < 2; ++h)
        for (int l = 0; l < 32; ++l) {
            const int8_t *e = L + 128 * h + l;
            b.ql[64 * h + l] = (uint8_t)((e[0] & 0xF) | ((e[64] & 0xF) << 4));
            b.ql[64 * h + 32 + l] = (uint8_t)((e[32] & 0xF) | ((e[96] & 0xF) << 4));
            b.qh[32 * h + l] = (uint8_t)((e[0] >> 4) | ((e[32] >> 4) << 2) | ((e[64] >> 4) << 4) | ((e[96] >> 4) << 6));
        }
    memcpy(blk, &b, sizeof b);
    return scale_result(b.d, 0, sub_scale, 16);
}

void dequantize_q6_k(const uint8_t *blk, float *y) {
    vane_block_q6_k b;
    memcpy(&b, blk, sizeof b);
    const float d = f16(b.d);
    for (int e = 0; e < kQK; ++e) {
        const int h = e / 128, g = (e % 128) / 32, l = e % 32;
        const int lo = (b.ql[64 * h + 32 * (g % 2) + l] >> (4 * (g / 2))) & 0xF;
        const int hi = (b.qh[32 * h + l] >> (2 * g)) & 3;
        y[e] = d * (float)b.scales[e / 16] * (float)((lo | (hi << 4)) - 32);
    }
}

}  // namespace vane
