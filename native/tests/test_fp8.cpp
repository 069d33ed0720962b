// FP8 scalar conversions (OCP E4M3FN and E5M2) of every kernel variant:
//  - every one of the 256 codes of each format decodes to the value of an independent formula;
//  - the reference encoder agrees with a brute-force nearest-value search in double on millions
//    of floats (random bits, midpoints and their neighbours, subnormals, specials) and with the
//    OCP spec's examples;
//  - the AVX2 and AVX-512 encoders equal the reference on all 2^32 float bit patterns (both
//    formats), or a stride sample of them on a slow machine;
//  - bulk calls of odd lengths write exactly n outputs (poisoned buffers, guard bytes).
// Exits 0 when everything passes.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atomic>
#include <chrono>
#include <initializer_list>
#include <thread>
#include <vector>

#include "quant/quant.h"
#include "check.h"
#include "vane.h"

namespace {

using vane::QuantKernels;

// A SIMD variant under test.
struct Variant {
    const char *name;
    const QuantKernels *k;
};

// The two formats, described independently of the code under test.
struct Fmt {
    const char *name;
    int32_t kind;
    int ebits, mbits, bias;
    bool ieee_specials;  // E5M2: exponent all-ones is Inf / NaN; E4M3FN: only S.1111.111 is NaN
    int max_code;        // largest finite magnitude code
    double max_value;
};
const Fmt kFormats[2] = {
    {"e4m3", VANE_FP8_E4M3, 4, 3, 7, false, 0x7e, 448.0},
    {"e5m2", VANE_FP8_E5M2, 5, 2, 15, true, 0x7b, 57344.0},
};

// Independent decode: sign * 2^(e - bias) * (1 + m / 2^M), subnormals 2^(1 - bias) * m / 2^M.
// Returns NaN / Inf for those codes.
double formula_value(const Fmt &f, int code) {
    int sign = code >> 7;
    int e = (code >> f.mbits) & ((1 << f.ebits) - 1);
    int m = code & ((1 << f.mbits) - 1);
    double v;
    if (f.ieee_specials && e == (1 << f.ebits) - 1) {
        v = m == 0 ? INFINITY : NAN;
    } else if (!f.ieee_specials && e == (1 << f.ebits) - 1 && m == (1 << f.mbits) - 1) {
        v = NAN;
    } else if (e == 0) {
        v = ldexp((double)m, 1 - f.bias - f.mbits);
    } else {
        v = ldexp(1.0 + (double)m / (1 << f.mbits), e - f.bias);
    }
    return sign ? -v : v;
}

// Brute force: the finite code nearest to x (ties to the even code), saturating beyond max,
// NaN -> 0x7F | sign. Linear scan in double over all non-negative finite codes.
uint8_t brute_encode(const Fmt &f, float x) {
    int sign = signbit(x) ? 0x80 : 0;
    if (isnan(x)) return (uint8_t)(sign | 0x7f);
    double a = fabs((double)x);
    if (a >= f.max_value) return (uint8_t)(sign | f.max_code);
    int best = 0;
    double best_d = INFINITY;
    for (int k = 0; k <= f.max_code; k++) {
        double d = fabs(a - formula_value(f, k));  // exact: see the test notes in main
        if (d < best_d || (d == best_d && (k & 1) == 0)) {
            best = k;
            best_d = d;
        }
    }
    return (uint8_t)(sign | best);
}


// ---- 1. decode of all 256 codes --------------------------------------------------------------

void test_decode_all(const QuantKernels &k, const char *variant) {
    for (const Fmt &f : kFormats) {
        uint8_t codes[256];
        float out[256];
        for (int c = 0; c < 256; c++) codes[c] = (uint8_t)c;
        memset(out, 0xcd, sizeof out);
        k.fp8_decode(f.kind, codes, out, 256);
        int nan_codes = 0;
        for (int c = 0; c < 256; c++) {
            double want = formula_value(f, c);
            if (isnan(want)) {
                nan_codes++;
                CHECK(isnan(out[c]), "%s %s decode(0x%02x) = %g, want NaN", variant, f.name, c, out[c]);
                CHECK(signbit(out[c]) == (c >> 7 != 0), "%s %s decode(0x%02x): NaN sign", variant, f.name, c);
            } else {
                float wf = (float)want;  // every fp8 value is exact in f32
                CHECK((double)wf == want, "formula value not exact in f32");
                CHECK(bits_of(out[c]) == bits_of(wf), "%s %s decode(0x%02x) = %a (0x%08x), want %a", variant,
                      f.name, c, out[c], bits_of(out[c]), wf);
            }
        }
        CHECK(nan_codes == (f.ieee_specials ? 6 : 2), "%s %s: %d NaN codes", variant, f.name, nan_codes);
    }
    // A few values written out by hand (OCP spec table).
    uint8_t c[6] = {0x7e, 0x01, 0x08, 0xfe, 0x00, 0x80};
    float o[6];
    k.fp8_decode(VANE_FP8_E4M3, c, o, 6);
    CHECK(o[0] == 448.0f && o[1] == 0x1p-9f && o[2] == 0x1p-6f && o[3] == -448.0f && o[4] == 0.0f &&
              bits_of(o[5]) == 0x80000000u,
          "%s e4m3 hand-written decodes", variant);
    uint8_t c2[5] = {0x7b, 0x01, 0x04, 0x7c, 0xfc};
    float o2[5];
    k.fp8_decode(VANE_FP8_E5M2, c2, o2, 5);
    CHECK(o2[0] == 57344.0f && o2[1] == 0x1p-16f && o2[2] == 0x1p-14f && o2[3] == INFINITY && o2[4] == -INFINITY,
          "%s e5m2 hand-written decodes", variant);
}

// ---- 2. reference encode against brute force ----------------------------------------------------

std::vector<float> encode_test_set(const Fmt &f) {
    std::vector<float> v;
    Rng rng(42 + f.kind);
    // Random bit patterns (every class: NaNs, Infs, subnormals, huge, tiny).
    for (int i = 0; i < 1500000; i++) v.push_back(float_of(rng.u32()));
    // Every code's value, the midpoints between adjacent codes (ties) and their neighbours.
    std::vector<double> vals;
    for (int k = 0; k <= f.max_code; k++) vals.push_back(formula_value(f, k));
    vals.push_back(f.max_value + (f.max_value - vals[f.max_code - 1]));  // the next value past max
    for (size_t k = 0; k < vals.size(); k++) {
        float pts[2] = {(float)vals[k], k + 1 < vals.size() ? (float)((vals[k] + vals[k + 1]) / 2) : 0.0f};
        for (float p : pts) {
            for (float s : {1.0f, -1.0f}) {
                float x = s * p;
                v.push_back(x);
                v.push_back(nextafterf(x, INFINITY));
                v.push_back(nextafterf(x, -INFINITY));
                v.push_back(nextafterf(nextafterf(x, INFINITY), INFINITY));
                v.push_back(nextafterf(nextafterf(x, -INFINITY), -INFINITY));
            }
        }
    }
    // The subnormal range and just above it: random mantissas, exponents from 2^-30 to 2^(3-bias).
    for (int i = 0; i < 1000000; i++) {
        int e = -30 + (int)(rng.u32() % (uint32_t)(33 - f.bias));
        float x = ldexpf(1.0f + (float)(rng.u32() & 0x7fffff) * 0x1p-23f, e);
        v.push_back(rng.u32() & 1 ? -x : x);
    }
    // Uniform values over the whole finite range (the normal path and saturation).
    for (int i = 0; i < 1000000; i++) {
        float x = (float)((double)rng.u32() / 4294967296.0 * 1.25 * f.max_value);
        v.push_back(rng.u32() & 1 ? -x : x);
    }
    // Specials: zeros, Infs, NaNs with various payloads and signs, float extremes.
    const uint32_t specials[] = {0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0xffc00000u,
                                 0x7f800001u, 0xff800001u, 0x7fa00000u, 0x7fffffffu, 0xffffffffu, 0x7fbfffffu,
                                 0x00000001u, 0x80000001u, 0x007fffffu, 0x00800000u, 0x7f7fffffu, 0xff7fffffu};
    for (uint32_t s : specials) v.push_back(float_of(s));
    return v;
}

void test_encode_vs_brute(const QuantKernels &ref, const std::vector<Variant> &simd, size_t *checked) {
    for (const Fmt &f : kFormats) {
        std::vector<float> xs = encode_test_set(f);
        std::vector<uint8_t> got(xs.size()), got2(xs.size());
        ref.fp8_encode(f.kind, xs.data(), got.data(), (int64_t)xs.size());
        for (size_t i = 0; i < xs.size(); i++) {
            uint8_t want = brute_encode(f, xs[i]);
            CHECK(got[i] == want, "ref %s encode(%a, bits 0x%08x) = 0x%02x, brute force says 0x%02x", f.name, xs[i],
                  bits_of(xs[i]), got[i], want);
        }
        for (const Variant &v : simd) {
            v.k->fp8_encode(f.kind, xs.data(), got2.data(), (int64_t)xs.size());
            for (size_t i = 0; i < xs.size(); i++) {
                CHECK(got2[i] == got[i], "%s %s encode(bits 0x%08x) = 0x%02x, ref 0x%02x", v.name, f.name, bits_of(xs[i]),
                      got2[i], got[i]);
            }
        }
        *checked += xs.size();
    }
}

// The OCP spec's own examples.
void test_encode_cases(const QuantKernels &k, const char *variant) {
    struct Case {
        int32_t kind;
        float x;
        uint8_t want;
    };
    const Case cases[] = {
        {VANE_FP8_E4M3, 448.0f, 0x7e},     {VANE_FP8_E4M3, 464.0f, 0x7e},     // 464: tie past max: saturate
        {VANE_FP8_E4M3, 480.0f, 0x7e},     {VANE_FP8_E4M3, 1e6f, 0x7e},
        {VANE_FP8_E4M3, INFINITY, 0x7e},   {VANE_FP8_E4M3, -INFINITY, 0xfe},
        {VANE_FP8_E4M3, -448.0f, 0xfe},    {VANE_FP8_E4M3, NAN, 0x7f},
        {VANE_FP8_E4M3, -NAN, 0xff},       {VANE_FP8_E4M3, 0x1p-9f, 0x01},    // smallest subnormal
        {VANE_FP8_E4M3, 0x1p-10f, 0x00},   {VANE_FP8_E4M3, -0x1p-10f, 0x80},  // tie -> even (0)
        {VANE_FP8_E4M3, 0x1.8p-10f, 0x01}, {VANE_FP8_E4M3, 0x1.8p-9f, 0x02},  // 1.5 * 2^-9: tie -> 2
        {VANE_FP8_E4M3, 0x1p-6f, 0x08},    {VANE_FP8_E4M3, 0x1.fp-7f, 0x08},  // rounds up into normal
        {VANE_FP8_E4M3, 0.0f, 0x00},       {VANE_FP8_E4M3, -0.0f, 0x80},
        {VANE_FP8_E4M3, 1.0f, 0x38},       {VANE_FP8_E4M3, 1.0625f, 0x38},    // tie 1 / 1.125 -> 1 (even)
        {VANE_FP8_E4M3, 1.1875f, 0x3a},    {VANE_FP8_E4M3, 240.0f, 0x77},     // tie 1.125 / 1.25 -> 1.25; 1.875*2^7
        {VANE_FP8_E5M2, 57344.0f, 0x7b},   {VANE_FP8_E5M2, 61440.0f, 0x7b},
        {VANE_FP8_E5M2, 1e9f, 0x7b},       {VANE_FP8_E5M2, INFINITY, 0x7b},
        {VANE_FP8_E5M2, -INFINITY, 0xfb},  {VANE_FP8_E5M2, NAN, 0x7f},
        {VANE_FP8_E5M2, 0x1p-16f, 0x01},   {VANE_FP8_E5M2, 0x1p-17f, 0x00},
        {VANE_FP8_E5M2, 0x1.8p-17f, 0x01}, {VANE_FP8_E5M2, 0x1p-14f, 0x04},
        {VANE_FP8_E5M2, 1.0f, 0x3c},       {VANE_FP8_E5M2, -2.0f, 0xc0},
    };
    for (const Case &c : cases) {
        uint8_t got = 0xcd;
        k.fp8_encode(c.kind, &c.x, &got, 1);
        CHECK(got == c.want, "%s %s encode(%a) = 0x%02x, want 0x%02x", variant, c.kind == VANE_FP8_E4M3 ? "e4m3" : "e5m2",
              c.x, got, c.want);
    }
}

// ---- 3. SIMD encode == reference on (all) float bit patterns --------------------------------

// Compares over patterns start, start + stride, ... up to 2^32 using `threads` threads.
uint64_t compare_all_patterns(const QuantKernels &ref, const Variant &v, int32_t kind, uint64_t stride,
                              int threads, uint64_t *mismatches) {
    std::atomic<uint64_t> bad{0}, done{0};
    std::atomic<uint64_t> first_bad{UINT64_MAX};
    const uint64_t total = (1ull << 32) / stride + ((1ull << 32) % stride != 0);
    const uint64_t chunk = 1 << 16;
    std::atomic<uint64_t> next_chunk{0};
    auto worker = [&]() {
        std::vector<float> x(chunk);
        std::vector<uint8_t> a(chunk), b(chunk);
        for (;;) {
            uint64_t c = next_chunk.fetch_add(1);
            uint64_t i0 = c * chunk;
            if (i0 >= total) break;
            uint64_t n = total - i0 < chunk ? total - i0 : chunk;
            for (uint64_t i = 0; i < n; i++) x[i] = float_of((uint32_t)((i0 + i) * stride));
            ref.fp8_encode(kind, x.data(), a.data(), (int64_t)n);
            v.k->fp8_encode(kind, x.data(), b.data(), (int64_t)n);
            if (memcmp(a.data(), b.data(), n) != 0) {
                for (uint64_t i = 0; i < n; i++) {
                    if (a[i] != b[i]) {
                        bad++;
                        uint64_t p = (i0 + i) * stride, cur = first_bad.load();
                        while (p < cur && !first_bad.compare_exchange_weak(cur, p)) {
                        }
                    }
                }
            }
            done += n;
        }
    };
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; t++) pool.emplace_back(worker);
    for (auto &t : pool) t.join();
    *mismatches = bad.load();
    if (bad.load() != 0) {
        float x = float_of((uint32_t)first_bad.load());
        uint8_t a, b;
        ref.fp8_encode(kind, &x, &a, 1);
        v.k->fp8_encode(kind, &x, &b, 1);
        CHECK(false, "%s %s encode differs from ref on %llu patterns; first 0x%08x: %s 0x%02x, ref 0x%02x", v.name,
              kind == VANE_FP8_E4M3 ? "e4m3" : "e5m2", (unsigned long long)bad.load(), (uint32_t)first_bad.load(), v.name, b, a);
    }
    return done.load();
}

// ---- 4. odd lengths, poisoned outputs, guards -------------------------------------------------

void test_bulk_lengths(const QuantKernels &k, const QuantKernels &ref, const char *variant) {
    const int64_t lengths[] = {1, 7, 15, 16, 17, 31, 33, 1000003};
    const size_t guard = 64;
    Rng rng(7);
    for (int64_t n : lengths) {
        std::vector<float> x((size_t)n);
        std::vector<uint8_t> codes((size_t)n);
        for (int64_t i = 0; i < n; i++) {
            // Mostly values in range with some specials.
            uint32_t r = rng.u32();
            x[(size_t)i] = (r & 15) == 0 ? float_of(rng.u32()) : ldexpf((float)(int32_t)rng.u32(), -24 - (int)(r % 20));
            codes[(size_t)i] = (uint8_t)rng.u32();
        }
        for (const Fmt &f : kFormats) {
            // Encode twice with different poison: every byte must be written, and identically.
            std::vector<uint8_t> out1((size_t)n + guard, 0xcd), out2((size_t)n + guard, 0x5a);
            k.fp8_encode(f.kind, x.data(), out1.data(), n);
            k.fp8_encode(f.kind, x.data(), out2.data(), n);
            CHECK(memcmp(out1.data(), out2.data(), (size_t)n) == 0, "%s %s encode n=%lld: output not fully written",
                  variant, f.name, (long long)n);
            bool guard_ok = true;
            for (size_t i = 0; i < guard; i++) guard_ok &= out1[(size_t)n + i] == 0xcd && out2[(size_t)n + i] == 0x5a;
            CHECK(guard_ok, "%s %s encode n=%lld wrote past the end", variant, f.name, (long long)n);
            // Against the reference, element by element (n = 1 calls take the scalar path).
            if (n <= 33) {
                for (int64_t i = 0; i < n; i++) {
                    uint8_t want = brute_encode(f, x[(size_t)i]);
                    CHECK(out1[(size_t)i] == want, "%s %s encode n=%lld [%lld]", variant, f.name, (long long)n, (long long)i);
                }
            } else {
                std::vector<uint8_t> want((size_t)n);
                ref.fp8_encode(f.kind, x.data(), want.data(), n);
                CHECK(memcmp(want.data(), out1.data(), (size_t)n) == 0, "%s %s encode n=%lld differs from ref",
                      variant, f.name, (long long)n);
            }
            // Decode likewise.
            std::vector<float> d1((size_t)n + guard), d2((size_t)n + guard), dref((size_t)n);
            memset(d1.data(), 0xcd, d1.size() * 4);
            memset(d2.data(), 0x5a, d2.size() * 4);
            k.fp8_decode(f.kind, codes.data(), d1.data(), n);
            k.fp8_decode(f.kind, codes.data(), d2.data(), n);
            ref.fp8_decode(f.kind, codes.data(), dref.data(), n);
            CHECK(memcmp(d1.data(), d2.data(), (size_t)n * 4) == 0, "%s %s decode n=%lld: output not fully written",
                  variant, f.name, (long long)n);
            CHECK(memcmp(d1.data(), dref.data(), (size_t)n * 4) == 0, "%s %s decode n=%lld differs from ref", variant,
                  f.name, (long long)n);
            guard_ok = true;
            for (size_t i = 0; i < guard; i++) {
                guard_ok &= bits_of(d1[(size_t)n + i]) == 0xcdcdcdcdu && bits_of(d2[(size_t)n + i]) == 0x5a5a5a5au;
            }
            CHECK(guard_ok, "%s %s decode n=%lld wrote past the end", variant, f.name, (long long)n);
        }
    }
}

// All 2^32 patterns when the machine is fast enough: a quick timing of a 2^24 sample decides;
// otherwise a deterministic stride sample (said in the output).
void compare_patterns(const QuantKernels &ref, const Variant &v) {
    int threads = (int)std::thread::hardware_concurrency();
    if (threads < 1) threads = 1;
    if (threads > 8) threads = 8;
    uint64_t mism = 0;
    double ts = now_s();
    compare_all_patterns(ref, v, VANE_FP8_E4M3, 256, threads, &mism);
    double per_pattern = (now_s() - ts) / (double)(1 << 24);
    double budget_s = 12.0;  // for both formats
    double est_all = per_pattern * 2.0 * 4294967296.0;
    uint64_t stride = 1;
    if (est_all > budget_s) {
        stride = (uint64_t)ceil(est_all / budget_s);
        if (stride % 2 == 0) stride++;  // odd: the sample covers all low-bit patterns
    }
    uint64_t total = 0, bad = 0;
    for (const Fmt &f : kFormats) {
        total += compare_all_patterns(ref, v, f.kind, stride, threads, &mism);
        bad += mism;
    }
    if (stride == 1) {
        printf("%s encode == ref: all 2^32 float patterns x 2 formats (%llu), %llu mismatches\n", v.name,
               (unsigned long long)total, (unsigned long long)bad);
    } else {
        printf("%s encode == ref: every %llu-th float pattern x 2 formats (%llu; estimated %.0f s for all), "
               "%llu mismatches\n", v.name, (unsigned long long)stride, (unsigned long long)total, est_all,
               (unsigned long long)bad);
    }
}

}  // namespace

int main() {
    double t0 = now_s();
    const QuantKernels &ref = vane::quant_kernels_ref;
    std::vector<Variant> simd;
    if (compare_variant(VANE_ISA_AVX2)) simd.push_back({"avx2", &vane::quant_kernels_avx2});
    if (compare_variant(VANE_ISA_AVX512)) simd.push_back({"avx512", &vane::quant_kernels_avx512});

    test_decode_all(ref, "ref");
    test_encode_cases(ref, "ref");
    for (const Variant &v : simd) {
        test_decode_all(*v.k, v.name);
        test_encode_cases(*v.k, v.name);
    }

    // Brute force in double: every difference |x - value| is exact in double (x has 24 bits,
    // the values' spacing is no finer than x's below x's magnitude), so ties are seen as ties.
    size_t brute = 0;
    test_encode_vs_brute(ref, simd, &brute);
    printf("encode vs brute force: %zu floats per variant (both formats)\n", brute);

    test_bulk_lengths(ref, ref, "ref");
    for (const Variant &v : simd) test_bulk_lengths(*v.k, ref, v.name);
    for (const Variant &v : simd) compare_patterns(ref, v);

    printf("test_fp8: %s (%d failures; %zu SIMD variants compared) in %.1f s\n", g_failures == 0 ? "PASS" : "FAIL",
           g_failures, simd.size(), now_s() - t0);
    return g_failures == 0 ? 0 : 1;
}
