// GEMM y = x * W^T + bias through the public ABI, for every weight format, against a float64
// reference computed from the dequantized weights: odd shapes, row strides with gaps, poisoned
// outputs (gaps must stay untouched), bias on and off, 1-3 threads, every CPU variant.
#include <math.h>

#include <vector>

#include "check.h"
#include "vane.h"

namespace {

// f32 accumulation of k products in any order errs by at most about k * 2^-24 * sum |x*w|
// (the classic gamma_k bound), plus one rounding of the bias add.
double tolerance(int64_t k, double abs_dot, double bias) {
    return (double)(k + 2) * 0x1p-24 * abs_dot + 0x1p-24 * fabs(bias) + 1e-30;
}

void test_shape(int32_t format, int64_t m, int64_t n, int64_t k, bool with_bias, Rng &rng, const char *variant) {
    const float poison = NAN;
    const int64_t ldx = k + 3, ldy = n + 2;  // gaps between rows
    std::vector<float> w(n * k), x(m * ldx, 1e30f), bias(n), y(m * ldy, poison);
    for (float &v : w) v = (float)rng.normal();
    for (int64_t i = 0; i < m; i++)
        for (int64_t c = 0; c < k; c++) x[i * ldx + c] = (float)rng.normal();
    for (float &v : bias) v = (float)rng.normal();

    int64_t bytes = 0;
    CHECK(vane_quant_size(format, n, k, &bytes) == VANE_OK, "%s", vane_last_error());
    std::vector<uint8_t> q(bytes > 0 ? bytes : 1);
    std::vector<float> wd(n * k);
    CHECK(vane_quant_quantize(format, w.data(), n, k, q.data(), bytes) == VANE_OK, "%s", vane_last_error());
    CHECK(vane_quant_dequantize(format, q.data(), bytes, n, k, wd.data()) == VANE_OK, "%s", vane_last_error());

    vane_status s = vane_gemm(format, q.data(), bytes, n, k, x.data(), ldx, m, with_bias ? bias.data() : nullptr,
                              y.data(), ldy);
    CHECK(s == VANE_OK, "%s", vane_last_error());
    int bad = 0;
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < n; j++) {
            double ref = with_bias ? bias[j] : 0.0, abs_dot = 0;
            for (int64_t c = 0; c < k; c++) {
                double p = (double)x[i * ldx + c] * wd[j * k + c];
                ref += p;
                abs_dot += fabs(p);
            }
            const float got = y[i * ldy + j];
            if (!(fabs(got - ref) <= tolerance(k, abs_dot, with_bias ? bias[j] : 0))) {
                if (bad++ < 3)
                    CHECK(false, "%s format %d m=%lld n=%lld k=%lld y[%lld,%lld] = %g, reference %g", variant, format,
                          (long long)m, (long long)n, (long long)k, (long long)i, (long long)j, got, ref);
            }
        }
        for (int64_t j = n; j < ldy && i + 1 < m; j++)
            CHECK(isnan(y[i * ldy + j]), "%s format %d wrote into the row gap at [%lld, %lld]", variant, format,
                  (long long)i, (long long)j);
    }
    CHECK(bad == 0, "%s format %d m=%lld n=%lld k=%lld: %d outputs off", variant, format, (long long)m, (long long)n,
          (long long)k, bad);
}

void test_errors() {
    std::vector<float> x(64 * 64, 1.0f), y(64 * 64);
    std::vector<uint8_t> w(1 << 16);
    auto has = [](const char *needle) { return strstr(vane_last_error(), needle) != nullptr; };
    CHECK(vane_gemm(VANE_FORMAT_Q4_0, w.data(), (int64_t)w.size(), 4, 33, x.data(), 33, 1, nullptr, y.data(), 4) ==
              VANE_E_INVALID_ARGUMENT && has("not a multiple of the q4_0 block size 32"), "%s", vane_last_error());
    CHECK(vane_gemm(VANE_FORMAT_Q4_0, w.data(), 10, 4, 32, x.data(), 32, 1, nullptr, y.data(), 4) ==
              VANE_E_BUFFER_TOO_SMALL && has("need 72 bytes"), "%s", vane_last_error());
    CHECK(vane_gemm(VANE_FORMAT_F32, w.data(), (int64_t)w.size(), 4, 32, x.data(), 31, 1, nullptr, y.data(), 4) ==
              VANE_E_INVALID_ARGUMENT && has("strides"), "%s", vane_last_error());
    CHECK(vane_gemm(VANE_FORMAT_F32, w.data(), (int64_t)w.size(), 4, 32, x.data(), 32, 1, nullptr, y.data(), 3) ==
              VANE_E_INVALID_ARGUMENT, "ldy < n");
    CHECK(vane_gemm(VANE_FORMAT_F32, w.data(), (int64_t)w.size(), 4, 32, x.data(), 32, -1, nullptr, y.data(), 4) ==
              VANE_E_INVALID_ARGUMENT, "negative m");
    CHECK(vane_gemm(VANE_FORMAT_F32, nullptr, (int64_t)w.size(), 4, 32, x.data(), 32, 1, nullptr, y.data(), 4) ==
              VANE_E_INVALID_ARGUMENT && has("null"), "%s", vane_last_error());
    CHECK(vane_gemm(VANE_FORMAT_F32, w.data(), (int64_t)w.size(), 4, 32, x.data(), 32, 2, nullptr, x.data() + 8, 4) ==
              VANE_E_INVALID_ARGUMENT && has("overlaps"), "%s", vane_last_error());
    CHECK(vane_gemm(77, w.data(), (int64_t)w.size(), 4, 32, x.data(), 32, 1, nullptr, y.data(), 4) ==
              VANE_E_INVALID_ARGUMENT && has("unknown format"), "%s", vane_last_error());
    // Empty shapes are fine; k = 0 gives the bias.
    CHECK(vane_gemm(VANE_FORMAT_F32, nullptr, 0, 0, 32, x.data(), 32, 3, nullptr, y.data(), 0) == VANE_OK, "n = 0");
    float bias[3] = {1.5f, -2.0f, 0.25f}, out[3] = {NAN, NAN, NAN};
    CHECK(vane_gemm(VANE_FORMAT_F32, nullptr, 0, 3, 0, x.data(), 0, 1, bias, out, 3) == VANE_OK &&
              out[0] == 1.5f && out[1] == -2.0f && out[2] == 0.25f, "k = 0 gives the bias: %s", vane_last_error());
}

}  // namespace

int main() {
    double t0 = now_s();
    vane_cpu_info cpu;
    vane_cpu_features(&cpu);
    const int32_t original_isa = cpu.active, original_threads = vane_get_threads();
    const bool avx2 = compare_avx2_variant();
    Rng rng(2024);
    for (int32_t isa : {VANE_ISA_BASELINE, VANE_ISA_AVX2}) {
        if (isa == VANE_ISA_AVX2 && !avx2) continue;
        CHECK(vane_cpu_select(isa) == VANE_OK, "%s", vane_last_error());
        const char *variant = isa == VANE_ISA_AVX2 ? "avx2" : "baseline";
        for (int32_t threads : {1, 2, 3}) {
            vane_set_threads(threads);
            for (int32_t format = 0; format < 16; format++) {
                vane_format_desc d;
                vane_format_info(format, &d);
                const int64_t g = d.block_elems == 1 ? 1 : d.block_elems;
                const int64_t k_odd = g == 1 ? 131 : 3 * g;
                test_shape(format, 1, 37, k_odd, true, rng, variant);     // GEMV, odd N
                test_shape(format, 5, 19, 2 * (g == 1 ? 64 : g), false, rng, variant);
                if (threads == 2) test_shape(format, 17, 300, g == 1 ? 257 : 4 * g, true, rng, variant);  // wide N, many chunks
            }
        }
    }
    vane_cpu_select(original_isa);
    vane_set_threads(original_threads);
    test_errors();
    printf("test_gemm: %s in %.1f s\n", g_failures == 0 ? "PASS" : "FAIL", now_s() - t0);
    return finish("test_gemm");
}
