// Tests of the feed-forward / mixture-of-experts family: the SwiGLU activation (AVX2 against the
// reference bit for bit, both against double; the other activations and the biases are
// test_ffn_act's), the gating step on hand-checked cases, the
// layers against a naive double-precision C reference, and argument errors.
#include <string.h>

#include <vector>

#include "check.h"
#include "core/dispatch.h"
#include "moe/moe.h"
#include "vane.h"

namespace {

double silu_exact(double g) { return g / (1.0 + exp(-g)); }

void test_swiglu(bool avx2) {
    Rng rng(7);
    const vane::MoeKernels *ref = vane::moe_variants.of(VANE_ISA_BASELINE);
    const vane::MoeKernels *simd = avx2 ? vane::moe_variants.of(VANE_ISA_AVX2) : nullptr;
    const float edges[] = {0.0f, -0.0f, 1.0f, -1.0f, 87.0f, -87.0f, 88.0f, -88.0f, 100.0f, -100.0f, 1e-40f, -1e-40f,
                           INFINITY, NAN, 3.4e38f, -3.4e38f, 0.5f, -0.5f, 15.9f, -15.9f};
    for (int64_t n : {1, 7, 8, 9, 31, 64, 1000, 4099}) {
        std::vector<float> g(n), u(n);
        for (int64_t i = 0; i < n; i++) {
            g[i] = (float)(rng.normal() * (i % 3 == 0 ? 1.0 : i % 3 == 1 ? 8.0 : 40.0));
            u[i] = (float)rng.normal();
        }
        for (int64_t i = 0; i < n && i < 20; i++) g[(i * 7) % n] = edges[i];
        std::vector<float> want(n + 1, -777.0f), got(n + 1, -777.0f);  // poisoned, one past the end
        const vane::Glu silu{VANE_ACT_SILU, 0.0f, 0.0f, nullptr, nullptr};
        ref->glu(silu, g.data(), u.data(), want.data(), n);
        CHECK(want[n] == -777.0f, "reference wrote past n = %lld", (long long)n);
        for (int64_t i = 0; i < n; i++) {
            const double exact = silu_exact(g[i]) * u[i];
            if (isnan(g[i])) {
                CHECK(isnan(want[i]), "swiglu(NaN) = %g", want[i]);
            } else if (fabs(g[i]) <= 80.0f) {
                CHECK(fabs(want[i] - exact) <= 4e-7 * fabs(exact) + 1e-38, "swiglu(%.9g, %.9g) = %.9g, exact %.9g", g[i], u[i],
                      want[i], exact);
            } else if (fabs(exact) > 3.4028234663852886e38) {
                CHECK(isinf(want[i]) && (want[i] > 0) == (exact > 0), "swiglu(%.9g, %.9g) = %.9g, exact %.9g overflows", g[i],
                      u[i], want[i], exact);
            } else {  // far out: silu is g itself, or below 1e-36 in magnitude
                CHECK(fabs(want[i] - exact) <= 4e-7 * fabs(exact) + 1e-36, "swiglu(%.9g, %.9g) = %.9g, exact %.9g", g[i], u[i],
                      want[i], exact);
            }
        }
        if (simd) {
            simd->glu(silu, g.data(), u.data(), got.data(), n);
            CHECK(got[n] == -777.0f, "avx2 wrote past n = %lld", (long long)n);
            for (int64_t i = 0; i < n; i++)
                CHECK(bits_of(got[i]) == bits_of(want[i]) || (isnan(got[i]) && isnan(want[i])),
                      "avx2 swiglu(%.9g, %.9g) = %.9g, reference %.9g", g[i], u[i], got[i], want[i]);
        }
    }
}

vane_gating gating(int32_t kind, int32_t k, int32_t renorm = 0, const float *bias = nullptr) {
    vane_gating g;
    g.kind = kind;
    g.k = k;
    g.renormalize = renorm;
    g.scale = 1.0f;
    g.selection_bias = bias;
    return g;
}

void test_route() {
    const float logits[2][4] = {{1.0f, 3.0f, 3.0f, 0.0f}, {-1.0f, 0.5f, 2.0f, 0.5f}};
    int32_t ids[4];
    float w[4];
    int64_t counts[4];
    vane_gating g = gating(VANE_GATING_SOFTMAX_TOPK, 2);
    CHECK(vane_moe_route(&g, &logits[0][0], 2, 4, 4, ids, w, counts) == VANE_OK, "%s", vane_last_error());
    const double z0 = exp(1.0) + 2 * exp(3.0) + 1.0;
    CHECK(ids[0] == 1 && ids[1] == 2, "tie goes to the lower index first: %d %d", ids[0], ids[1]);
    CHECK(fabs(w[0] - exp(3.0) / z0) < 1e-7 && fabs(w[1] - exp(3.0) / z0) < 1e-7, "softmax weights %g %g", w[0], w[1]);
    CHECK(ids[2] == 2 && ids[3] == 1, "token 1 ids %d %d (0.5 tie: expert 1 before 3)", ids[2], ids[3]);
    CHECK(counts[0] == 0 && counts[1] == 2 && counts[2] == 2 && counts[3] == 0, "counts");
    g.renormalize = 1;
    CHECK(vane_moe_route(&g, &logits[0][0], 1, 4, 4, ids, w, nullptr) == VANE_OK, "%s", vane_last_error());
    CHECK(w[0] == 0.5f && w[1] == 0.5f, "renormalized %g %g", w[0], w[1]);
    g = gating(VANE_GATING_TOPK_SOFTMAX, 2);
    CHECK(vane_moe_route(&g, &logits[1][0], 1, 4, 4, ids, w, nullptr) == VANE_OK, "%s", vane_last_error());
    CHECK(ids[0] == 2 && ids[1] == 1 && fabs(w[0] - 1 / (1 + exp(-1.5))) < 1e-7, "top-k softmax %d %d %g", ids[0], ids[1], w[0]);
    // Sigmoid: a bias changes the choice but not the weight.
    const float bias[4] = {5.0f, 0.0f, 0.0f, 0.0f};
    g = gating(VANE_GATING_SIGMOID_TOPK, 1, 0, bias);
    g.scale = 2.5f;
    CHECK(vane_moe_route(&g, &logits[1][0], 1, 4, 4, ids, w, nullptr) == VANE_OK, "%s", vane_last_error());
    CHECK(ids[0] == 0 && fabs(w[0] - 2.5 / (1 + exp(1.0))) < 1e-6, "sigmoid + bias: %d %g", ids[0], w[0]);
    // Sigmoid, renormalized, of logits so negative every probability is 0: weights 0, not NaN.
    const float low[4] = {-1000.0f, -2000.0f, -3000.0f, -4000.0f};
    g = gating(VANE_GATING_SIGMOID_TOPK, 2, 1);
    CHECK(vane_moe_route(&g, low, 1, 4, 4, ids, w, nullptr) == VANE_OK && w[0] == 0.0f && w[1] == 0.0f && ids[0] == 0, "weights %g %g",
          w[0], w[1]);
    // Renormalized weights that sum below 2^-14 are divided by 2^-14 (llama.cpp's clamp of the
    // sum), not blown up to sum to 1.
    const float tiny[4] = {-20.0f, -21.0f, -30.0f, -40.0f};
    g = gating(VANE_GATING_SIGMOID_TOPK, 2, 1);
    CHECK(vane_moe_route(&g, tiny, 1, 4, 4, ids, w, nullptr) == VANE_OK, "%s", vane_last_error());
    const double s20 = 1 / (1 + exp(20.0)), s21 = 1 / (1 + exp(21.0));
    CHECK(ids[0] == 0 && ids[1] == 1 && fabs(w[0] - s20 * 16384) < 1e-6 * s20 * 16384 && fabs(w[1] - s21 * 16384) < 1e-6 * s21 * 16384,
          "tiny renormalized weights %g %g, want %g %g", w[0], w[1], s20 * 16384, s21 * 16384);
    // Scale 0 reads as 1 (llama.cpp's w_scale: 0 means no scaling).
    float w1[2];
    g = gating(VANE_GATING_SOFTMAX_TOPK, 2);
    CHECK(vane_moe_route(&g, &logits[1][0], 1, 4, 4, ids, w1, nullptr) == VANE_OK, "%s", vane_last_error());
    g.scale = 0.0f;
    CHECK(vane_moe_route(&g, &logits[1][0], 1, 4, 4, ids, w, nullptr) == VANE_OK, "%s", vane_last_error());
    CHECK(w[0] == w1[0] && w[1] == w1[1] && w[0] > 0.3f, "scale 0: weights %g %g, scale 1: %g %g", w[0], w[1], w1[0], w1[1]);
    // Errors.
    const float bad[2][4] = {{0, 1, 2, 3}, {0, NAN, 2, 3}};
    g = gating(VANE_GATING_SOFTMAX_TOPK, 2);
    ids[0] = -5;
    CHECK(vane_moe_route(&g, &bad[0][0], 2, 4, 4, ids, w, nullptr) == VANE_E_NON_FINITE &&
              strstr(vane_last_error(), "token 1") && ids[0] == -5,
          "%s", vane_last_error());
    g.k = 5;
    CHECK(vane_moe_route(&g, &logits[0][0], 1, 4, 4, ids, w, nullptr) == VANE_E_INVALID_ARGUMENT &&
              strstr(vane_last_error(), "k = 5"),
          "%s", vane_last_error());
    g.k = 0;
    CHECK(vane_moe_route(&g, &logits[0][0], 1, 4, 4, ids, w, nullptr) == VANE_E_INVALID_ARGUMENT, "k = 0");
    g = gating(VANE_GATING_SOFTMAX_TOPK, 1, 0, bias);
    CHECK(vane_moe_route(&g, &logits[0][0], 1, 4, 4, ids, w, nullptr) == VANE_E_INVALID_ARGUMENT &&
              strstr(vane_last_error(), "sigmoid"),
          "%s", vane_last_error());
    g = gating(9, 1);
    CHECK(vane_moe_route(&g, &logits[0][0], 1, 4, 4, ids, w, nullptr) == VANE_E_INVALID_ARGUMENT, "unknown kind");
}

// An f32 FFN with random weights, and its double-precision forward.
struct Ffn {
    std::vector<float> gate, up, down;
    vane_ffn desc{};
    Ffn(int64_t d, int64_t f, Rng &rng) : gate(f * d), up(f * d), down(d * f) {
        for (float &v : gate) v = (float)(rng.normal() / sqrt((double)d));
        for (float &v : up) v = (float)(rng.normal() / sqrt((double)d));
        for (float &v : down) v = (float)(rng.normal() / sqrt((double)f));
        desc.gate = {VANE_FORMAT_F32, 0, gate.data(), (int64_t)gate.size() * 4};
        desc.up = {VANE_FORMAT_F32, 0, up.data(), (int64_t)up.size() * 4};
        desc.down = {VANE_FORMAT_F32, 0, down.data(), (int64_t)down.size() * 4};
    }
    void forward(const float *x, int64_t d, int64_t f, double *y) const {  // y += ffn(x)
        std::vector<double> h(f);
        for (int64_t j = 0; j < f; j++) {
            double g = 0, u = 0;
            for (int64_t c = 0; c < d; c++) g += (double)gate[j * d + c] * x[c], u += (double)up[j * d + c] * x[c];
            h[j] = silu_exact(g) * u;
        }
        for (int64_t c = 0; c < d; c++) {
            double s = 0;
            for (int64_t j = 0; j < f; j++) s += (double)down[c * f + j] * h[j];
            y[c] += s;
        }
    }
};

void test_layer(bool shared) {
    Rng rng(shared ? 11 : 12);
    const int64_t d = 64, f = 96, e_count = 8, t = 7;
    const int32_t k = 2;
    std::vector<Ffn> experts;
    for (int64_t e = 0; e < e_count; e++) experts.emplace_back(d, f, rng);
    Ffn sh(d, 48, rng);
    std::vector<vane_ffn> descs;
    for (const Ffn &x : experts) descs.push_back(x.desc);
    std::vector<float> router(e_count * d), x(t * d), y(t * d + 1, NAN);
    for (float &v : router) v = (float)rng.normal();
    for (float &v : x) v = (float)rng.normal();
    vane_moe_layer layer{};
    layer.dim = d;
    layer.ffn_dim = f;
    layer.n_experts = e_count;
    layer.router = {VANE_FORMAT_F32, 0, router.data(), (int64_t)router.size() * 4};
    layer.experts = descs.data();
    layer.shared = shared ? &sh.desc : nullptr;
    layer.shared_ffn_dim = 48;
    layer.gating = gating(VANE_GATING_SOFTMAX_TOPK, k, 1);
    std::vector<int64_t> counts(e_count, -1);
    vane_moe_stats stats;
    stats.tokens_per_expert = counts.data();
    CHECK(vane_moe_forward(&layer, x.data(), t, y.data(), &stats) == VANE_OK, "%s", vane_last_error());
    CHECK(isnan(y[t * d]), "wrote past y");
    int64_t total = 0;
    for (int64_t c : counts) total += c;
    CHECK(total == t * k, "tokens per expert sum to %lld", (long long)total);
    for (int64_t i = 0; i < t; i++) {
        // The reference routing on double logits (no ties with random data).
        std::vector<double> l(e_count);
        for (int64_t e = 0; e < e_count; e++)
            for (int64_t c = 0; c < d; c++) l[e] += (double)router[e * d + c] * x[i * d + c];
        int64_t a = 0, b = -1;
        for (int64_t e = 1; e < e_count; e++) a = l[e] > l[a] ? e : a;
        for (int64_t e = 0; e < e_count; e++) b = e != a && (b < 0 || l[e] > l[b]) ? e : b;
        const double wa = 1 / (1 + exp(l[b] - l[a])), wb = 1 - wa;
        std::vector<double> ea(d), eb(d), ref(d);
        experts[a].forward(&x[i * d], d, f, ea.data());
        experts[b].forward(&x[i * d], d, f, eb.data());
        if (shared) sh.forward(&x[i * d], d, 48, ref.data());
        for (int64_t c = 0; c < d; c++) {
            ref[c] += wa * ea[c] + wb * eb[c];
            const double scale = fabs(wa * ea[c]) + fabs(wb * eb[c]) + 1.0;
            CHECK(fabs(y[i * d + c] - ref[c]) <= 1e-4 * scale, "token %lld y[%lld] = %.7g, reference %.7g", (long long)i,
                  (long long)c, y[i * d + c], ref[c]);
        }
    }
    // The dense FFN entry point on the same rows.
    std::vector<float> yf(t * d);
    CHECK(vane_ffn_forward(&experts[3].desc, d, f, x.data(), t, yf.data()) == VANE_OK, "%s", vane_last_error());
    std::vector<double> r(d);
    experts[3].forward(&x[(t - 1) * d], d, f, r.data());
    for (int64_t c = 0; c < d; c++)
        CHECK(fabs(yf[(t - 1) * d + c] - r[c]) <= 1e-4 * (fabs(r[c]) + 1), "ffn y[%lld] = %g, reference %g", (long long)c,
              yf[(t - 1) * d + c], r[c]);

    // Errors: an expert whose down matrix is too small, k > E, logits that are not finite, overlap.
    vane_ffn broken = descs[5];
    broken.down.bytes -= 4;
    descs[5] = broken;
    CHECK(vane_moe_forward(&layer, x.data(), t, y.data(), nullptr) == VANE_E_BUFFER_TOO_SMALL &&
              strstr(vane_last_error(), "expert 5 down"),
          "%s", vane_last_error());
    descs[5] = experts[5].desc;
    layer.gating.k = 9;
    CHECK(vane_moe_forward(&layer, x.data(), t, y.data(), nullptr) == VANE_E_INVALID_ARGUMENT, "k > E");
    layer.gating.k = k;
    std::vector<float> xn(x);
    xn[2 * d + 5] = INFINITY;
    CHECK(vane_moe_forward(&layer, xn.data(), t, y.data(), nullptr) == VANE_E_NON_FINITE &&
              strstr(vane_last_error(), "token 2"),
          "%s", vane_last_error());
    CHECK(vane_moe_forward(&layer, x.data(), t, x.data() + d, nullptr) == VANE_E_INVALID_ARGUMENT, "overlap");
    CHECK(vane_moe_forward(&layer, x.data(), 0, nullptr, nullptr) == VANE_OK, "t = 0");
}

// Gate and up back to back in memory take the one-GEMM path: it must give the two-GEMM path's
// bits exactly (same per-row arithmetic), for float and integer formats, one and several tokens.
void test_fused_gate_up(Rng &rng) {
    const int64_t d = 96, f = 160;
    // Q4_0_X8 (what a model's Q4_0 becomes at load) is quantized as Q4_0 and repacked.
    for (int32_t format : {VANE_FORMAT_F32, VANE_FORMAT_Q8_0, VANE_FORMAT_Q4_0, VANE_FORMAT_Q4_0_X8, VANE_FORMAT_FP8_E4M3_ROW}) {
        const int32_t quantized = format == VANE_FORMAT_Q4_0_X8 ? VANE_FORMAT_Q4_0 : format;
        int64_t wb = 0, db = 0;
        CHECK(vane_quant_size(format, f, d, &wb) == VANE_OK && vane_quant_size(format, d, f, &db) == VANE_OK, "%s", vane_last_error());
        std::vector<float> g(f * d), u(f * d), dn(d * f);
        for (float &v : g) v = (float)rng.normal();
        for (float &v : u) v = (float)rng.normal();
        for (float &v : dn) v = (float)rng.normal();
        std::vector<uint8_t> both((size_t)(2 * wb)), gate((size_t)wb), up((size_t)wb), down((size_t)db);
        auto quantize = [&](const float *src, int64_t rows, int64_t cols, uint8_t *dst, int64_t bytes) {
            if (quantized == format) {
                CHECK(vane_quant_quantize(format, src, rows, cols, dst, bytes) == VANE_OK, "%s", vane_last_error());
                return;
            }
            std::vector<uint8_t> plain((size_t)bytes);
            CHECK(vane_quant_quantize(quantized, src, rows, cols, plain.data(), bytes) == VANE_OK, "%s", vane_last_error());
            CHECK(vane_quant_repack(quantized, plain.data(), bytes, rows, cols, format, dst, bytes) == VANE_OK, "%s", vane_last_error());
        };
        quantize(g.data(), f, d, gate.data(), wb);
        quantize(u.data(), f, d, up.data(), wb);
        quantize(dn.data(), d, f, down.data(), db);
        memcpy(both.data(), gate.data(), (size_t)wb);
        memcpy(both.data() + wb, up.data(), (size_t)wb);
        vane_ffn apart{{format, 0, gate.data(), wb}, {format, 0, up.data(), wb}, {format, 0, down.data(), db}, VANE_ACT_SILU, 0.0f, 0.0f, nullptr, nullptr, nullptr};
        vane_ffn joined{{format, 0, both.data(), wb}, {format, 0, both.data() + wb, wb}, {format, 0, down.data(), db}, VANE_ACT_SILU, 0.0f, 0.0f, nullptr, nullptr, nullptr};
        for (int64_t t : {1, 5}) {
            std::vector<float> x(t * d), y1(t * d, NAN), y2(t * d, NAN);
            for (float &v : x) v = (float)rng.normal();
            CHECK(vane_ffn_forward(&apart, d, f, x.data(), t, y1.data()) == VANE_OK, "%s", vane_last_error());
            CHECK(vane_ffn_forward(&joined, d, f, x.data(), t, y2.data()) == VANE_OK, "%s", vane_last_error());
            for (int64_t i = 0; i < t * d; i++)
                CHECK(bits_of(y1[i]) == bits_of(y2[i]) && !isnan(y1[i]), "format %d t %lld: fused gate/up y[%lld] = %.9g, apart %.9g", format,
                      (long long)t, (long long)i, y2[i], y1[i]);
        }
    }
}

}  // namespace

int main() {
    const double t0 = now_s();
    test_swiglu(compare_avx2_variant());
    test_route();
    for (int32_t threads : {1, 2, 3}) {
        vane_set_threads(threads);
        test_layer(false);
        test_layer(true);
        Rng rng(11 + threads);
        test_fused_gate_up(rng);
    }
    printf("test_moe: %s in %.1f s\n", g_failures == 0 ? "PASS" : "FAIL", now_s() - t0);
    return finish("test_moe");
}
