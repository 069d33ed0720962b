// vane_gemm on GGUF's other block formats (q4_1 ... mxfp4), end to end through the public ABI:
// x quantized per row into the activation blocks llama.cpp pairs with the type, the rows-and-blocks
// driver, the thread pool, odd shapes, row strides with gaps, bias on and off, poisoned outputs
// (the gaps must stay untouched), every CPU variant (m = 2, 5, 9, 33: the AVX-512 kernels of 2 to 4
// rows of x); a NaN in x makes its row NaN. Each output is
// compared with a float64 dot product of the dequantized weights and the dequantized activation
// blocks (what the integer kernels compute exactly; q4_1 and q5_1 take their minimum's term from
// the q8_1 block's stored s, as llama.cpp does), within the f32 rounding of the kernels' sums:
// tol = (nb + 16) * 2^-21 * sum_k |x_k| (|w_k| + max_k |w_k|), nb the row's blocks. The second
// term covers the partial sums a format's scales and minimums split into (q4_K: d*sc*q and
// dmin*m*x summed apart), which may each exceed the sum of |x w|. A wrong layout or a skipped block
// is off by a whole weight times an activation, far above it.
#include <math.h>

#include <vector>

#include "check.h"
#include "gemm/ggml_dot.h"
#include "quant/quant.h"
#include "quant/scalar.h"
#include "vane.h"

namespace {

const int32_t kFormats[] = {VANE_FORMAT_Q4_1, VANE_FORMAT_Q5_0, VANE_FORMAT_Q5_1, VANE_FORMAT_Q2_K, VANE_FORMAT_Q3_K, VANE_FORMAT_Q4_K,
                            VANE_FORMAT_Q5_K, VANE_FORMAT_Q6_K, VANE_FORMAT_IQ4_NL, VANE_FORMAT_IQ4_XS, VANE_FORMAT_MXFP4};

// The activations x-hat the kernels see for one row of x: the row quantized as the format's
// GEMM does it, then decoded (d * q per element).
// For q8_1, s_err[b] gets s - d * sum(q) of block b: q4_1 and q5_1 multiply their minimum by the
// block's stored s (an fp16 rounding of d * sum(q)), so the reference adds m * s_err too.
std::vector<double> act_hat(int32_t act, const float *x, int64_t k, std::vector<double> &s_err) {
    std::vector<double> out((size_t)k);
    s_err.assign((size_t)(k / 32), 0.0);
    if (act == vane::ACT_Q8_K) {
        std::vector<vane::act_q8_k> b((size_t)(k / 256));
        vane::quantize_act_q8_k(x, b.data(), k);
        for (int64_t i = 0; i < k; i++) out[i] = (double)b[i / 256].d * b[i / 256].qs[i % 256];
    } else if (act == vane::ACT_Q8_1) {
        std::vector<vane::act_q8_1> b((size_t)(k / 32));
        vane::quantize_act_q8_1(x, b.data(), k);
        for (int64_t i = 0; i < k; i++) out[i] = (double)vane::f16_bits_to_f32(b[i / 32].d) * b[i / 32].qs[i % 32];
        for (int64_t j = 0; j < k / 32; j++) {
            double sum = 0;
            for (int e = 0; e < 32; e++) sum += out[32 * j + e];
            s_err[j] = (double)vane::f16_bits_to_f32(b[j].s) - sum;
        }
    } else {
        std::vector<vane::act_q8_0> b((size_t)(k / 32));
        vane::quantize_act_q8_0(x, b.data(), k);
        for (int64_t i = 0; i < k; i++) out[i] = (double)vane::f16_bits_to_f32(b[i / 32].d) * b[i / 32].qs[i % 32];
    }
    return out;
}

void run_case(int32_t format, int64_t m, int64_t n, int64_t k, bool bias_on, bool nan_row, Rng &rng) {
    const vane::FormatTraits &f = *vane::format_traits(format);
    std::vector<float> w((size_t)(n * k)), wd((size_t)(n * k));
    for (float &v : w) v = (float)(rng.normal() * 0.1);
    int64_t bytes = 0;
    CHECK(vane_quant_size(format, n, k, &bytes) == VANE_OK, "%s", vane_last_error());
    std::vector<uint8_t> q((size_t)(bytes > 0 ? bytes : 1));
    CHECK(vane_quant_quantize(format, w.data(), n, k, q.data(), bytes) == VANE_OK, "%s: %s", f.name, vane_last_error());
    CHECK(vane_quant_dequantize(format, q.data(), bytes, n, k, wd.data()) == VANE_OK, "%s", vane_last_error());
    const int64_t ldx = k + 3, ldy = n + 5;
    std::vector<float> x((size_t)(m * ldx), 1e30f), bias((size_t)n), y((size_t)(m * ldy));
    for (int64_t i = 0; i < m; i++)
        for (int64_t c = 0; c < k; c++) x[i * ldx + c] = (float)(rng.normal() * (i % 3 == 2 ? 20.0 : 1.0));
    if (nan_row && m > 1) x[1 * ldx + k / 2] = NAN;
    for (float &b : bias) b = (float)rng.normal();
    const float poison = -12345.5f;
    for (float &v : y) v = poison;
    const vane_status st = vane_gemm(format, q.data(), bytes, n, k, x.data(), ldx, m, bias_on ? bias.data() : nullptr, y.data(), ldy);
    CHECK(st == VANE_OK, "%s gemm: %s", f.name, vane_last_error());
    const int64_t nb = k / f.block_elems;
    int bad = 0;
    for (int64_t i = 0; i < m; i++) {
        std::vector<double> s_err;
        const std::vector<double> xh = act_hat(f.act, &x[i * ldx], k, s_err);
        for (int64_t j = 0; j < n; j++) {
            double want = bias_on ? bias[j] : 0.0, mag = 0.0, wmax = 0.0;
            for (int64_t c = 0; c < k; c++) wmax = fmax(wmax, fabs(wd[j * k + c]));
            for (int64_t c = 0; c < k; c++) {
                want += xh[c] * wd[j * k + c];
                mag += fabs(xh[c]) * (fabs(wd[j * k + c]) + wmax);
            }
            if (f.act == vane::ACT_Q8_1)  // the minimum m (fp16 at byte 2 of q4_1 / q5_1 blocks) times s's rounding
                for (int64_t b = 0; b < nb; b++)
                    want += (double)vane::f16_bits_to_f32(vane::get_u16(&q[(j * nb + b) * f.block_bytes + 2])) * s_err[b];
            const float got = y[i * ldy + j];
            if (nan_row && m > 1 && i == 1) {
                if (!isnan(got) && bad++ < 5) CHECK(false, "%s m=%lld n=%lld k=%lld: row with a NaN gives %g, not NaN", f.name, (long long)m, (long long)n, (long long)k, got);
                continue;
            }
            const double tol = (nb + 16) * ldexp(1.0, -21) * mag + 1e-30;
            if (!(fabs(got - want) <= tol) && bad++ < 5)
                CHECK(false, "%s m=%lld n=%lld k=%lld y[%lld,%lld] = %.9g, want %.9g (tol %.3g)", f.name, (long long)m, (long long)n, (long long)k,
                      (long long)i, (long long)j, got, want, tol);
        }
        for (int64_t j = n; j < ldy && i * ldy + j < (int64_t)y.size(); j++)
            if (y[i * ldy + j] != poison && bad++ < 5) CHECK(false, "%s: the gap after row %lld was written", f.name, (long long)i);
    }
    CHECK(bad == 0, "%s m=%lld n=%lld k=%lld: %d outputs wrong", f.name, (long long)m, (long long)n, (long long)k, bad);
}

void test_format(int32_t format, Rng &rng) {
    const int64_t g = vane::format_traits(format)->block_elems;
    const int64_t ks[] = {g, 3 * g, g == 32 ? 1024 + 96 : 1024 + 512};
    const int64_t ms[] = {1, 2, 5, 9, 33};
    const int64_t ns[] = {1, 7, 64, 129};
    int c = 0;
    for (int64_t k : ks)
        for (int64_t m : ms)
            for (int64_t n : ns) {
                if ((c++ % 3) != 0 && m > 2 && n > 7) continue;  // a spread of the shapes, not all
                run_case(format, m, n, k, c % 2 == 0, c % 5 == 0, rng);
            }
}

}  // namespace

int main() {
    vane_cpu_info info;
    vane_cpu_features(&info);
    std::vector<int32_t> isas = {VANE_ISA_BASELINE};
    if (compare_avx2_variant()) isas.push_back(VANE_ISA_AVX2);
    if (compare_variant(VANE_ISA_AVX512)) isas.push_back(VANE_ISA_AVX512);
    for (int32_t isa : isas) {
        CHECK(vane_cpu_select(isa) == VANE_OK, "%s", vane_last_error());
        for (int threads : {1, 3}) {
            vane_set_threads(threads);
            Rng rng(2026 + isa);
            for (int32_t f : kFormats) test_format(f, rng);
        }
    }
    return finish("test_ggml_gemm");
}
