// GEMM y = x * W^T + bias through the public ABI, for every weight format: odd shapes, row strides
// with gaps, poisoned outputs (gaps must stay untouched), bias on and off, 1-3 threads, every CPU
// variant. Each result is checked against a float64 reference on the dequantized weights and the
// ORIGINAL x, and the AVX2 variant against the reference variant, with the bounds written below.
#include <math.h>
#include <sys/mman.h>
#include <unistd.h>

#include <vector>

#include "check.h"
#include "quant/scalar.h"
#include "vane.h"

namespace {

bool is_int_format(int32_t f) { return (f >= VANE_FORMAT_INT4_SYM_G32 && f <= VANE_FORMAT_Q8_0) || f == VANE_FORMAT_Q4_0_X8; }
constexpr int32_t kFormats = VANE_FORMAT_Q4_0_X8 + 1;  // every format id
// Rows rounded up to what the format takes (q4_0x8: groups of 8).
int64_t rows_for(int32_t format, int64_t n) { return format == VANE_FORMAT_Q4_0_X8 ? (n + 7) / 8 * 8 : n; }
bool is_asym(int32_t f) { return f >= VANE_FORMAT_INT4_ASYM_G32 && f <= VANE_FORMAT_INT4_ASYM_G128; }

struct Weights {
    std::vector<uint8_t> q;   // packed
    std::vector<float> wd;    // dequantized [n, k]
    std::vector<float> mins;  // int4_asym: each element's block minimum m (0 otherwise)
    int64_t bytes = 0;
};

// Normal weights quantized by Vane; with random_codes, every code byte of a block format is then
// replaced by a random byte (the scales kept), as a foreign model file may hold any codes (q8_0
// and int8 get -128 too).
Weights make_weights(int32_t format, int64_t n, int64_t k, Rng &rng, bool random_codes) {
    Weights w;
    std::vector<float> src(n * k);
    for (float &v : src) v = (float)rng.normal();
    CHECK(vane_quant_size(format, n, k, &w.bytes) == VANE_OK, "%s", vane_last_error());
    w.q.assign(w.bytes > 0 ? w.bytes : 1, 0);
    CHECK(vane_quant_quantize(format, src.data(), n, k, w.q.data(), w.bytes) == VANE_OK, "%s", vane_last_error());
    vane_format_desc d;
    vane_format_info(format, &d);
    if (random_codes && format == VANE_FORMAT_Q4_0_X8) {  // codes after each block's 8 scales
        for (int64_t b = 0; b < w.bytes / 144; b++)
            for (int t = 16; t < 144; t++) w.q[b * 144 + t] = (uint8_t)rng.u32();
    } else if (random_codes && is_int_format(format)) {
        const int header = format >= VANE_FORMAT_INT8_G32 && format <= VANE_FORMAT_INT8_G128 ? 4
                           : is_asym(format)                                              ? 4
                                                                                          : 2;
        for (int64_t b = 0; b < w.bytes / d.block_bytes; b++)
            for (int t = header; t < d.block_bytes; t++) w.q[b * d.block_bytes + t] = (uint8_t)rng.u32();
    }
    if (random_codes && !is_int_format(format) && n > 1 && k > 0) {
        // A NaN weight in row 1 (and a second NaN code in row 0 for the FP8 formats, whose 0xff
        // is the negative NaN): the reference gives NaN for those rows. f32, f16 and bf16 also get
        // an Inf (-Inf) weight in row 2 (n - 1), which makes those rows' outputs infinite or NaN.
        const int64_t at = k + k / 2;
        if (d.planar) {
            w.q[at] = 0x7f;
            w.q[k / 3] = 0xff;
        } else if (format == VANE_FORMAT_F32) {
            const uint32_t nan32 = 0x7fc00000u, inf32 = 0x7f800000u, ninf32 = 0xff800000u;
            memcpy(&w.q[4 * at], &nan32, 4);
            if (n > 2) memcpy(&w.q[4 * (2 * k + k / 3)], &inf32, 4);
            if (n > 3) memcpy(&w.q[4 * ((n - 1) * k + k - 1)], &ninf32, 4);
        } else {
            const bool f16 = format == VANE_FORMAT_F16;
            const uint16_t nan16 = f16 ? 0x7e00 : 0x7fc0, inf16 = f16 ? 0x7c00 : 0x7f80, ninf16 = f16 ? 0xfc00 : 0xff80;
            memcpy(&w.q[2 * at], &nan16, 2);
            if (n > 2) memcpy(&w.q[2 * (2 * k + k / 3)], &inf16, 2);
            if (n > 3) memcpy(&w.q[2 * ((n - 1) * k + k - 1)], &ninf16, 2);
        }
    }
    w.wd.assign(n * k, 0.0f);
    CHECK(vane_quant_dequantize(format, w.q.data(), w.bytes, n, k, w.wd.data()) == VANE_OK, "%s", vane_last_error());
    w.mins.assign(n * k, 0.0f);
    if (is_asym(format)) {
        for (int64_t e = 0; e < n * k; e++) {
            uint16_t m16;
            memcpy(&m16, &w.q[(e / d.block_elems) * d.block_bytes + 2], 2);
            w.mins[e] = vane::f16_bits_to_f32(m16);
        }
    }
    return w;
}

// d_x of the 32-element block of x at p, as the prepare step computes it (f32 amax / 127).
float act_scale(const float *p) {
    float amax = 0.0f;
    for (int e = 0; e < 32; e++) amax = fabsf(p[e]) > amax ? fabsf(p[e]) : amax;
    return amax / 127.0f;
}

// x-hat = d_x * q, the activations as the integer formats use them: q = round-half-even(x / d_x)
// clamped to +-127, 0 where d_x == 0 (the definition in docs/FORMATS.md, "GEMM").
std::vector<double> dequantized_acts(const float *x, int64_t k) {
    std::vector<double> xh(k);
    for (int64_t b = 0; b < k / 32; b++) {
        const float d = act_scale(x + 32 * b);
        for (int64_t e = 32 * b; e < 32 * b + 32; e++) {
            float q = d == 0.0f ? 0.0f : nearbyintf(x[e] / d);
            q = q > 127.0f ? 127.0f : q < -127.0f ? -127.0f : q;
            xh[e] = (double)d * q;
        }
    }
    return xh;
}

bool row_has_nan(const float *p, int64_t k) {
    for (int64_t c = 0; c < k; c++)
        if (isnan(p[c])) return true;
    return false;
}

bool row_finite(const float *p, int64_t k) {
    for (int64_t c = 0; c < k; c++)
        if (!isfinite(p[c])) return false;
    return true;
}

// The allowed error of one output against the float64 reference sum(x * w-hat) + bias.
//
// Float formats: f32 accumulation of k products in any order errs by at most about
// k * 2^-24 * sum |x * w| (the gamma_k bound), plus one rounding of the bias add.
//
// Integer formats compute x-hat * W-hat^T in f32, x-hat = d_x * q being the quantized
// activations (docs/FORMATS.md, "GEMM"). Two terms:
//  - activation quantization: |x - x-hat| <= d_x / 2 per element (round to nearest; 2^-16 * d_x
//    more for the rounding of x / d_x), so the exact x-hat * W-hat^T is within
//    sum over blocks of d_x * (1/2 + 2^-16) * sum |w-hat| of the reference;
//  - f32 arithmetic: each block adds (d_w * d_x) * D (and m_w * s for int4_asym), two roundings
//    each, then the terms are summed: at most (2 * blocks + 8) * 2^-24 times the sum of the terms'
//    magnitudes, which is at most sum (|w-hat| + 2 |m|) * (|x| + d_x) (|d_w * code| = |w-hat - m|,
//    |x-hat| <= |x| + d_x), plus the bias rounding.
// `arith` gets the f32 term alone: two variants differ by at most twice it.
double allowed(int32_t format, const float *x, const float *w, const float *mins, int64_t k, double bias,
               double *arith) {
    double s = 0, quant = 0;
    int64_t terms;
    if (!is_int_format(format)) {
        for (int64_t c = 0; c < k; c++) s += fabs((double)x[c] * w[c]);
        terms = k + 2;
    } else {
        for (int64_t b = 0; b < k / 32; b++) {
            const double dx = act_scale(x + 32 * b);
            double sw = 0;
            for (int e = 32 * b; e < 32 * b + 32; e++) {
                sw += fabs(w[e]);
                s += (fabs(w[e]) + 2 * fabs(mins[e])) * (fabs(x[e]) + dx);
            }
            quant += dx * (0.5 + 0x1p-16) * sw;
        }
        terms = 2 * (k / 32) + 8;
    }
    *arith = (double)terms * 0x1p-24 * s + 0x1p-24 * fabs(bias) + 1e-30;
    return *arith + quant;
}

struct Result {
    std::vector<float> y;
    bool ok;
};

Result run_gemm(int32_t isa, int32_t format, const Weights &w, int64_t n, int64_t k, const std::vector<float> &x,
                int64_t ldx, int64_t m, const float *bias, int64_t ldy) {
    CHECK(vane_cpu_select(isa) == VANE_OK, "%s", vane_last_error());
    Result r{std::vector<float>(m * ldy, NAN), true};
    vane_status s = vane_gemm(format, w.q.data(), w.bytes, n, k, x.data(), ldx, m, bias, r.y.data(), ldy);
    CHECK(s == VANE_OK, "%s", vane_last_error());
    r.ok = s == VANE_OK;
    return r;
}

// One GEMM under every variant given, each checked against the float64 reference; the AVX2
// result also against the baseline one. x_edge: row 0 gets a NaN, row 1 (if any) an Inf.
// x_scale multiplies x (exactly, a power of two).
void test_shape(const std::vector<int32_t> &isas, int32_t format, int64_t m, int64_t n, int64_t k, bool with_bias,
                Rng &rng, bool random_codes = false, bool x_edge = false, float x_scale = 1.0f) {
    n = rows_for(format, n);
    const int64_t ldx = k + 3, ldy = n + 2;  // gaps between rows
    const Weights w = make_weights(format, n, k, rng, random_codes);
    std::vector<float> x(m * ldx, 1e30f), bias(n);
    for (int64_t i = 0; i < m; i++)
        for (int64_t c = 0; c < k; c++) x[i * ldx + c] = (float)rng.normal() * x_scale;
    for (float &v : bias) v = (float)rng.normal();
    if (x_edge && k > 0) {
        x[(k - 1) / 2] = NAN;
        if (m > 1) x[ldx + k - 1] = INFINITY;
        if (m > 2)
            for (int64_t c = 0; c < k && c < 32; c++) x[2 * ldx + c] = 0.0f;  // an all-zero block
    }
    const float *bp = with_bias ? bias.data() : nullptr;

    std::vector<Result> results;
    for (int32_t isa : isas) results.push_back(run_gemm(isa, format, w, n, k, x, ldx, m, bp, ldy));
    for (size_t v = 0; v < results.size(); v++) {
        if (!results[v].ok) return;
        const char *variant = vane::isa_name(isas[v]);
        const std::vector<float> &y = results[v].y;
        int bad = 0;
        for (int64_t i = 0; i < m; i++) {
            const float *xi = x.data() + i * ldx;
            const bool finite = row_finite(xi, k);
            for (int64_t j = 0; j < n; j++) {
                const float got = y[i * ldy + j];
                const double b = with_bias ? bias[j] : 0.0;
                bool good;
                double ref = b, arith = 0, tol = 0;
                if (!finite) {
                    // Integer formats: a non-finite x makes its whole row NaN. Float formats: IEEE
                    // (NaN gives NaN; Inf gives +-Inf or NaN).
                    good = is_int_format(format) ? isnan(got) : !isfinite(got);
                } else if (!row_finite(&w.wd[j * k], k)) {
                    // A NaN weight (a NaN code in the packed bytes) gives NaN; an Inf one, with x
                    // finite and nonzero, +-Inf (or NaN if two of opposite signs met).
                    good = row_has_nan(&w.wd[j * k], k) ? isnan(got) : !isfinite(got);
                } else {
                    for (int64_t c = 0; c < k; c++) ref += (double)xi[c] * w.wd[j * k + c];
                    tol = allowed(format, xi, &w.wd[j * k], &w.mins[j * k], k, b, &arith);
                    good = fabs(got - ref) <= tol;
                    if (good && is_int_format(format)) {
                        // Sharper: the same GEMM on x-hat differs only by the f32 arithmetic.
                        const std::vector<double> xh = dequantized_acts(xi, k);
                        double ref_hat = b;
                        for (int64_t c = 0; c < k; c++) ref_hat += xh[c] * w.wd[j * k + c];
                        good = fabs(got - ref_hat) <= arith;
                        if (!good && bad < 3)
                            fprintf(stderr, "  against x-hat: %.9g vs %.9g, allowed %.3g\n", got, ref_hat, arith);
                    }
                    if (good && v > 0) {  // against the first (baseline) variant
                        const float base = results[0].y[i * ldy + j];
                        good = fabs((double)got - base) <= 2 * arith;
                        if (!good && bad < 3)
                            fprintf(stderr, "  %s vs baseline: %.9g vs %.9g, allowed %.3g\n", variant, got, base,
                                    2 * arith);
                    }
                }
                if (!good && bad++ < 3)
                    CHECK(false, "%s format %d m=%lld n=%lld k=%lld y[%lld,%lld] = %.9g, reference %.9g (allowed %.3g)",
                          variant, format, (long long)m, (long long)n, (long long)k, (long long)i, (long long)j, got,
                          ref, tol);
            }
            for (int64_t j = n; j < ldy && i + 1 < m; j++)
                CHECK(isnan(y[i * ldy + j]), "%s format %d wrote into the row gap at [%lld, %lld]", variant, format,
                      (long long)i, (long long)j);
        }
        CHECK(bad == 0, "%s format %d m=%lld n=%lld k=%lld: %d outputs off", variant, format, (long long)m,
              (long long)n, (long long)k, bad);
    }
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
    // Empty shapes are fine; k = 0 gives the bias, for float and integer formats alike.
    CHECK(vane_gemm(VANE_FORMAT_F32, nullptr, 0, 0, 32, x.data(), 32, 3, nullptr, y.data(), 0) == VANE_OK, "n = 0");
    CHECK(vane_gemm(VANE_FORMAT_Q4_0_X8, w.data(), (int64_t)w.size(), 12, 32, x.data(), 32, 1, nullptr, y.data(), 12) ==
              VANE_E_INVALID_ARGUMENT && has("n = 12 is not a multiple of 8"), "%s", vane_last_error());
    for (int32_t format = 0; format < kFormats; format++) {
        if (format == VANE_FORMAT_Q4_0_X8) continue;  // n = 3 rows: not a q4_0x8 shape
        for (int64_t m : {1, 2}) {
            float bias[3] = {1.5f, -2.0f, 0.25f}, out[6] = {NAN, NAN, NAN, NAN, NAN, NAN};
            CHECK(vane_gemm(format, nullptr, 0, 3, 0, x.data(), 0, m, bias, out, 3) == VANE_OK && out[0] == 1.5f &&
                      out[1] == -2.0f && out[2] == 0.25f && out[3 * m - 1] == 0.25f,
                  "format %d m=%lld: k = 0 gives the bias: %s", format, (long long)m, vane_last_error());
        }
    }
}

// x all zero gives exactly the bias with the integer formats (d_x = 0, q = 0).
void test_zero_x(const std::vector<int32_t> &isas) {
    Rng rng(9);
    const int64_t k = 256;
    for (int32_t format = VANE_FORMAT_INT4_SYM_G32; format < kFormats; format++) {
        const int64_t n = rows_for(format, 21);
        const Weights w = make_weights(format, n, k, rng, false);
        std::vector<float> x(2 * k, 0.0f), bias(n);
        for (float &v : bias) v = (float)rng.normal();
        for (int32_t isa : isas) {
            Result r = run_gemm(isa, format, w, n, k, x, k, 2, bias.data(), n);
            for (int64_t e = 0; e < 2 * n; e++)
                CHECK(r.y[e] == bias[e % n], "isa %d format %d: zero x gives %g, not the bias %g", isa, format, r.y[e],
                      bias[e % n]);
        }
    }
}

// A buffer whose last byte is followed by an inaccessible page: a kernel that reads past the
// end of its weights or its x faults.
struct Guarded {
    uint8_t *base = nullptr, *data = nullptr;
    size_t len = 0;
    Guarded(const void *src, size_t bytes) {
        const size_t page = (size_t)sysconf(_SC_PAGESIZE);
        len = (bytes + page - 1) / page * page + page;
        base = (uint8_t *)mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(base != MAP_FAILED, "mmap");
        CHECK(mprotect(base + len - page, page, PROT_NONE) == 0, "mprotect");
        data = base + len - page - bytes;
        memcpy(data, src, bytes);
    }
    ~Guarded() { munmap(base, len); }
};

// Weights and x that end right before an inaccessible page, with tails in k, n and m.
void test_guard_pages(const std::vector<int32_t> &isas) {
    Rng rng(31);
    for (int32_t format = 0; format < kFormats; format++) {
        vane_format_desc d;
        vane_format_info(format, &d);
        const int64_t g = d.block_elems;
        for (int64_t k : {g == 1 ? (int64_t)131 : 3 * g, g == 1 ? (int64_t)8 : g}) {
            for (int64_t m : {1, 3, 11}) {  // 11: the tiled GEMMs
                const int64_t n = rows_for(format, 7);
                const Weights w = make_weights(format, n, k, rng, false);
                std::vector<float> x(m * k);
                for (float &v : x) v = (float)rng.normal();
                Guarded gw(w.q.data(), (size_t)w.bytes), gx(x.data(), x.size() * 4);
                for (int32_t isa : isas) {
                    CHECK(vane_cpu_select(isa) == VANE_OK, "%s", vane_last_error());
                    std::vector<float> y(m * n, NAN), y0(m * n);
                    CHECK(vane_gemm(format, gw.data, w.bytes, n, k, (const float *)gx.data, k, m, nullptr, y.data(), n) ==
                              VANE_OK, "%s", vane_last_error());
                    for (int64_t e = 0; e < m * n; e++)
                        CHECK(isfinite(y[e]), "isa %d format %d k=%lld m=%lld: y[%lld] = %g", isa, format, (long long)k,
                              (long long)m, (long long)e, y[e]);
                }
            }
        }
    }
}

}  // namespace

int main() {
    double t0 = now_s();
    vane_cpu_info cpu;
    vane_cpu_features(&cpu);
    const int32_t original_isa = cpu.active, original_threads = vane_get_threads();
    std::vector<int32_t> isas = {VANE_ISA_BASELINE};
    if (compare_avx2_variant()) isas.push_back(VANE_ISA_AVX2);
    if (compare_variant(VANE_ISA_AVX512)) isas.push_back(VANE_ISA_AVX512);
    Rng rng(2024);
    for (int32_t threads : {1, 2, 3}) {
        vane_set_threads(threads);
        for (int32_t format = 0; format < kFormats; format++) {
            vane_format_desc d;
            vane_format_info(format, &d);
            const int64_t g = d.block_elems == 1 ? 1 : d.block_elems;
            const int64_t k_odd = g == 1 ? 131 : 3 * g;
            test_shape(isas, format, 1, 37, k_odd, true, rng);  // GEMV, odd N
            test_shape(isas, format, 5, 19, 2 * (g == 1 ? 64 : g), false, rng);
            if (threads == 2) {
                test_shape(isas, format, 17, 300, g == 1 ? 257 : 4 * g, true, rng);  // wide N, many chunks
                // k = 640: 20 blocks of 32, whole groups of 8 and a tail; m around the row tiles and the
                // small-batch kernels (up to 16).
                for (int64_t m : {1, 2, 3, 4, 6, 7, 8, 9, 12, 16}) test_shape(isas, format, m, 45, 640, m % 2 == 1, rng);
                test_shape(isas, format, 3, 23, 640, true, rng, false, true);  // NaN, Inf, zero blocks in x
                test_shape(isas, format, 300, 9, g == 1 ? 1100 : 1280, true, rng);  // several blocks of x rows, k slices
                if (is_int_format(format)) test_shape(isas, format, 140, 9, 4352, true, rng);  // a 4096 slice, then one octet
                // Any codes, as a model file may hold (NaN codes for the float formats).
                test_shape(isas, format, 1, 29, 384, true, rng, true);
                test_shape(isas, format, 5, 29, 384, true, rng, true);
                test_shape(isas, format, 1, 9, 131 * (g == 1 ? 1 : g), false, rng, true);
                // The tiled GEMMs (M > kGemmPairsMaxM = 8) on NaN / Inf weights and on NaN, Inf and
                // zero blocks in x; M, n and k off every tile size (the AVX-512 float kernel's 12 x
                // rows, 16 and 32 weight rows, 16 and 128 columns; the AVX2 ones' 3, 4 and 512).
                test_shape(isas, format, 9, 45, g == 1 ? 131 : 3 * g, true, rng, true);
                test_shape(isas, format, 29, 77, g == 1 ? 1100 : 1280, true, rng, true);
                test_shape(isas, format, 13, 51, g == 1 ? 259 : 4 * g, false, rng, false, true);
                // x far from 1 (the FP8 GEMV scales x by a power of two first; subnormal x at 2^-135).
                if (!is_int_format(format))
                    for (float sc : {0x1p-100f, 0x1p-135f, 0x1p100f})
                        for (int64_t m : {1, 3}) test_shape(isas, format, m, 13, g == 1 ? 131 : 3 * g, false, rng, true, false, sc);
            }
        }
    }
    test_zero_x(isas);
    test_guard_pages(isas);
    for (int32_t isa : isas) {
        CHECK(vane_cpu_select(isa) == VANE_OK, "%s", vane_last_error());
        test_errors();
    }
    vane_cpu_select(original_isa);
    vane_set_threads(original_threads);
    printf("test_gemm: %s in %.1f s\n", g_failures == 0 ? "PASS" : "FAIL", now_s() - t0);
    return finish("test_gemm");
}
