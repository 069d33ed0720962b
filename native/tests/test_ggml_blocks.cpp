// The reference blocks of Q4_1, Q5_0, Q5_1, IQ4_NL, IQ4_XS and MXFP4 (quant/ggml_blocks.h)
// against llama.cpp's own functions (tests/ggml_peer.h):
//  (a) quantize: the block's bytes equal quantize_row_<t>_ref's (IQ4_NL: quantize_iq4_nl's, what
//      llama.cpp writes into files), on seeded random blocks (several
//      distributions, magnitudes 2^-20..2^13) and on edge blocks (zeros, constants, one huge
//      value, tiny values with fp16-subnormal scales, exact ties on each grid, equal magnitudes of
//      both signs, powers of two, E2M1 midpoints, fp16 scale overflow). QUANT_SCALE_RANGE exactly
//      where ggml stores a non-finite fp16 scale or minimum;
//  (b) dequantize: floats bit-identical to dequantize_row_<t>'s, on those blocks and on random
//      bytes with finite fp16 scales (MXFP4: every E8M0 exponent 0..255);
//  (c) the round trip stays within each type's error bound (derived next to the bound).
// Outputs are poisoned before each call, with different patterns for Vane and for ggml, so an
// element either leaves unwritten fails.
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <vector>

#include "check.h"
#include "ggml_peer.h"
#include "quant/ggml_blocks.h"
#include "quant/quant.h"
#include "quant/scalar.h"

namespace {

using vane::f16_bits_to_f32;

enum Kind { Q4_1, Q5_0, Q5_1, IQ4_NL, IQ4_XS, MXFP4 };

struct BlockType {
    Kind kind;
    const char *name;
    int elems, bytes;
    int32_t (*quant)(const float *, uint8_t *);
    void (*dequant)(const uint8_t *, float *);
    const char *peer_quant, *peer_dequant;
    ggml_peer_quantize_t pq = nullptr;
    ggml_peer_dequantize_t pd = nullptr;
};

BlockType g_types[] = {
    {Q4_1, "q4_1", 32, 20, vane::quantize_q4_1, vane::dequantize_q4_1, "quantize_row_q4_1_ref", "dequantize_row_q4_1"},
    {Q5_0, "q5_0", 32, 22, vane::quantize_q5_0, vane::dequantize_q5_0, "quantize_row_q5_0_ref", "dequantize_row_q5_0"},
    {Q5_1, "q5_1", 32, 24, vane::quantize_q5_1, vane::dequantize_q5_1, "quantize_row_q5_1_ref", "dequantize_row_q5_1"},
    {IQ4_NL, "iq4_nl", 32, 18, vane::quantize_iq4_nl, vane::dequantize_iq4_nl, "quantize_iq4_nl", "dequantize_row_iq4_nl"},
    {IQ4_XS, "iq4_xs", 256, 136, vane::quantize_iq4_xs, vane::dequantize_iq4_xs, "quantize_row_iq4_xs_ref", "dequantize_row_iq4_xs"},
    {MXFP4, "mxfp4", 32, 17, vane::quantize_mxfp4, vane::dequantize_mxfp4, "quantize_row_mxfp4_ref", "dequantize_row_mxfp4"},
};

constexpr int kMaxElems = 256, kMaxBytes = 136;
constexpr uint32_t kPoisonOurs = 0x7fa00001u, kPoisonPeer = 0xffffffffu;

uint16_t rd16(const uint8_t *p) {
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}
bool finite16(uint16_t h) { return (h & 0x7c00u) != 0x7c00u; }

// Offsets of the type's fp16 scale fields (-1: none).
void fp16_fields(Kind k, int *a, int *b) {
    *a = k == MXFP4 ? -1 : 0;
    *b = (k == Q4_1 || k == Q5_1) ? 2 : -1;
}

// Half an fp16 ulp at |v| (v an fp16 value): how far the f32 scale can be from its rounding.
double half_ulp16(double v) {
    double a = fabs(v);
    return a >= 0x1p-14 ? a * 0x1p-11 : 0x1p-25;
}

float amax_of(const float *x, int n) {
    float a = 0.0f;
    for (int j = 0; j < n; j++) a = fabsf(x[j]) > a ? fabsf(x[j]) : a;
    return a;
}
void min_max(const float *x, int n, float *mn, float *mx) {
    *mn = x[0];
    *mx = x[0];
    for (int j = 1; j < n; j++) {
        *mn = x[j] < *mn ? x[j] : *mn;
        *mx = x[j] > *mx ? x[j] : *mx;
    }
}

// Whether ggml's own result is undefined for this block, so there is nothing to agree with.
//  - Q4_1 / Q5_1 with 0 < max - min < 2^-100, Q5_0 with 0 < amax < 2^-100: 1/d overflows to Inf
//    and ggml converts Inf (or 0 * Inf = NaN) to an integer, undefined in C.
//  - MXFP4 with 0 < amax < 2^-125: floor(log2(amax)) - 2 + 127 is negative and ggml converts it
//    to uint8_t, undefined in C.
// (IQ4_NL's blocks below 1e-15: scale 0 and code 8 everywhere, checked in check_quant.)
bool ggml_undefined(Kind k, const float *x, int n) {
    float mn, mx;
    min_max(x, n, &mn, &mx);
    float range = mx - mn, amax = amax_of(x, n);
    switch (k) {
        case Q4_1:
        case Q5_1: return range > 0.0f && range < 0x1p-100f;
        case Q5_0: return amax > 0.0f && amax < 0x1p-100f;
        case MXFP4: return amax > 0.0f && amax < 0x1p-125f;
        default: return false;
    }
}

// ---- (c) round-trip bounds ---------------------------------------------------------------------

// Q4_1 / Q5_1 (levels 15 / 31): the code is round((x - min) / d) with d = (max - min) / levels, so
// |x - (q d + min)| <= d / 2; the stored d16 and m16 add levels * |d - d16| + |min - m16|. Slack:
// a few f32 roundings (x - min, the product, + 0.5, then q * d16 + m16).
int bound_affine(const float *x, const uint8_t *blk, const float *y, int levels) {
    float mn, mx;
    min_max(x, 32, &mn, &mx);
    double d = (double)((mx - mn) / (float)levels);
    double d16 = f16_bits_to_f32(rd16(blk)), m16 = f16_bits_to_f32(rd16(blk + 2));
    int bad = 0;
    for (int j = 0; j < 32; j++) {
        double err = fabs((double)y[j] - x[j]);
        double b = 0.5 * d * (1 + 0x1p-16) + levels * fabs(d - d16) + fabs(mn - m16) + 0x1p-22 * (fabs(x[j]) + fabs(y[j]));
        if (!(err <= b)) bad++;
    }
    return bad;
}

// Q5_0: q = round(x / d) + 16 with d = max / -16 (max: the element of largest magnitude), capped at
// 31, so |x - (q - 16) d| <= |d| / 2, or |d| where the cap bites (x = -max gives 16); the stored
// d16 adds 16 |d - d16|.
int bound_q5_0(const float *x, const uint8_t *blk, const float *y) {
    float max = 0.0f, amax = 0.0f;
    for (int j = 0; j < 32; j++) {
        if (amax < fabsf(x[j])) {
            amax = fabsf(x[j]);
            max = x[j];
        }
    }
    double d = (double)(max / -16.0f), d16 = f16_bits_to_f32(rd16(blk));
    int bad = 0;
    for (int j = 0; j < 32; j++) {
        double err = fabs((double)y[j] - x[j]);
        double b = fabs(d) * (1 + 0x1p-16) + 16 * fabs(d - d16) + 0x1p-22 * (fabs(x[j]) + fabs(y[j]));
        if (!(err <= b)) bad++;
    }
    return bad;
}

// IQ4, one sub-block of 32 with weights w = x^2 (ggml's, without an importance matrix), in the
// weighted norm E(s, q) = sqrt(sum w (x - s q)^2):
//  - the first scale d0 = amax / 127 (either sign) puts every x / d0 within [-127, 127]; the table
//    (-127 .. 113, gaps <= 24) is then within 14 |d0| of it, so E(d0, q0) <= 14 |d0| sqrt(sum w);
//  - the kept scale s (with its codes q_s) is the least-squares scale of the best candidate, so
//    E(s, q_s) <= E(d0, q0);
//  - IQ4_NL stores s as d16: E <= E(s, q_s) + 127 |s - d16| sqrt(sum w);
//  - IQ4_XS stores dl = d l (l = round(s / d), |s - dl| <= |d|, the cap included) and recomputes
//    the nearest codes for dl, which can only do better than q_s: E <= E(s, q_s) + 127 |d|
//    sqrt(sum w); the stored d16 * l adds 32 * 127 |d - d16| sqrt(sum w).
// Sub-blocks below 1e-15 are stored as 0 (error |x| < 1e-15). Below 2^-30 the sums w q x reach
// f32 subnormals and lose the precision the bound's slack assumes: not checked there.
// sub_extra: the stored-scale term divided by sqrt(sum w).
int bound_iq4_sub(const float *x, const float *y, double sub_extra) {
    float amax = amax_of(x, 32);
    if (amax < 1e-15f) {
        int bad = 0;
        for (int j = 0; j < 32; j++) bad += !(fabs((double)y[j] - x[j]) < 1e-15);
        return bad;
    }
    if (amax < 0x1p-30f) return 0;
    double sw = 0, e2 = 0;
    for (int j = 0; j < 32; j++) {
        double w = (double)x[j] * x[j], e = (double)y[j] - x[j];
        sw += w;
        e2 += w * e * e;
    }
    double b = (14.0 * amax / 127.0 + sub_extra) * sqrt(sw) * (1 + 0x1p-10);
    return sqrt(e2) <= b ? 0 : 1;
}

int bound_iq4_nl(const float *x, const uint8_t *blk, const float *y) {
    return bound_iq4_sub(x, y, 127 * half_ulp16(f16_bits_to_f32(rd16(blk))));
}

int bound_iq4_xs(const float *x, const uint8_t *blk, const float *y) {
    double d16 = f16_bits_to_f32(rd16(blk)), u = half_ulp16(d16);
    int bad = 0;
    for (int ib = 0; ib < 8; ib++) bad += bound_iq4_sub(x + 32 * ib, y + 32 * ib, 127 * (fabs(d16) + u) + 32 * 127 * u);
    return bad;
}

// MXFP4: d = 2^(e - 128) with e = floor(log2 amax) + 125 (the doubled table 0..12 times d), so
// amax / d < 16 (also when log2f rounds up to the next integer: then amax / d ~ 8). Above 12 the
// code 12 is within 4d; below, the largest gap (8 to 12) gives 2d. All values here are exact.
int bound_mxfp4(const float *x, const uint8_t *blk, const float *y) {
    double d = vane::mxfp4_half_scale(blk[0]);
    int bad = 0;
    for (int j = 0; j < 32; j++) bad += !(fabs((double)y[j] - x[j]) <= 4 * d * (1 + 0x1p-20));
    return bad;
}

int round_trip_failures(Kind k, const float *x, const uint8_t *blk, const float *y) {
    switch (k) {
        case Q4_1: return bound_affine(x, blk, y, 15);
        case Q5_0: return bound_q5_0(x, blk, y);
        case Q5_1: return bound_affine(x, blk, y, 31);
        case IQ4_NL: return bound_iq4_nl(x, blk, y);
        case IQ4_XS: return bound_iq4_xs(x, blk, y);
        case MXFP4: return bound_mxfp4(x, blk, y);
    }
    return 0;
}

// ---- (a), (b) agreement ---------------------------------------------------------------------------

struct Stats {
    int blocks = 0, range = 0, excluded = 0, unset_codes = 0;
};

// Our dequantize and ggml's on the same bytes, bit for bit; returns our floats in y.
void check_dequant(const BlockType &t, const uint8_t *blk, float *y, const char *what) {
    float yp[kMaxElems];
    for (int j = 0; j < kMaxElems; j++) {
        y[j] = float_of(kPoisonOurs);
        yp[j] = float_of(kPoisonPeer);
    }
    t.dequant(blk, y);
    t.pd(blk, yp, t.elems);
    int first = -1;
    for (int j = 0; j < t.elems && first < 0; j++) {
        if (bits_of(y[j]) != bits_of(yp[j])) first = j;
    }
    CHECK(first < 0, "%s %s dequantize: element %d is %08x, ggml %08x", t.name, what, first,
          first < 0 ? 0 : bits_of(y[first]), first < 0 ? 0 : bits_of(yp[first]));
}

void check_quant(const BlockType &t, const float *x, const char *what, Stats &st) {
    uint8_t ours[kMaxBytes], peer[kMaxBytes];
    memset(ours, 0xa5, sizeof ours);
    memset(peer, 0x5a, sizeof peer);
    if (ggml_undefined(t.kind, x, t.elems)) {
        // Nothing to agree with; ours still quantizes to a block that decodes within amax of x
        // (the scale is 0 in fp16, or MXFP4's exponent gives codes 0).
        st.excluded++;
        float y[kMaxElems];
        CHECK(t.quant(x, ours) == vane::QUANT_OK, "%s %s: excluded block not quantized", t.name, what);
        t.dequant(ours, y);
        const double amax = amax_of(x, t.elems);
        int bad = 0;
        for (int j = 0; j < t.elems; j++) bad += !(fabs((double)y[j] - x[j]) <= amax);
        CHECK(bad == 0, "%s %s: excluded block decodes %d elements farther than amax", t.name, what, bad);
        return;
    }
    st.blocks++;
    int32_t rc = t.quant(x, ours);
    t.pq(x, peer, t.elems);
    int fa, fb;
    fp16_fields(t.kind, &fa, &fb);
    const bool peer_inf = (fa >= 0 && !finite16(rd16(peer + fa))) || (fb >= 0 && !finite16(rd16(peer + fb)));
    if (rc == vane::QUANT_SCALE_RANGE) {
        st.range++;
        CHECK(peer_inf, "%s %s: QUANT_SCALE_RANGE but ggml's scales are finite", t.name, what);
        return;
    }
    CHECK(rc == vane::QUANT_OK, "%s %s: quantize returned %d", t.name, what, rc);
    int n_cmp = t.bytes;
    if (t.kind == IQ4_NL && amax_of(x, 32) < 1e-15f) {
        // A sub-eps block: scale 0 and every code the one nearest 0 (8), compared in full.
        st.unset_codes++;
        bool eights = true;
        for (int j = 2; j < t.bytes; j++) eights = eights && ours[j] == 0x88;
        CHECK(eights, "%s %s: sub-eps block's codes are not 8", t.name, what);
    }
    int first = -1;
    for (int j = 0; j < n_cmp && first < 0; j++) {
        if (ours[j] != peer[j]) first = j;
    }
    CHECK(first < 0, "%s %s: byte %d is %02x, ggml %02x", t.name, what, first, first < 0 ? 0 : ours[first],
          first < 0 ? 0 : peer[first]);
    float y[kMaxElems];
    check_dequant(t, ours, y, what);
    int bad = round_trip_failures(t.kind, x, ours, y);
    CHECK(bad == 0, "%s %s: %d elements past the round-trip bound", t.name, what, bad);
}

// ---- inputs -------------------------------------------------------------------------------------

// n values of distribution dist at magnitude mag.
void random_block(Rng &rng, int dist, double mag, float *x, int n) {
    for (int j = 0; j < n; j++) {
        double v;
        switch (dist) {
            case 0: v = rng.normal(); break;
            case 1: v = 2 * rng.uniform() - 1; break;
            case 2: v = 1 + rng.uniform(); break;  // one sign, offset (the minimum matters)
            case 3: {                               // heavy tails
                double g = rng.normal();
                v = g * g * g;
                break;
            }
            case 4: v = rng.u32() % 5 == 0 ? rng.normal() : 0.0; break;  // sparse
            case 5: v = rng.normal() * (rng.u32() % 64 == 0 ? 30.0 : 1.0); break;  // outliers
            case 6: v = (double)((int)(rng.u32() % 33) - 16) * 0.5; break;       // halves
            case 7: v = -(1 + rng.uniform()); break;                           // all negative
            default: v = rng.normal(); break;
        }
        x[j] = (float)(v * mag);
    }
    if (dist == 7 && n > 32) {  // IQ4_XS: sub-blocks of very different magnitudes
        for (int b = 0; b < n / 32; b++) {
            double s = ldexp(1.0, (int)(rng.u32() % 21) - 10);
            for (int j = 0; j < 32; j++) x[32 * b + j] = (float)(x[32 * b + j] * s);
        }
    }
    if (dist == 8 && n > 32) {
        // IQ4_XS: every sub-block the first one times 2^-k. ggml's arithmetic scales exactly, so
        // the sub-block scales are the first one's times 2^-k, and for k = 6 the 6-bit scale
        // sits on a tie (+-0.5, which ggml's nearest_int rounds to even).
        for (int b = 1; b < n / 32; b++) {
            const int k = (int)(rng.u32() % 8);
            for (int j = 0; j < 32; j++) x[32 * b + j] = ldexpf(x[j], -k);
        }
    }
}

// A block of n elements, element j = fill(j).
template <class F>
std::vector<float> block_of(int n, F fill) {
    std::vector<float> x(n);
    for (int j = 0; j < n; j++) x[j] = fill(j);
    return x;
}

// Exact ties on each type's grid, at scale s (a power of two), sign sg.
std::vector<float> tie_block(Kind k, int n, float s, float sg, Rng &rng) {
    static const float kIq4Mid[] = {-115.5f, -93.5f, -74.0f, -57.0f, -42.0f, -28.5f, -16.0f, -4.5f, 7.0f, 19.0f, 31.5f, 45.5f, 61.0f, 79.0f, 101.0f};
    static const float kE2m1Mid[] = {0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5.0f, 7.0f};
    std::vector<float> x(n);
    for (int j = 0; j < n; j++) {
        int r = (int)(rng.u32() % 64);
        switch (k) {
            case Q4_1: x[j] = j % 32 == 0 ? 0.0f : j % 32 == 1 ? 15 * s : (r % 15 + 0.5f) * s; break;
            case Q5_1: x[j] = j % 32 == 0 ? 0.0f : j % 32 == 1 ? 31 * s : (r % 31 + 0.5f) * s; break;
            case Q5_0: x[j] = j % 32 == 0 ? -16 * s * sg : (r % 32 - 16 + 0.5f) * s; break;
            case IQ4_NL:
            case IQ4_XS:
                x[j] = j % 32 == 0 ? 127 * s * sg : (r % 2 ? kIq4Mid[r % 15] : (float)vane::kIq4Values[r % 16]) * s;
                break;
            case MXFP4: x[j] = j % 32 == 0 ? 6 * s * sg : (r % 2 ? -1.0f : 1.0f) * kE2m1Mid[r % 8] * s; break;
        }
        if (k == Q4_1 || k == Q5_1) x[j] = x[j] * sg - (sg < 0 ? 0.0f : 7 * s);  // shifted minimum
    }
    return x;
}

struct Edge {
    const char *what;
    std::vector<float> x;
};

std::vector<Edge> edge_blocks(const BlockType &t, Rng &rng) {
    const int n = t.elems;
    std::vector<Edge> out;
    const char *what = "";
    auto add = [&](std::vector<float> x) { out.push_back({what, std::move(x)}); };
    what = "zeros";
    add(block_of(n, [](int) { return 0.0f; }));
    add(block_of(n, [](int) { return -0.0f; }));
    add(block_of(n, [](int j) { return j % 3 ? 0.0f : -0.0f; }));
    what = "constant";
    for (float c : {1.0f, -1.0f, 3.25f, -3.25f, 1e-7f, -1e-7f, 0x1p-20f, 1000.5f, -65504.0f, 65504.0f, 7e4f, -7e4f})
        add(block_of(n, [c](int) { return c; }));
    what = "one huge value";
    // One huge value among small ones (the larger ones overflow fp16 scales).
    for (float h : {0x1p12f, 0x1p16f, 1e5f, 1e6f, 9.8e5f, 1e7f, 3e8f, 1e9f}) {
        for (float sg : {1.0f, -1.0f}) {
            int at = (int)(rng.u32() % n);
            add(block_of(n, [&](int j) { return j == at ? h * sg : (float)(rng.normal() * 1e-3); }));
        }
    }
    what = "fp16 overflow boundary";
    // fp16 overflow boundaries: Q4_1 d = 65520 at max - min = 982800, Q5_0 at amax = 1048320,
    // Q5_1 at 2031120; the minimum's own field at -65520.
    for (float r : {982790.0f, 982800.0f, 982810.0f, 1048300.0f, 1048320.0f, 1048340.0f, 2031100.0f, 2031120.0f, 2031140.0f}) {
        add(block_of(n, [r](int j) { return j == 5 ? r : 0.0f; }));
        add(block_of(n, [r](int j) { return j == 5 ? -r : 0.0f; }));
    }
    what = "minimum near fp16 max";
    for (float m : {-65504.0f, -65519.0f, -65520.0f, -65536.0f})
        add(block_of(n, [m](int j) { return j == 7 ? m : (float)(j % 5); }));
    what = "tiny values";
    // Tiny values: fp16-subnormal and fp16-zero scales, f32 subnormals next to a small value.
    for (int e : {-20, -22, -24, -26, -28, -40}) {
        add(block_of(n, [&](int) { return (float)ldexp(rng.normal(), e); }));
    }
    add(block_of(n, [&](int j) { return j == 3 ? 0x1p-20f : (float)((int)(rng.u32() % 2001) - 1000) * 0x1p-149f; }));
    add(block_of(n, [](int j) { return j == 0 ? 1e-15f : 0.0f; }));
    add(block_of(n, [](int j) { return j == 0 ? 9e-16f : 0x1p-126f; }));
    // Only f32 subnormals: excluded where ggml is undefined (see ggml_undefined), IQ4's 1e-15 path.
    add(block_of(n, [&](int) { return (float)((int)(rng.u32() % 2001) - 1000) * 0x1p-149f; }));
    add(block_of(n, [](int j) { return j == 1 ? -0x1p-149f : 0.0f; }));
    what = "ties on the grid";
    for (int e : {-20, -8, 0, 6}) {
        for (float sg : {1.0f, -1.0f}) {
            for (int rep = 0; rep < 4; rep++) add(tie_block(t.kind, n, ldexp(1.0f, e), sg, rng));
        }
    }
    what = "equal magnitudes, both signs";
    // Equal magnitudes of both signs: the first of them is the signed maximum.
    for (float a : {1.0f, 0.3f, 0x1p-18f, 2048.0f}) {
        add(block_of(n, [a](int j) { return j % 2 ? a : -a; }));
        add(block_of(n, [a](int j) { return j % 2 ? -a : a; }));
        add(block_of(n, [&](int j) { return j == 4 ? -a : j == 9 ? a : (float)(rng.normal() * a * 0.1); }));
        add(block_of(n, [&](int) { return rng.u32() % 2 ? a : -a; }));
    }
    what = "powers of two";
    for (int rep = 0; rep < 8; rep++) {
        add(block_of(n, [&](int) { return (rng.u32() % 2 ? 1.0f : -1.0f) * ldexpf(1.0f, (int)(rng.u32() % 33) - 20); }));
        int e0 = (int)(rng.u32() % 30) - 18;
        add(block_of(n, [&](int) { return (rng.u32() % 2 ? 1.0f : -1.0f) * ldexpf(1.0f, e0 - (int)(rng.u32() % 6)); }));
    }
    what = "IQ4_XS sub-blocks";
    if (t.kind == IQ4_XS) {  // sub-blocks: one zero, one below 1e-15, all below, one dominant
        add(block_of(n, [&](int j) { return j < 32 ? 0.0f : (float)rng.normal(); }));
        add(block_of(n, [&](int j) { return j >= 64 && j < 96 ? 1e-16f : (float)rng.normal(); }));
        add(block_of(n, [](int j) { return j % 7 ? 1e-16f : -5e-16f; }));
        add(block_of(n, [&](int j) { return (float)(rng.normal() * (j / 32 == 5 ? 1000.0 : 0.01)); }));
    }
    what = "amax near a power of two";
    if (t.kind == MXFP4) {  // amax near powers of two, where log2f decides the exponent
        for (int e : {-125, -124, -60, -1, 0, 1, 7, 12, 100, 127}) {
            for (float f : {1.0f, 0.99999994f, 1.0000001f, 1.5f, 1.9999999f}) {
                const float a = ldexpf(f, e);
                add(block_of(n, [&](int j) { return j == 2 ? -a : (float)(rng.uniform() * a); }));
            }
        }
    }
    return out;
}

// Random bytes with the fp16 scale fields made finite (a foreign file may hold any finite scale).
void random_bytes(const BlockType &t, Rng &rng, uint8_t *blk) {
    for (int j = 0; j < t.bytes; j++) blk[j] = (uint8_t)rng.u32();
    int fa, fb;
    fp16_fields(t.kind, &fa, &fb);
    for (int f : {fa, fb}) {
        if (f >= 0 && !finite16(rd16(blk + f))) blk[f + 1] ^= 0x40;  // exponent 31 -> 15
    }
}

// IQ4_NL's peer is what llama.cpp's quantizer writes into files: quantize_iq4_nl (the matrix
// function ggml_quantize_chunk calls, which searches the scale), not quantize_row_iq4_nl_ref.
typedef size_t (*ggml_peer_quantize_matrix_t)(const float *x, void *y, int64_t nrow, int64_t n_per_row, const float *imatrix);
ggml_peer_quantize_matrix_t g_iq4_nl_matrix = nullptr;
void iq4_nl_as_files_have_it(const float *x, void *y, int64_t k) { g_iq4_nl_matrix(x, y, 1, k, nullptr); }

void run_type(BlockType &t) {
    if (t.kind == IQ4_NL) {
        g_iq4_nl_matrix = ggml_peer<ggml_peer_quantize_matrix_t>(t.peer_quant);
        t.pq = iq4_nl_as_files_have_it;
    } else {
        t.pq = ggml_peer<ggml_peer_quantize_t>(t.peer_quant);
    }
    t.pd = ggml_peer<ggml_peer_dequantize_t>(t.peer_dequant);
    Rng rng(0x5eed0000u + (uint64_t)t.kind);
    Stats st;
    char what[96];
    float x[kMaxElems];
    const int per_dist = t.kind == IQ4_XS ? 150 : 500;
    for (int dist = 0; dist < 9; dist++) {
        for (int i = 0; i < per_dist; i++) {
            double mag = ldexp(1.0 + rng.uniform(), (int)(rng.u32() % 33) - 20);  // 2^-20 .. 2^13
            random_block(rng, dist, mag, x, t.elems);
            snprintf(what, sizeof what, "random dist %d block %d (mag %g)", dist, i, mag);
            check_quant(t, x, what, st);
        }
    }
    const int random_blocks = st.blocks;
    std::vector<Edge> edges = edge_blocks(t, rng);
    for (size_t i = 0; i < edges.size(); i++) {
        snprintf(what, sizeof what, "edge block %zu (%s)", i, edges[i].what);
        check_quant(t, edges[i].x.data(), what, st);
    }
    // Random bytes; MXFP4: every exponent with several code patterns.
    uint8_t blk[kMaxBytes];
    float y[kMaxElems];
    const int nbytes = t.kind == MXFP4 ? 256 * 8 : 4000;
    for (int i = 0; i < nbytes; i++) {
        random_bytes(t, rng, blk);
        if (t.kind == MXFP4) blk[0] = (uint8_t)(i / 8);
        snprintf(what, sizeof what, "random bytes %d", i);
        check_dequant(t, blk, y, what);
    }
    // The special paths must be reached: fp16 overflow (every type with fp16 scales) and
    // IQ4_NL's unset codes; MXFP4 has excluded (C-undefined) edge blocks.
    if (t.kind != MXFP4) CHECK(st.range > 0, "%s: no edge block overflowed an fp16 scale", t.name);
    if (t.kind == IQ4_NL) CHECK(st.unset_codes > 0, "%s: no sub-eps block", t.name);
    printf("%-7s %d random + %d edge blocks agree (%d of them fp16 overflows), %d excluded, %d random byte blocks\n",
           t.name, random_blocks, st.blocks - random_blocks, st.range, st.excluded, nbytes);
}

// Hand-made blocks for the table values and the E8M0 factors (independent of ggml).
void check_tables() {
    CHECK(vane::mxfp4_half_scale(0) == 0x1p-128f, "e=0");
    CHECK(vane::mxfp4_half_scale(1) == 0x1p-127f, "e=1");
    CHECK(vane::mxfp4_half_scale(2) == 0x1p-126f, "e=2");
    CHECK(vane::mxfp4_half_scale(128) == 1.0f, "e=128");
    CHECK(vane::mxfp4_half_scale(255) == 0x1p127f, "e=255");
    // Q4_1 over 0..15: d = 1, min = 0, codes = the values.
    float x[32];
    for (int j = 0; j < 32; j++) x[j] = (float)(j % 16);
    uint8_t b[24];
    CHECK(vane::quantize_q4_1(x, b) == vane::QUANT_OK, "q4_1 ok");
    CHECK(rd16(b) == 0x3c00 && rd16(b + 2) == 0, "q4_1 d/m %04x %04x", rd16(b), rd16(b + 2));
    for (int j = 0; j < 16; j++) CHECK(b[4 + j] == (uint8_t)(j | (j << 4)), "q4_1 byte %d = %02x", j, b[4 + j]);
    // MXFP4: amax 6 -> e = 2 - 2 + 127 = 127, d = 2^-1: 6 is code 7 (12 * 0.5), -1.5 code 11.
    for (int j = 0; j < 32; j++) x[j] = j == 0 ? 6.0f : j == 17 ? -1.5f : 0.0f;
    CHECK(vane::quantize_mxfp4(x, b) == vane::QUANT_OK, "mxfp4 ok");
    CHECK(b[0] == 127 && b[1] == 0x07 && b[2] == 0xb0, "mxfp4 %02x %02x %02x", b[0], b[1], b[2]);
}

}  // namespace

int main() {
    check_tables();
    for (BlockType &t : g_types) run_type(t);
    return finish("test_ggml_blocks");
}
