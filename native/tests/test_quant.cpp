// Weight-format quantize / dequantize kernels of every variant, for every format:
//  (a) AVX2 / AVX-512 quantize bytes == reference quantize bytes;
//  (b) AVX2 / AVX-512 dequantize floats == reference dequantize floats, bit for bit;
//  (c) the reference round trip is within the format's error bound of the input (bounds below,
//      each with its reason);
//  (d) quantizing / dequantizing in row ranges equals the whole-matrix call, and a call writes
//      only its own rows;
//  (e) NaN / Inf anywhere -> QUANT_NON_FINITE; fp16 scale overflow -> QUANT_SCALE_RANGE;
//  (f) hand-computed Q4_0 / Q8_0 / INT4 blocks prove the byte layout (llama.cpp's for GGUF).
// (fp16 / bf16 conversions of every code and rounding case: test_half.cpp.) Exits 0 when
// everything passes.
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <vector>

#include "quant/quant.h"
#include "check.h"
#include "ref_values.h"
#include "vane.h"

namespace {

using vane::FormatTraits;
using vane::QuantKernels;

// A variant under test: the reference first, then the SIMD ones the CPU runs.
struct Variant {
    const char *name;
    const QuantKernels *k;
};

uint16_t rd16(const uint8_t *p) {
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}
float rdf(const uint8_t *p) {
    float v;
    memcpy(&v, p, 4);
    return v;
}

const int32_t kAllFormats[] = {
    VANE_FORMAT_F32,           VANE_FORMAT_F16,           VANE_FORMAT_BF16,         VANE_FORMAT_FP8_E4M3_ROW,
    VANE_FORMAT_FP8_E4M3_B128, VANE_FORMAT_INT4_SYM_G32,  VANE_FORMAT_INT4_SYM_G64, VANE_FORMAT_INT4_SYM_G128,
    VANE_FORMAT_INT4_ASYM_G32, VANE_FORMAT_INT4_ASYM_G64, VANE_FORMAT_INT4_ASYM_G128, VANE_FORMAT_INT8_G32,
    VANE_FORMAT_INT8_G64,      VANE_FORMAT_INT8_G128,     VANE_FORMAT_Q4_0,         VANE_FORMAT_Q8_0,
};

bool is_int4_sym(int32_t f) {
    return f == VANE_FORMAT_INT4_SYM_G32 || f == VANE_FORMAT_INT4_SYM_G64 || f == VANE_FORMAT_INT4_SYM_G128;
}
bool is_int4_asym(int32_t f) {
    return f == VANE_FORMAT_INT4_ASYM_G32 || f == VANE_FORMAT_INT4_ASYM_G64 || f == VANE_FORMAT_INT4_ASYM_G128;
}
bool is_int8(int32_t f) {
    return f == VANE_FORMAT_INT8_G32 || f == VANE_FORMAT_INT8_G64 || f == VANE_FORMAT_INT8_G128;
}
// Formats whose scale is an fp16 that a large finite input can overflow.
bool has_fp16_scale(int32_t f) {
    return is_int4_sym(f) || is_int4_asym(f) || f == VANE_FORMAT_Q4_0 || f == VANE_FORMAT_Q8_0;
}

// ---- inputs ----------------------------------------------------------------------------------

// Normal values with a per-row magnitude, a few outliers, and edge segments (aligned runs of 32
// values: whole blocks for G = 32, parts of blocks for larger G) that stress the corner cases.
// All values stay within +-65504 so that every format quantizes them without a range error.
std::vector<float> make_input(int64_t rows, int64_t cols, uint64_t seed) {
    Rng rng(seed);
    std::vector<float> x((size_t)(rows * cols));
    for (int64_t r = 0; r < rows; r++) {
        double scale = ldexp(1.0, (int)(rng.u32() % 13) - 8);
        for (int64_t c = 0; c < cols; c++) {
            double v = rng.normal() * scale;
            if (rng.u32() % 256 == 0) v *= 50.0;  // outlier
            x[(size_t)(r * cols + c)] = (float)v;
        }
    }
    for (size_t s = 0; s + 32 <= x.size(); s += 32) {
        if (rng.u32() % 6 != 0) continue;
        float *p = &x[s];
        switch (rng.u32() % 8) {
            case 0:  // all zeros, both signs
                for (int j = 0; j < 32; j++) p[j] = (rng.u32() & 1) ? -0.0f : 0.0f;
                break;
            case 1: {  // all equal
                float v = (float)rng.normal();
                for (int j = 0; j < 32; j++) p[j] = v;
                break;
            }
            case 2:  // one huge value among small ones
                for (int j = 0; j < 32; j++) p[j] = (float)(rng.normal() * 1e-3);
                p[rng.u32() % 32] = (rng.u32() & 1) ? 1000.0f : -1000.0f;
                break;
            case 3:  // tiny f32 subnormals
                for (int j = 0; j < 32; j++) p[j] = (float)((int)(rng.u32() % 2001) - 1000) * 0x1p-149f;
                break;
            case 4:  // a constant negative block
                for (int j = 0; j < 32; j++) p[j] = -3.25f;
                break;
            case 5:  // near the fp16 maximum
                for (int j = 0; j < 32; j++) {
                    float v = 65504.0f - (float)(rng.u32() % 200);
                    p[j] = (rng.u32() & 1) ? -v : v;
                }
                break;
            case 6:  // exact halves: rounding ties everywhere
                for (int j = 0; j < 32; j++) p[j] = (float)((int)(rng.u32() % 33) - 16) * 0.5f;
                break;
            default:  // +-max ties in magnitude (first-in-order rule) and small values
                for (int j = 0; j < 32; j++) p[j] = (float)(rng.normal() * 0.1);
                p[rng.u32() % 32] = 2.0f;
                p[rng.u32() % 32] = -2.0f;
                break;
        }
    }
    return x;
}

// ---- byte regions written by a row range -------------------------------------------------------

struct Span {
    int64_t lo, hi;
};
// The bytes a quantize call for rows [r0, r1) owns.
std::vector<Span> owned_bytes(const FormatTraits &f, int64_t rows, int64_t cols, int64_t r0, int64_t r1) {
    std::vector<Span> s;
    if (!f.planar) {
        int64_t rb = vane::quant_size(f, 1, cols);
        s.push_back({r0 * rb, r1 * rb});
        return s;
    }
    s.push_back({r0 * cols, r1 * cols});
    int64_t so = vane::planar_scales_offset(rows, cols);
    if (f.scale_cols == 0) {
        s.push_back({so + 4 * r0, so + 4 * r1});
    } else {
        int64_t tpr = vane::ceil_div(cols, f.scale_cols);
        s.push_back({so + 4 * (r0 / f.scale_rows) * tpr, so + 4 * vane::ceil_div(r1, f.scale_rows) * tpr});
    }
    return s;
}

bool in_spans(const std::vector<Span> &s, int64_t i) {
    for (const Span &p : s) {
        if (i >= p.lo && i < p.hi) return true;
    }
    return false;
}

std::vector<int64_t> split_points(const FormatTraits &f, int64_t rows) {
    std::vector<int64_t> p;
    if (f.planar && f.scale_rows > 1) {
        for (int64_t r = 0; r < rows; r += f.scale_rows) p.push_back(r);
    } else {
        p = {0, 1, rows / 2, rows - 1};
    }
    p.push_back(rows);
    std::sort(p.begin(), p.end());
    p.erase(std::unique(p.begin(), p.end()), p.end());
    return p;
}

// ---- (c) error bounds ---------------------------------------------------------------------------

// Checks |y - x| against the format's bound for every element; returns the number of failures.
// eps: slack for a few f32 roundings (the division x / scale and the final multiply / add).
int check_bounds(int32_t format, const FormatTraits &f, const float *x, const float *y, const uint8_t *q,
                 int64_t rows, int64_t cols) {
    const double eps = 0x1p-21;
    int bad = 0;
    for (int64_t r = 0; r < rows; r++) {
        for (int64_t c = 0; c < cols; c++) {
            double xv = x[r * cols + c], yv = y[r * cols + c], ax = fabs(xv), err = fabs(yv - xv);
            double bound = 0.0;
            if (format == VANE_FORMAT_F32) {
                bound = 0.0;  // a copy
            } else if (format == VANE_FORMAT_F16) {
                // Round to nearest with an 11-bit significand: half an ulp, <= 2^-11 relative for
                // normals (|x| >= 2^-14); half the subnormal spacing 2^-24 below.
                bound = ax >= 0x1p-14 ? ax * 0x1p-11 : 0x1p-25;
            } else if (format == VANE_FORMAT_BF16) {
                // 8-bit significand: <= 2^-8 relative for normals; half of 2^-133 for subnormals.
                bound = ax >= 0x1p-126 ? ax * 0x1p-8 : 0x1p-134;
            } else if (f.planar) {
                int64_t si = f.scale_cols == 0 ? r : (r / f.scale_rows) * vane::ceil_div(cols, f.scale_cols) + c / f.scale_cols;
                double s = rdf(q + vane::planar_scales_offset(rows, cols) + 4 * si);
                if (s >= FLT_MIN) {
                    // x / s is encoded in E4M3: relative error <= 2^-4 (half an ulp of a 3-bit
                    // mantissa) for normal codes, absolute <= 2^-10 (half the subnormal step 2^-9)
                    // for subnormal codes, times s; plus f32 slack (x / s, the scale, y = v * s).
                    bound = ax * 0x1p-4 + s * 0x1p-10 + ax * eps;
                } else {
                    // A subnormal or zero scale: the whole tile is below 448 * 2^-126 ~ 2^-117,
                    // so x and y both are, and so is the error.
                    bound = 0x1p-115;
                }
            } else {
                int g = f.block_elems;
                int64_t b = c / g;
                const float *xb = x + r * cols + b * g;
                const uint8_t *blk = q + (r * (cols / g) + b) * f.block_bytes;
                if (is_int4_sym(format)) {
                    double dd = half_value(rd16(blk));
                    double amax = 0;
                    for (int j = 0; j < g; j++) amax = std::max(amax, fabs((double)xb[j]));
                    // Unclamped codes: half a step, dd / 2. The top code is clamped to +7 for
                    // values of the opposite sign to the extreme one (which maps to -8): they
                    // are off by at most amax - 7 dd ~ dd (fp16 rounding of d = m / -8 included).
                    double q_real = xv / dd;
                    if (dd == 0) bound = amax;  // all codes 0: y = 0 (|m| / 8 underflowed fp16)
                    else if (q_real > 7.5 || q_real < -8.5) bound = std::max(amax - 7 * dd, 0.0) + dd * eps;
                    else bound = dd / 2 + ax * eps;
                    if (dd != 0 && dd < 0x1p-14) bound = std::max(bound, amax);  // fp16-subnormal scale
                } else if (is_int4_asym(format)) {
                    double dd = half_value(rd16(blk)), mm = half_value(rd16(blk + 2));
                    double lo = xb[0], hi = xb[0];
                    for (int j = 0; j < g; j++) {
                        lo = std::min(lo, (double)xb[j]);
                        hi = std::max(hi, (double)xb[j]);
                    }
                    double d_exact = (hi - lo) / 15.0;
                    // Half a step, unless the code is clamped at 0 or 15; clamping happens only
                    // through the fp16 rounding of the minimum (|lo - mm|) and of the step
                    // (15 * |d - dd|), which bound the error there.
                    bound = std::max(dd / 2, fabs(lo - mm) + 15 * fabs(d_exact - dd)) +
                            (ax + fabs(mm) + 15 * dd) * eps;
                } else if (is_int8(format)) {
                    double d = rdf(blk);
                    // q = rint(x / d) with d = amax / 127 in f32: half a step; never clamped for
                    // a normal d. A subnormal d (amax < 2^-119) loses precision: bounded by 2^-118.
                    bound = d >= FLT_MIN ? d / 2 + ax * eps : 0x1p-118;
                } else if (format == VANE_FORMAT_Q4_0) {
                    double amax = 0, m = 0;
                    for (int j = 0; j < 32; j++) {
                        if (amax < fabs((double)xb[j])) {
                            amax = fabs((double)xb[j]);
                            m = xb[j];
                        }
                    }
                    double d = m / -8.0, dd = half_value(rd16(blk));
                    int code = (c % 32) < 16 ? (blk[2 + c % 32] & 15) : (blk[2 + c % 32 - 16] >> 4);
                    // Codes are trunc(x / d + 8.5): within half a step of x / d, or one step for
                    // the clamped top code 15 (x / d in [7.5, 8]); dequantizing with the fp16 dd
                    // instead of d adds |code - 8| * |d - dd| <= 8 |d - dd|.
                    bound = (code == 15 ? 1.0 : 0.5) * fabs(d) + 8 * fabs(d - dd) + (ax + 8 * fabs(dd)) * eps;
                } else if (format == VANE_FORMAT_Q8_0) {
                    double amax = 0;
                    for (int j = 0; j < 32; j++) amax = std::max(amax, fabs((double)xb[j]));
                    double d = amax / 127.0, dd = half_value(rd16(blk));
                    // roundf(x / d): half a step; dequantizing with the fp16 dd adds
                    // |q| * |d - dd| <= 127 |d - dd|.
                    bound = 0.5 * d + 127 * fabs(d - dd) + (ax + 127 * dd) * eps;
                }
            }
            if (!(err <= bound)) {
                if (bad++ < 3) {
                    CHECK(false, "format %d [%lld,%lld] error bound: x=%a y=%a err=%g bound=%g", format,
                          (long long)r, (long long)c, x[r * cols + c], y[r * cols + c], err, bound);
                }
            }
        }
    }
    return bad;
}

// ---- (a) (b) (c) (d) on one shape ---------------------------------------------------------------

struct Stats {
    int cases = 0;
    int64_t elements = 0;
};

void test_shape(int32_t format, int64_t rows, int64_t cols, uint64_t seed, const std::vector<Variant> &vs, Stats *st) {
    const FormatTraits &f = *vane::format_traits(format);
    const int64_t size = vane::quant_size(f, rows, cols), n = rows * cols;
    const size_t guard = 64;
    std::vector<float> x = make_input(rows, cols, seed);
    const size_t nv = vs.size();
    const uint8_t poison[2] = {0xcd, 0x5a};

    // Quantize with each variant and two different poisons.
    std::vector<std::vector<uint8_t>> qv[2];
    qv[0].resize(nv);
    qv[1].resize(nv);
    for (size_t v = 0; v < nv; v++) {
        const QuantKernels *variant = vs[v].k;
        const char *name = vs[v].name;
        for (int p = 0; p < 2; p++) {
            std::vector<uint8_t> &b = qv[p][v];
            b.assign((size_t)(size + (int64_t)guard), poison[p]);
            int32_t res = variant->quantize(format, x.data(), rows, cols, 0, rows, b.data());
            CHECK(res == vane::QUANT_OK, "%s quantize format %s [%lld x %lld] returned %d", name, f.name,
                  (long long)rows, (long long)cols, res);
            bool guard_ok = true;
            for (size_t i = 0; i < guard; i++) guard_ok &= b[(size_t)size + i] == poison[p];
            CHECK(guard_ok, "%s quantize %s [%lld x %lld] wrote past the end", name, f.name, (long long)rows,
                  (long long)cols);
        }
        // Every byte written (the planar padding between codes and scales excepted).
        int64_t gap_lo = f.planar ? rows * cols : size, gap_hi = f.planar ? vane::planar_scales_offset(rows, cols) : size;
        int64_t unwritten = 0;
        for (int64_t i = 0; i < size; i++) {
            bool same = qv[0][v][(size_t)i] == qv[1][v][(size_t)i];
            if (i >= gap_lo && i < gap_hi) CHECK(qv[0][v][(size_t)i] == 0xcd, "%s %s: padding written", name, f.name);
            else if (!same) unwritten++;
        }
        CHECK(unwritten == 0, "%s quantize %s [%lld x %lld]: %lld output bytes not written", name, f.name,
              (long long)rows, (long long)cols, (long long)unwritten);
    }
    const std::vector<uint8_t> &q = qv[0][0];

    // (a) SIMD bytes == reference bytes.
    for (size_t v = 1; v < nv; v++) {
        int64_t first = -1;
        for (int64_t i = 0; i < size && first < 0; i++) {
            if (qv[0][v][(size_t)i] != q[(size_t)i]) first = i;
        }
        CHECK(first < 0, "%s quantize %s [%lld x %lld] differs from ref at byte %lld (0x%02x vs 0x%02x)", vs[v].name,
              f.name, (long long)rows, (long long)cols, (long long)first, first >= 0 ? qv[0][v][(size_t)first] : 0,
              first >= 0 ? q[(size_t)first] : 0);
    }

    // (b) dequantize the reference bytes with each variant (different poisons): bitwise equal.
    std::vector<std::vector<float>> yv(nv);
    for (size_t v = 0; v < nv; v++) {
        const uint8_t pv = poison[v % 2];
        yv[v].resize((size_t)n + guard);
        memset(yv[v].data(), pv, yv[v].size() * 4);
        vs[v].k->dequantize(format, q.data(), rows, cols, 0, rows, yv[v].data());
        bool guard_ok = true;
        for (size_t i = 0; i < guard; i++) guard_ok &= bits_of(yv[v][(size_t)n + i]) == pv * 0x01010101u;
        CHECK(guard_ok, "%s dequantize %s wrote past the end", vs[v].name, f.name);
    }
    for (size_t v = 1; v < nv; v++) {
        int64_t first = -1;
        for (int64_t i = 0; i < n && first < 0; i++) {
            if (bits_of(yv[0][(size_t)i]) != bits_of(yv[v][(size_t)i])) first = i;
        }
        CHECK(first < 0, "%s dequantize %s [%lld x %lld] differs from ref at %lld (%a vs %a)", vs[v].name, f.name,
              (long long)rows, (long long)cols, (long long)first, first >= 0 ? yv[v][(size_t)first] : 0.0f,
              first >= 0 ? yv[0][(size_t)first] : 0.0f);
    }

    // (c) the reference round trip is within the bound (the poison would not be).
    check_bounds(format, f, x.data(), yv[0].data(), q.data(), rows, cols);

    // (d) row ranges: each call writes only its rows, and the result equals the whole call.
    std::vector<int64_t> pts = split_points(f, rows);
    for (size_t v = 0; v < nv; v++) {
        const QuantKernels *variant = vs[v].k;
        const char *name = vs[v].name;
        std::vector<uint8_t> b((size_t)size, 0xcd), before;
        for (size_t k = 0; k + 1 < pts.size(); k++) {
            int64_t r0 = pts[k], r1 = pts[k + 1];
            before = b;
            int32_t res = variant->quantize(format, x.data(), rows, cols, r0, r1, b.data());
            CHECK(res == vane::QUANT_OK, "%s quantize %s rows [%lld, %lld) returned %d", name, f.name,
                  (long long)r0, (long long)r1, res);
            std::vector<Span> own = owned_bytes(f, rows, cols, r0, r1);
            int64_t stray = 0;
            for (int64_t i = 0; i < size; i++) {
                if (!in_spans(own, i) && b[(size_t)i] != before[(size_t)i]) stray++;
            }
            CHECK(stray == 0, "%s quantize %s rows [%lld, %lld) wrote %lld bytes outside its rows", name, f.name,
                  (long long)r0, (long long)r1, (long long)stray);
        }
        CHECK(memcmp(b.data(), qv[0][v].data(), (size_t)size) == 0, "%s quantize %s [%lld x %lld]: row ranges != whole",
              name, f.name, (long long)rows, (long long)cols);
        std::vector<float> y((size_t)n);
        memset(y.data(), 0xcd, (size_t)n * 4);
        for (size_t k = 0; k + 1 < pts.size(); k++) {
            int64_t r0 = pts[k], r1 = pts[k + 1];
            std::vector<float> prev = y;
            variant->dequantize(format, q.data(), rows, cols, r0, r1, y.data());
            int64_t stray = 0;
            for (int64_t i = 0; i < n; i++) {
                bool own = i >= r0 * cols && i < r1 * cols;
                if (!own && bits_of(y[(size_t)i]) != bits_of(prev[(size_t)i])) stray++;
            }
            CHECK(stray == 0, "%s dequantize %s rows [%lld, %lld) wrote outside its rows", name, f.name,
                  (long long)r0, (long long)r1);
        }
        CHECK(memcmp(y.data(), yv[v].data(), (size_t)n * 4) == 0, "%s dequantize %s: row ranges != whole", name,
              f.name);
    }
    st->cases++;
    st->elements += n;
}

// Dequantizing arbitrary bytes (random scales: NaN, Inf, subnormal fp16) agrees between the
// variants: bitwise, except that any two NaNs count as equal (NaN payload propagation through
// x * d + m may depend on operand order, which the formats do not define).
void test_random_bytes(const QuantKernels &ref, const Variant &simd) {
    Rng rng(99);
    for (int32_t format : kAllFormats) {
        const FormatTraits &f = *vane::format_traits(format);
        int64_t rows = 5, cols = f.block_elems == 1 ? 259 : 4 * f.block_elems;
        int64_t size = vane::quant_size(f, rows, cols);
        std::vector<uint8_t> b((size_t)size);
        for (auto &v : b) v = (uint8_t)rng.u32();
        std::vector<float> y0((size_t)(rows * cols)), y1((size_t)(rows * cols));
        ref.dequantize(format, b.data(), rows, cols, 0, rows, y0.data());
        simd.k->dequantize(format, b.data(), rows, cols, 0, rows, y1.data());
        int64_t bad = 0;
        for (size_t i = 0; i < y0.size(); i++) {
            bool same = bits_of(y0[i]) == bits_of(y1[i]) || (isnan(y0[i]) && isnan(y1[i]));
            if (format == VANE_FORMAT_F16 || format == VANE_FORMAT_BF16) same = bits_of(y0[i]) == bits_of(y1[i]);
            if (!same) bad++;
        }
        CHECK(bad == 0, "dequantize %s of random bytes: %lld values differ between ref and %s", f.name, (long long)bad,
              simd.name);
    }
}

// ---- (e) non-finite inputs and scale overflow -----------------------------------------------------

void test_errors(const QuantKernels &k, const char *variant) {
    Rng rng(5);
    const int64_t rows = 3, cols = 256;
    const uint32_t bad_values[] = {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0xffffffffu, 0x7f800000u, 0xff800000u};
    for (int32_t format : kAllFormats) {
        const FormatTraits &f = *vane::format_traits(format);
        std::vector<uint8_t> out((size_t)vane::quant_size(f, rows, cols));
        for (uint32_t bv : bad_values) {
            for (int trial = 0; trial < 4; trial++) {
                std::vector<float> x = make_input(rows, cols, 1000 + trial);
                int64_t pos = trial == 0 ? 0 : trial == 1 ? rows * cols - 1 : (int64_t)(rng.u32() % (rows * cols));
                x[(size_t)pos] = float_of(bv);
                int32_t res = k.quantize(format, x.data(), rows, cols, 0, rows, out.data());
                CHECK(res == vane::QUANT_NON_FINITE, "%s %s: 0x%08x at %lld gives %d, want NON_FINITE", variant, f.name,
                      bv, (long long)pos, res);
                // Rows that do not hold it quantize fine (B128 calls cover whole tiles).
                int64_t bad_row = pos / cols;
                if (!(f.planar && f.scale_rows > 1) && bad_row > 0) {
                    res = k.quantize(format, x.data(), rows, cols, 0, bad_row, out.data());
                    CHECK(res == vane::QUANT_OK, "%s %s: rows before the NaN give %d", variant, f.name, res);
                }
            }
        }
        // Scale overflow: 1e9 needs an fp16 scale of 1.25e8 (INT4, Q4_0) or 7.9e6 (Q8_0).
        for (float big : {1e9f, -1e9f, 3e38f}) {
            std::vector<float> x = make_input(rows, cols, 77);
            x[(size_t)(cols + 5)] = big;
            int32_t res = k.quantize(format, x.data(), rows, cols, 0, rows, out.data());
            int32_t want = has_fp16_scale(format) ? vane::QUANT_SCALE_RANGE : vane::QUANT_OK;
            CHECK(res == want, "%s %s: %g gives %d, want %d", variant, f.name, big, res, want);
            // A non-finite value anywhere wins over the overflow.
            x[(size_t)(rows * cols - 1)] = NAN;
            res = k.quantize(format, x.data(), rows, cols, 0, rows, out.data());
            CHECK(res == vane::QUANT_NON_FINITE, "%s %s: NaN after %g gives %d", variant, f.name, big, res);
            x[(size_t)(rows * cols - 1)] = 0.0f;
            x[0] = -INFINITY;
            res = k.quantize(format, x.data(), rows, cols, 0, rows, out.data());
            CHECK(res == vane::QUANT_NON_FINITE, "%s %s: -Inf before %g gives %d", variant, f.name, big, res);
        }
        if (is_int4_asym(format)) {
            // The minimum alone overflows fp16 (-70000), or the range does (hi - lo = Inf).
            std::vector<float> x((size_t)(rows * cols), 0.0f);
            x[7] = -70000.0f;
            CHECK(k.quantize(format, x.data(), rows, cols, 0, rows, out.data()) == vane::QUANT_SCALE_RANGE,
                  "%s %s: min -70000 must overflow", variant, f.name);
            x[7] = -3e38f;
            x[8] = 3e38f;
            CHECK(k.quantize(format, x.data(), rows, cols, 0, rows, out.data()) == vane::QUANT_SCALE_RANGE,
                  "%s %s: range overflow", variant, f.name);
            // -60000 .. 60000: the step 8000 and the minimum fit.
            x[7] = -60000.0f;
            x[8] = 60000.0f;
            CHECK(k.quantize(format, x.data(), rows, cols, 0, rows, out.data()) == vane::QUANT_OK,
                  "%s %s: +-60000 must fit", variant, f.name);
        }
    }
    // F16: a finite value past 65504 is not an error; it becomes Inf (IEEE overflow).
    float big[3] = {1e5f, -65520.0f, 65519.0f};
    uint8_t h[6];
    CHECK(k.quantize(VANE_FORMAT_F16, big, 1, 3, 0, 1, h) == vane::QUANT_OK, "%s f16 overflow status", variant);
    CHECK(rd16(h) == 0x7c00 && rd16(h + 2) == 0xfc00 && rd16(h + 4) == 0x7bff, "%s f16 overflow -> Inf", variant);
}

// ---- (f) hand-computed blocks --------------------------------------------------------------------

void expect_bytes(const QuantKernels &k, const char *variant, int32_t format, const float *x, int cols,
                  const uint8_t *want, int nbytes, const char *what) {
    uint8_t got[64];
    memset(got, 0xcd, sizeof got);
    int32_t res = k.quantize(format, x, 1, cols, 0, 1, got);
    CHECK(res == vane::QUANT_OK, "%s %s: status %d", variant, what, res);
    for (int i = 0; i < nbytes; i++) {
        CHECK(got[i] == want[i], "%s %s: byte %d is 0x%02x, want 0x%02x", variant, what, i, got[i], want[i]);
    }
}

void test_hand_blocks(const QuantKernels &k, const char *variant) {
    float x[32];
    // Q4_0, x[j] = j - 16. max by |x| is -16 (j = 0), d = -16 / -8 = 2.0 -> fp16 0x4000 (stored
    // little-endian: 00 40), id = 0.5. code = MIN(15, trunc(x * 0.5 + 8.5)):
    //   x[0..15]  = -16..-1 -> 0.5, 1, 1.5, 2, ... 8 -> 0,1,1,2,2,3,3,4,4,5,5,6,6,7,7,8
    //   x[16..31] = 0..15   -> 8.5, 9, 9.5, ... 16 -> 8,9,9,10,10,11,11,12,12,13,13,14,14,15,15,15
    // (truncation, not round-half-even: 1.5 -> 1, 2.5 -> 2), byte j = lo | hi << 4.
    for (int j = 0; j < 32; j++) x[j] = (float)(j - 16);
    const uint8_t q4_a[18] = {0x00, 0x40, 0x80, 0x91, 0x91, 0xa2, 0xa2, 0xb3, 0xb3,
                              0xc4, 0xc4, 0xd5, 0xd5, 0xe6, 0xe6, 0xf7, 0xf7, 0xf8};
    expect_bytes(k, variant, VANE_FORMAT_Q4_0, x, 32, q4_a, 18, "q4_0 block j-16");
    // Q4_0 with a positive max tied in magnitude: x[3] = 7, x[31] = 7, x[20] = -3.5, rest 0.
    // max = 7 (first of the two), d = -0.875 -> fp16 0xBB00; id = 1/d = -1.14285719...f;
    // 7 * id = -8.0000004 -> -8.0f -> 0.5 -> 0; -3.5 * id = 4.0f -> 12.5 -> 12; 0 -> 8.5 -> 8.
    // bytes: j=3: 0 | 8<<4 = 0x80; j=4: 8 | 12<<4 = 0xC8; j=15: 8 | 0<<4 = 0x08; others 0x88.
    for (int j = 0; j < 32; j++) x[j] = 0.0f;
    x[3] = 7.0f;
    x[31] = 7.0f;
    x[20] = -3.5f;
    const uint8_t q4_b[18] = {0x00, 0xbb, 0x88, 0x88, 0x88, 0x80, 0xc8, 0x88, 0x88,
                              0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x08};
    expect_bytes(k, variant, VANE_FORMAT_Q4_0, x, 32, q4_b, 18, "q4_0 block tied max");
    // An all-zero Q4_0 block: d = 0 / -8 = -0.0 -> fp16 0x8000 (as llama.cpp), id = 0, codes 8.
    for (int j = 0; j < 32; j++) x[j] = 0.0f;
    const uint8_t q4_z[18] = {0x00, 0x80, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88,
                              0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88};
    expect_bytes(k, variant, VANE_FORMAT_Q4_0, x, 32, q4_z, 18, "q4_0 zero block");

    // Q8_0: amax 127 -> d = 1.0 -> fp16 0x3C00 (00 3C), id = 1, q = roundf(x) (half away from
    // zero: 2.5 -> 3, -2.5 -> -3, 0.5 -> 1, -0.5 -> -1), then x[j] = j - 16 for j >= 8.
    const float q8_x[8] = {-127.0f, 2.5f, -2.5f, 0.5f, -0.5f, 1.49f, -1.51f, 126.5f};
    for (int j = 0; j < 32; j++) x[j] = j < 8 ? q8_x[j] : (float)(j - 16);
    const uint8_t q8_a[34] = {0x00, 0x3c,                                     // d
                              0x81, 0x03, 0xfd, 0x01, 0xff, 0x01, 0xfe, 0x7f,  // -127 3 -3 1 -1 1 -2 127
                              0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff,  // -8 .. -1
                              0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,  // 0 .. 7
                              0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f}; // 8 .. 15
    expect_bytes(k, variant, VANE_FORMAT_Q8_0, x, 32, q8_a, 34, "q8_0 block d=1");
    // Q8_0: amax 254 (twice) -> d = 2.0 -> fp16 0x4000, id = 0.5: 1 -> 0.5 -> 1; 3 -> 1.5 -> 2;
    // -1 -> -1; 5 -> 2.5 -> 3; -5 -> -3; -254 -> -127; rest 0.
    for (int j = 0; j < 32; j++) x[j] = 0.0f;
    const float q8_y[7] = {254.0f, 1.0f, 3.0f, -1.0f, 5.0f, -5.0f, -254.0f};
    for (int j = 0; j < 7; j++) x[j] = q8_y[j];
    uint8_t q8_b[34] = {0x00, 0x40, 0x7f, 0x01, 0x02, 0xff, 0x03, 0xfd, 0x81};
    for (int j = 9; j < 34; j++) q8_b[j] = 0x00;
    expect_bytes(k, variant, VANE_FORMAT_Q8_0, x, 32, q8_b, 34, "q8_0 block d=2");

    // INT4 sym G32, x[j] = j - 16: m = -16, d = 2 (fp16 0x4000); q = rint(x / 2), ties to even:
    //   x[0..15]  / 2 = -8, -7.5, -7, ..., -0.5 -> -8,-8,-7,-6,-6,-6,-5,-4,-4,-4,-3,-2,-2,-2,-1,0
    //   x[16..31] / 2 = 0, 0.5, ..., 7.5        -> 0,0,1,2,2,2,3,4,4,4,5,6,6,6,7,8 -> clamp 7
    // nibble = q + 8; byte j = lo | hi << 4.
    for (int j = 0; j < 32; j++) x[j] = (float)(j - 16);
    const uint8_t s4[18] = {0x00, 0x40, 0x80, 0x80, 0x91, 0xa2, 0xa2, 0xa2, 0xb3,
                            0xc4, 0xc4, 0xc4, 0xd5, 0xe6, 0xe6, 0xe6, 0xf7, 0xf8};
    expect_bytes(k, variant, VANE_FORMAT_INT4_SYM_G32, x, 32, s4, 18, "int4_sym_g32 block j-16");
    // INT4 asym G32, x[j] = j (0..31): lo = 0, hi = 31, d = 31/15 = 2.0666666f -> fp16 0x4022
    // (2.06640625), m = 0 (0x0000). q = rint(x / 2.06640625): x = 0..15 -> 0,0,1,1,2,2,3,3,4,4,5,
    // 5,6,6,7,7 (exact ratios: 0.484, 0.968, 1.45, 1.94, 2.42, 2.90, 3.39, 3.87, 4.36, 4.84, 5.32,
    // 5.81, 6.29, 6.77) and x = 16..31 -> 8,8,9,9,10,10,11,11,12,12,13,13,14,14,15,15.
    for (int j = 0; j < 32; j++) x[j] = (float)j;
    const uint8_t a4[20] = {0x22, 0x40, 0x00, 0x00, 0x80, 0x80, 0x91, 0x91, 0xa2, 0xa2,
                            0xb3, 0xb3, 0xc4, 0xc4, 0xd5, 0xd5, 0xe6, 0xe6, 0xf7, 0xf7};
    expect_bytes(k, variant, VANE_FORMAT_INT4_ASYM_G32, x, 32, a4, 20, "int4_asym_g32 block 0..31");

    // Dequantization of the first Q4_0 block: (code - 8) * 2.
    float y[32];
    k.dequantize(VANE_FORMAT_Q4_0, q4_a, 1, 32, 0, 1, y);
    CHECK(y[0] == -16.0f && y[1] == -14.0f && y[15] == 0.0f && y[16] == 0.0f && y[17] == 2.0f && y[31] == 14.0f,
          "%s q4_0 dequantize of the hand block", variant);
}

// ---- fp16 / bf16 conversions ----------------------------------------------------------------------


}  // namespace

int main() {
    double t0 = now_s();
    std::vector<Variant> vs = {{"ref", &vane::quant_kernels_ref}};
    if (compare_variant(VANE_ISA_AVX2)) vs.push_back({"avx2", &vane::quant_kernels_avx2});
    if (compare_variant(VANE_ISA_AVX512)) vs.push_back({"avx512", &vane::quant_kernels_avx512});

    Stats st;
    uint64_t seed = 1;
    const int64_t row_list[] = {1, 3, 129, 257};
    for (int32_t format : kAllFormats) {
        const FormatTraits &f = *vane::format_traits(format);
        std::vector<int64_t> col_list;
        if (f.block_elems == 1) col_list = {7, 32, 129, 384};
        else {
            for (int64_t c : {32, 64, 128, 384}) {
                if (c % f.block_elems == 0) col_list.push_back(c);
            }
        }
        for (int64_t rows : row_list) {
            for (int64_t cols : col_list) test_shape(format, rows, cols, seed++, vs, &st);
        }
        // Wide planar rows: more than 64 tiles across (the SIMD B128 kernels work in groups of
        // 64 tile columns) and a partial last tile.
        if (f.planar) test_shape(format, 129, 64 * 128 + 129, seed++, vs, &st);
    }
    printf("quantize/dequantize: %d shapes, %lld elements (16 formats)\n", st.cases, (long long)st.elements);

    for (const Variant &v : vs) {
        test_errors(*v.k, v.name);
        test_hand_blocks(*v.k, v.name);
    }
    for (size_t v = 1; v < vs.size(); v++) test_random_bytes(*vs[0].k, vs[v]);

    printf("test_quant: %s (%d failures; %zu SIMD variants compared) in %.1f s\n", g_failures == 0 ? "PASS" : "FAIL",
           g_failures, vs.size() - 1, now_s() - t0);
    return g_failures == 0 ? 0 : 1;
}
