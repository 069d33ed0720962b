// Tests of the f16 and bf16 conversions of every CPU variant of the quant kernels: all 65536
// codes decode exactly, and encoding matches the reference on a large sample of f32 patterns.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <initializer_list>
#include <vector>

#include "check.h"
#include "quant/quant.h"
#include "ref_values.h"
#include "vane.h"

namespace {

using vane::QuantKernels;

// A variant under test: the reference first, then the SIMD ones the CPU runs.
struct Variant {
    const char *name;
    const QuantKernels *k;
};

void test_half_conversions(const std::vector<Variant> &vs, uint64_t *sampled) {
    const QuantKernels &ref = *vs[0].k;
    // All 65536 codes decode exactly (NaNs stay NaN with their sign).
    for (int32_t format : {VANE_FORMAT_F16, VANE_FORMAT_BF16}) {
        std::vector<uint16_t> codes(65536);
        for (int i = 0; i < 65536; i++) codes[(size_t)i] = (uint16_t)i;
        std::vector<float> first;
        for (const Variant &v : vs) {
            const QuantKernels *k = v.k;
            std::vector<float> y(65536);
            k->dequantize(format, codes.data(), 256, 256, 0, 256, y.data());
            for (int i = 0; i < 65536; i++) {
                double want = format == VANE_FORMAT_F16 ? half_value((uint16_t)i) : bf16_value((uint16_t)i);
                if (isnan(want)) {
                    CHECK(isnan(y[(size_t)i]) && signbit(y[(size_t)i]) == ((i >> 15) != 0), "format %d decode 0x%04x: NaN",
                          format, i);
                } else {
                    CHECK(bits_of(y[(size_t)i]) == bits_of((float)want), "format %d decode 0x%04x = %a, want %a", format, i,
                          y[(size_t)i], want);
                }
            }
            if (first.empty()) first = y;
            else CHECK(memcmp(first.data(), y.data(), 65536 * 4) == 0, "format %d: %s decode != ref", format, v.name);
        }
    }
    // Rounding: each finite positive code's value, the midpoint to the next code (a tie: to the
    // even code, or to Inf past the max) and the floats next to it.
    for (int32_t format : {VANE_FORMAT_F16, VANE_FORMAT_BF16}) {
        bool f16 = format == VANE_FORMAT_F16;
        std::vector<float> xs;
        std::vector<uint16_t> want;
        uint16_t top = f16 ? 0x7c00 : 0x7f80;  // Inf
        for (uint32_t h = 0; h < top; h++) {
            double v = f16 ? half_value((uint16_t)h) : bf16_value((uint16_t)h);
            double w = f16 ? half_value((uint16_t)(h + 1)) : bf16_value((uint16_t)(h + 1));
            if (isinf(w)) w = f16 ? 65536.0 : ldexp(1.0, 128);  // the value Inf stands in for
            float mid = (float)((v + w) / 2);                     // exact in f32
            if (isinf(mid)) continue;
            for (float s : {1.0f, -1.0f}) {
                uint16_t sb = s < 0 ? 0x8000 : 0;
                xs.push_back(s * (float)v), want.push_back((uint16_t)(h | sb));
                xs.push_back(s * mid), want.push_back((uint16_t)(((h & 1) ? h + 1 : h) | sb));
                xs.push_back(s * nextafterf(mid, 0.0f)), want.push_back((uint16_t)(h | sb));
                xs.push_back(s * nextafterf(mid, INFINITY)), want.push_back((uint16_t)((h + 1) | sb));
            }
        }
        for (const Variant &v : vs) {
            const QuantKernels *k = v.k;
            std::vector<uint16_t> got(xs.size());
            CHECK(k->quantize(format, xs.data(), 1, (int64_t)xs.size(), 0, 1, got.data()) == vane::QUANT_OK,
                  "format %d rounding set status", format);
            int64_t bad = 0;
            for (size_t i = 0; i < xs.size(); i++) {
                if (got[i] != want[i] && bad++ < 3) {
                    CHECK(false, "%s format %d: %a -> 0x%04x, want 0x%04x", v.name, format, xs[i],
                          got[i], want[i]);
                }
            }
        }
    }
    // Each SIMD variant == reference on a stride sample of all finite f32 bit patterns.
    for (size_t v = 1; v < vs.size(); v++) {
        const uint64_t stride = 5;
        const size_t chunk = 1 << 16;
        std::vector<float> x(chunk);
        std::vector<uint16_t> a(chunk), b(chunk);
        uint64_t count = 0, bad = 0;
        for (int32_t format : {VANE_FORMAT_F16, VANE_FORMAT_BF16}) {
            size_t m = 0;
            for (uint64_t p = 0; p < (1ull << 32); p += stride) {
                uint32_t u = (uint32_t)p;
                if ((u & 0x7f800000u) == 0x7f800000u) continue;  // quantize rejects non-finite
                x[m++] = float_of(u);
                if (m == chunk || p + stride >= (1ull << 32)) {
                    ref.quantize(format, x.data(), 1, (int64_t)m, 0, 1, a.data());
                    vs[v].k->quantize(format, x.data(), 1, (int64_t)m, 0, 1, b.data());
                    if (memcmp(a.data(), b.data(), m * 2) != 0) bad++;
                    count += m;
                    m = 0;
                }
            }
        }
        CHECK(bad == 0, "f16/bf16 quantize: %s != ref in %llu chunks", vs[v].name, (unsigned long long)bad);
        *sampled = count;
    }
}

}  // namespace

int main() {
    const double t0 = now_s();
    std::vector<Variant> vs = {{"ref", &vane::quant_kernels_ref}};
    if (compare_variant(VANE_ISA_AVX2)) vs.push_back({"avx2", &vane::quant_kernels_avx2});
    if (compare_variant(VANE_ISA_AVX512)) vs.push_back({"avx512", &vane::quant_kernels_avx512});
    uint64_t sampled = 0;
    test_half_conversions(vs, &sampled);
    for (size_t v = 1; v < vs.size(); v++) {
        printf("f16/bf16 quantize %s == ref on every 5th finite f32 pattern (%llu values)\n", vs[v].name,
               (unsigned long long)sampled);
    }
    printf("test_half: %s in %.1f s\n", g_failures == 0 ? "PASS" : "FAIL", now_s() - t0);
    return finish("test_half");
}
