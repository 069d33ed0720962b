// Tests of the gated feed-forward activations (VANE_ACT_SILU, GELU, SWIGLU_OAI) and the biases:
//  - the kernels: AVX2 against the reference bit for bit (out of place and in place), both
//    against double on seeded random inputs, odd lengths and edge values (the limit clamp,
//    large |g|, subnormals, Inf, NaN), outputs poisoned and one element past the end watched;
//  - agreement with llama.cpp's own ops on a small ggml graph (ggml_swiglu_split, ggml_geglu_split,
//    ggml_gelu, ggml_swiglu_oai through tests/ggml_peer.h), with the tolerances stated there;
//  - vane_ffn_forward with each activation and bias against a double reference, the one-GEMM
//    gate/up path against the two-GEMM one bit for bit;
//  - vane_moe_forward with per-expert biases and a router bias (gpt-oss) and with a gated
//    shared expert (Qwen2-MoE) against a double reference; argument errors.
#include <stddef.h>
#include <string.h>

#include <algorithm>
#include <vector>

#include "check.h"
#include "core/dispatch.h"
#include "ggml_peer.h"
#include "moe/moe.h"
#include "quant/scalar.h"
#include "vane.h"

// The layouts the Java bindings mirror (FeedForwardTest checks the same numbers there).
static_assert(sizeof(vane_ffn) == 112 && offsetof(vane_ffn, activation) == 72 && offsetof(vane_ffn, gate_bias) == 88 &&
                  offsetof(vane_ffn, down_bias) == 104,
              "vane_ffn's layout changed: update NativeLayouts.FFN");
static_assert(sizeof(vane_moe_layer) == 112 && offsetof(vane_moe_layer, router_bias) == 96 && offsetof(vane_moe_layer, shared_gate) == 104,
              "vane_moe_layer's layout changed: update NativeLayouts.MOE_LAYER");

namespace {

const char *act_name(int32_t act) { return act == VANE_ACT_SILU ? "silu" : act == VANE_ACT_GELU ? "gelu" : "swiglu_oai"; }

double sigmoid_d(double s) { return 1.0 / (1.0 + exp(-s)); }

// The activation's selection argument s (x * sigmoid(s)) in double, for the tolerances.
double act_arg(int32_t act, float alpha, float limit, double g) {
    if (act == VANE_ACT_SILU) return g;
    if (act == VANE_ACT_GELU) return 2.0 * sqrt(2.0 / M_PI) * g * (1.0 + 0.044715 * g * g);
    return (double)alpha * (g < limit ? g : limit);
}

// out = act(g) * f(u) in double (vane.h's definitions; GELU as g * sigmoid(2 z), the tanh form
// without its cancellation). IEEE semantics as the kernels: NaN in, NaN out; -Inf * 0 = NaN.
double act_exact(int32_t act, float alpha, float limit, double g, double u) {
    switch (act) {
        case VANE_ACT_SILU: return g * sigmoid_d(g) * u;
        case VANE_ACT_GELU: return g * sigmoid_d(act_arg(act, alpha, limit, g)) * u;
        default: {
            const double gc = (limit < g) ? (double)limit : g;
            double uc = (u < -(double)limit) ? -(double)limit : u;
            uc = ((double)limit < uc) ? (double)limit : uc;
            return gc * sigmoid_d((double)alpha * gc) * (uc + 1.0);
        }
    }
}

// ---- the kernels ----------------------------------------------------------------------------

// Checks one kernel output against double: NaN where the exact value is NaN, Inf of the right
// sign where it overflows, else within (8 + 8 c) * 2^-24 relative plus 1e-37 |g u| + 1e-38
// absolute. The c term: s is computed in f32 (up to ~7 roundings for GELU's z, counting the
// f32 constants), and sigmoid(s) has relative condition number c = |s| sigmoid(-s) <= |s|. The
// absolute term: e^-|s| is taken as 0 below e^-87 (true sigmoid < 1.7e-38), plus subnormal steps.
void check_exact(const char *what, int32_t act, float alpha, float limit, float g, float u, float got) {
    const double want = act_exact(act, alpha, limit, g, u);
    if (isnan(want)) {
        CHECK(isnan(got), "%s(%.9g, %.9g) = %.9g, exact NaN", what, g, u, got);
        return;
    }
    if (fabs(want) > 3.4028234663852886e38) {  // overflows; or an Inf input, times a sigmoid the kernel takes as 0 (NaN)
        CHECK((isinf(got) && (got > 0) == (want > 0)) || ((isinf(g) || isinf(u)) && isnan(got)), "%s(%.9g, %.9g) = %.9g, exact %.9g overflows",
              what, g, u, got, want);
        return;
    }
    // sigmoid(s)'s relative condition number is |s| sigmoid(-s): ~|s| below 0, ~0 far above.
    const double arg = act_arg(act, alpha, limit, g);
    const double cond = isfinite(arg) ? fabs(arg) * sigmoid_d(-arg) : 0.0;
    const double gu = fabs((double)g * (act == VANE_ACT_SWIGLU_OAI ? (fabs(u) > limit ? limit : fabs(u)) + 1.0 : (double)u));
    const double tol = (8.0 + 8.0 * cond) * 0x1p-24 * fabs(want) + 1e-37 * gu + 1e-38;
    CHECK(fabs(got - want) <= tol, "%s(%.9g, %.9g) = %.9g, exact %.9g (off %.3g, allowed %.3g)", what, g, u, got, want, fabs(got - want),
          tol);
}

// The reference against exact values; each SIMD variant in simd_isas bit for bit against it.
void test_kernels(const std::vector<int32_t> &simd_isas) {
    Rng rng(21);
    const vane::MoeKernels *ref = vane::moe_variants.of(VANE_ISA_BASELINE);
    // Edge values of g: zeros, the limit and around it, where e^-|s| leaves f32's range for each
    // activation (|g| ~ 87 for silu, ~ 10 for gelu, ~ 51 = 87 / 1.702 for swiglu_oai), huge
    // values (g^2 overflows in gelu's z), subnormals, Inf, NaN.
    const float g_edges[] = {0.0f, -0.0f, 1.0f, -1.0f, 7.0f, -7.0f, 6.9999995f, 7.0000005f, 100.0f, -100.0f, 87.0f, -87.0f, 88.0f,
                             -88.0f, 10.0f, -10.0f, 9.99f, -9.99f, 51.1f, -51.1f, 51.2f, -51.2f, 3e19f, -3e19f, 3.4e38f, -3.4e38f,
                             1e-40f, -1e-40f, INFINITY, -INFINITY, NAN, 0.75f, -0.75f, 1e-20f};
    const float u_edges[] = {7.0f, -7.0f, 8.0f, -8.0f, -1.0f, 1e30f, -1e30f, 0.0f, INFINITY, NAN, 1e-40f, 6.9999995f};
    const int n_g = (int)(sizeof g_edges / sizeof *g_edges), n_u = (int)(sizeof u_edges / sizeof *u_edges);
    struct Params {
        int32_t act;
        float alpha, limit;
    };
    const Params params[] = {{VANE_ACT_SILU, 0, 0}, {VANE_ACT_GELU, 0, 0}, {VANE_ACT_SWIGLU_OAI, 1.702f, 7.0f},
                             {VANE_ACT_SWIGLU_OAI, 1.0f, INFINITY}, {VANE_ACT_SWIGLU_OAI, 3.5f, 0.25f}};
    for (const Params &pp : params) {
        for (int bias = 0; bias < 4; bias++) {  // none, gate, up, both
            for (int64_t n : {1, 7, 8, 9, 15, 16, 17, 31, 64, 1000, 4099}) {
                std::vector<float> g(n), u(n), gb(n), ub(n);
                for (int64_t i = 0; i < n; i++) {
                    g[i] = (float)(rng.normal() * (i % 3 == 0 ? 1.0 : i % 3 == 1 ? 4.0 : 30.0));
                    u[i] = (float)(rng.normal() * (i % 2 ? 1.0 : 6.0));
                    gb[i] = (float)(rng.normal() * 0.5);
                    ub[i] = (float)(rng.normal() * 0.5);
                }
                // Edge values, and their biases zero so the kernel sees them as they are.
                for (int64_t j = 0; j < n_g && j < n; j++) g[(j * 7) % n] = g_edges[j], gb[(j * 7) % n] = 0.0f;
                for (int64_t j = 0; j < n_u && j < n; j++) u[(j * 5 + 3) % n] = u_edges[j], ub[(j * 5 + 3) % n] = 0.0f;
                const vane::Glu p{pp.act, pp.alpha, pp.limit, (bias & 1) ? gb.data() : nullptr, (bias & 2) ? ub.data() : nullptr};
                char what[96];
                snprintf(what, sizeof what, "%s(alpha %g, limit %g) bias %d n %lld", act_name(pp.act), pp.alpha, pp.limit, bias, (long long)n);
                std::vector<float> want(n + 1, -777.0f), got(n + 1, -777.0f);  // poisoned, one past the end
                ref->glu(p, g.data(), u.data(), want.data(), n);
                CHECK(want[n] == -777.0f, "%s: reference wrote past n", what);
                for (int64_t i = 0; i < n; i++) {
                    const float gi = (bias & 1) ? g[i] + gb[i] : g[i], ui = (bias & 2) ? u[i] + ub[i] : u[i];
                    check_exact(what, pp.act, pp.alpha, pp.limit, gi, ui, want[i]);
                }
                // In place (the layer writes over the gate half), reference and each SIMD variant.
                std::vector<float> in_place(g);
                ref->glu(p, in_place.data(), u.data(), in_place.data(), n);
                for (int64_t i = 0; i < n; i++)
                    CHECK(bits_of(in_place[i]) == bits_of(want[i]) || (isnan(in_place[i]) && isnan(want[i])), "%s: in place [%lld]", what,
                          (long long)i);
                for (int32_t isa : simd_isas) {
                    const vane::MoeKernels *simd = vane::moe_variants.of(isa);
                    const char *name = vane::isa_name(isa);
                    std::fill(got.begin(), got.end(), -777.0f);
                    simd->glu(p, g.data(), u.data(), got.data(), n);
                    CHECK(got[n] == -777.0f, "%s: %s wrote past n", what, name);
                    for (int64_t i = 0; i < n; i++)
                        CHECK(bits_of(got[i]) == bits_of(want[i]) || (isnan(got[i]) && isnan(want[i])),
                              "%s: %s [%lld] (%.9g, %.9g) = %.9g, reference %.9g", what, name, (long long)i, g[i], u[i], got[i], want[i]);
                    in_place = u;
                    simd->glu(p, g.data(), in_place.data(), in_place.data(), n);
                    for (int64_t i = 0; i < n; i++)
                        CHECK(bits_of(in_place[i]) == bits_of(want[i]) || (isnan(in_place[i]) && isnan(want[i])), "%s: %s in place [%lld]", what,
                              name, (long long)i);
                }
            }
        }
    }
    // Hand-checked values: the clamp of swiglu_oai (g above the limit is the limit, u clamped on
    // both sides), and gelu's known points.
    const vane::Glu oai{VANE_ACT_SWIGLU_OAI, 1.702f, 7.0f, nullptr, nullptr};
    const float g[4] = {100.0f, 7.0f, -100.0f, 2.0f}, u[4] = {50.0f, 6.0f, 3.0f, -9.0f};
    float out[4];
    ref->glu(oai, g, u, out, 4);
    const double at7 = 7.0 / (1.0 + exp(-1.702 * 7.0));
    CHECK(fabs(out[0] - at7 * 8.0) <= 1e-6 * at7 * 8.0, "swiglu_oai(100, 50) = %.9g, want %.9g (g and u clamped to 7)", out[0], at7 * 8.0);
    CHECK(fabs(out[1] - at7 * 7.0) <= 1e-6 * at7 * 7.0, "swiglu_oai(7, 6) = %.9g", out[1]);
    CHECK(out[2] == 0.0f, "swiglu_oai(-100, 3) = %.9g, want -0", out[2]);
    const double at2 = 2.0 / (1.0 + exp(-1.702 * 2.0)) * -6.0;
    CHECK(fabs(out[3] - at2) <= 1e-6 * fabs(at2), "swiglu_oai(2, -9) = %.9g, want %.9g (u clamped to -7)", out[3], at2);
    const vane::Glu gelu{VANE_ACT_GELU, 0, 0, nullptr, nullptr};
    const float gg[3] = {1.0f, -1.0f, 3.0f}, one[3] = {1.0f, 1.0f, 1.0f};
    ref->glu(gelu, gg, one, out, 3);
    // 0.5 g (1 + tanh(sqrt(2/pi) g (1 + 0.044715 g^2))) at 1, -1, 3.
    const double w1 = 0.5 * (1 + tanh(sqrt(2 / M_PI) * 1.044715)), w3 = 1.5 * (1 + tanh(sqrt(2 / M_PI) * 3 * (1 + 0.044715 * 9)));
    CHECK(fabs(out[0] - w1) < 2e-7 && fabs(out[1] - (w1 - 1)) < 2e-7 && fabs(out[2] - w3) < 4e-7, "gelu(1, -1, 3) = %.9g %.9g %.9g", out[0],
          out[1], out[2]);
}

// ---- agreement with ggml's ops ----------------------------------------------------------------

struct ggml_peer_init_params {  // ggml.h's struct ggml_init_params
    size_t mem_size;
    void *mem_buffer;
    bool no_alloc;
};
typedef void *(*ggml_init_t)(ggml_peer_init_params);
typedef void *(*ggml_new_tensor_2d_t)(void *ctx, int32_t type, int64_t ne0, int64_t ne1);
typedef void *(*ggml_binary_t)(void *ctx, void *a, void *b);
typedef void *(*ggml_unary_t)(void *ctx, void *a);
typedef void *(*ggml_swiglu_oai_t)(void *ctx, void *a, void *b, float alpha, float limit);

enum class GgmlOp { SwigluSplit, GegluSplit, Gelu, SwigluOai };

// ggml's result of one op on g and u ([rows, n], rows of n), computed by ggml on one thread.
std::vector<float> ggml_run(GgmlOp op, const std::vector<float> &g, const std::vector<float> &u, int64_t n, float alpha = 0, float limit = 0) {
    static auto init = ggml_peer<ggml_init_t>("ggml_init");
    static auto new_2d = ggml_peer<ggml_new_tensor_2d_t>("ggml_new_tensor_2d");
    static auto data = ggml_peer<float *(*)(void *)>("ggml_get_data_f32");
    static auto new_graph = ggml_peer<void *(*)(void *)>("ggml_new_graph");
    static auto expand = ggml_peer<void (*)(void *, void *)>("ggml_build_forward_expand");
    static auto compute = ggml_peer<int32_t (*)(void *, void *, int)>("ggml_graph_compute_with_ctx");
    static auto free_ctx = ggml_peer<void (*)(void *)>("ggml_free");
    static bool cpu_ready = false;
    if (!cpu_ready) ggml_peer<void (*)(void)>("ggml_cpu_init")(), cpu_ready = true;  // fills the f16 GELU table
    const int64_t rows = (int64_t)g.size() / n;
    void *ctx = init(ggml_peer_init_params{(size_t)(64 << 20) + g.size() * 16, nullptr, false});
    CHECK(ctx != nullptr, "ggml_init");
    void *a = new_2d(ctx, GGML_F32, n, rows), *b = new_2d(ctx, GGML_F32, n, rows);
    memcpy(data(a), g.data(), g.size() * 4);
    memcpy(data(b), u.data(), u.size() * 4);
    void *r = nullptr;
    switch (op) {
        case GgmlOp::SwigluSplit: r = ggml_peer<ggml_binary_t>("ggml_swiglu_split")(ctx, a, b); break;
        case GgmlOp::GegluSplit: r = ggml_peer<ggml_binary_t>("ggml_geglu_split")(ctx, a, b); break;
        case GgmlOp::Gelu: r = ggml_peer<ggml_unary_t>("ggml_gelu")(ctx, a); break;
        case GgmlOp::SwigluOai: r = ggml_peer<ggml_swiglu_oai_t>("ggml_swiglu_oai")(ctx, a, b, alpha, limit); break;
    }
    void *graph = new_graph(ctx);
    expand(graph, r);
    CHECK(compute(ctx, graph, 1) == 0, "ggml_graph_compute_with_ctx failed");
    std::vector<float> out(g.size());
    memcpy(out.data(), data(r), out.size() * 4);
    free_ctx(ctx);
    return out;
}

float f16_round(float x) { return vane::f16_bits_to_f32(vane::f32_to_f16_bits(x)); }

// Our activation vs ggml's, for the same finite inputs (ggml asserts finite outputs in debug
// builds). Tolerances, relative to the exact-value scale named:
//  - swiglu_split (silu(g) * u; ggml_v_silu's own expf approximation) and swiglu_oai
//    (x / (1 + expf(-alpha x)) * (y + 1), libm expf): 16 * 2^-24 of the result plus 1e-37 |g u|;
//    both compute the sigmoid's argument in the same f32 operations, so only the exp and the
//    division differ (a few ulp each);
//  - geglu_split and gelu: llama.cpp's CPU path (GGML_GELU_FP16) rounds g to f16, reads gelu
//    from an f16 table and multiplies by u: |ours - ggml| <= |u| (2^-9 |g| + 2^-24) (both
//    roundings at 2^-11 relative, the input's scaled by |gelu'| <= 1.13, plus ggml_gelu_f32's
//    2^-24 absolute cancellation in 1 + tanh z); and tighter, that the table explains the whole
//    difference: for |g| < 10, ggml's value is f16(gelu(f16(g))) * u within one f16 step of
//    gelu (our gelu and the table's ggml_gelu_f32 may round to neighbouring f16 values; for
//    g < 0 ggml_gelu_f32 also loses up to |g| 2^-24 to 1 + tanh z); for g <= -10 it is 0 and
//    for g >= 10 it is g * u exactly, as vec.h says.
void test_ggml_agreement() {
    Rng rng(33);
    const vane::MoeKernels &kern = vane::moe_variants.active();
    const int64_t n = 67, rows = 9;  // odd, so ggml's SIMD loops have tails too
    std::vector<float> g(n * rows), u(n * rows);
    for (size_t i = 0; i < g.size(); i++) {
        g[i] = (float)(rng.normal() * (i % 3 == 0 ? 1.0 : i % 3 == 1 ? 4.0 : 12.0));
        u[i] = (float)(rng.normal() * (i % 2 ? 1.0 : 8.0));
    }
    const float edges[] = {0.0f, -0.0f, 7.0f, -7.0f, 6.9999995f, 7.0000005f, 10.0f, -10.0f, 9.999999f, -9.999999f, 40.0f, -40.0f,
                           1e-6f, -1e-6f, 1e-30f, 0.5f, -0.5f, 60.0f, -60.0f, 3.0f};
    for (size_t j = 0; j < sizeof edges / sizeof *edges; j++) g[j * 13] = edges[j], u[j * 17 + 1] = edges[j];
    std::vector<float> ours(g.size());
    double worst_geglu = 0, worst_silu = 0, worst_oai = 0;

    // SILU
    const vane::Glu silu{VANE_ACT_SILU, 0, 0, nullptr, nullptr};
    kern.glu(silu, g.data(), u.data(), ours.data(), (int64_t)g.size());
    std::vector<float> theirs = ggml_run(GgmlOp::SwigluSplit, g, u, n);
    for (size_t i = 0; i < g.size(); i++) {
        const double tol = 16 * 0x1p-24 * fabs(ours[i]) + 1e-37 * fabs((double)g[i] * u[i]);
        worst_silu = fmax(worst_silu, fabs(ours[i] - theirs[i]) / tol);
        CHECK(fabs(ours[i] - theirs[i]) <= tol, "silu(%.9g) * %.9g = %.9g, ggml_swiglu_split %.9g", g[i], u[i], ours[i], theirs[i]);
    }

    // GELU, gated and plain
    const vane::Glu gelu{VANE_ACT_GELU, 0, 0, nullptr, nullptr};
    kern.glu(gelu, g.data(), u.data(), ours.data(), (int64_t)g.size());
    theirs = ggml_run(GgmlOp::GegluSplit, g, u, n);
    std::vector<float> ones(g.size(), 1.0f), plain(g.size()), gf16(g.size()), gelu_f16(g.size());
    for (size_t i = 0; i < g.size(); i++) gf16[i] = f16_round(g[i]);
    kern.glu(gelu, gf16.data(), ones.data(), gelu_f16.data(), (int64_t)g.size());  // our gelu of f16(g)
    for (size_t i = 0; i < g.size(); i++) {
        const double tol = fabs(u[i]) * (0x1p-9 * fabs(g[i]) + 0x1p-24);
        worst_geglu = fmax(worst_geglu, fabs(ours[i] - theirs[i]) / tol);
        CHECK(fabs(ours[i] - theirs[i]) <= tol, "gelu(%.9g) * %.9g = %.9g, ggml_geglu_split %.9g (allowed %.3g)", g[i], u[i], ours[i], theirs[i],
              tol);
        if (g[i] <= -10.0f) {
            CHECK(theirs[i] == 0.0f, "ggml's geglu(%.9g) = %.9g, vec.h says 0", g[i], theirs[i]);
        } else if (g[i] >= 10.0f) {
            CHECK(theirs[i] == g[i] * u[i], "ggml's geglu(%.9g, %.9g) = %.9g, vec.h says g * u", g[i], u[i], theirs[i]);
        } else {
            const float table = f16_round(gelu_f16[i]);  // the f16 table entry, as we compute it
            // One f16 step (or a subnormal one), plus ggml_gelu_f32's own cancellation error.
            const double step = fabs(table) * 0x1p-10 + 0x1p-24 + fabs(g[i]) * 0x1p-23;
            CHECK(fabs(theirs[i] - (double)table * u[i]) <= step * fabs(u[i]) + 1e-37,
                  "ggml's geglu(%.9g, %.9g) = %.9g, f16(gelu(f16(g))) * u = %.9g: the f16 table does not explain it", g[i], u[i], theirs[i],
                  table * u[i]);
        }
    }
    kern.glu(gelu, g.data(), ones.data(), plain.data(), (int64_t)g.size());
    theirs = ggml_run(GgmlOp::Gelu, g, u, n);
    for (size_t i = 0; i < g.size(); i++)
        CHECK(fabs(plain[i] - theirs[i]) <= 0x1p-9 * fabs(g[i]) + 0x1p-24, "gelu(%.9g) = %.9g, ggml_gelu %.9g", g[i], plain[i], theirs[i]);

    // SWIGLU_OAI, gpt-oss's constants and others
    for (float alpha : {1.702f, 0.5f}) {
        for (float limit : {7.0f, 2.5f}) {
            const vane::Glu oai{VANE_ACT_SWIGLU_OAI, alpha, limit, nullptr, nullptr};
            kern.glu(oai, g.data(), u.data(), ours.data(), (int64_t)g.size());
            theirs = ggml_run(GgmlOp::SwigluOai, g, u, n, alpha, limit);
            for (size_t i = 0; i < g.size(); i++) {
                const double tol = 16 * 0x1p-24 * fabs(ours[i]) + 1e-37 * fabs((double)g[i] * (limit + 1));
                worst_oai = fmax(worst_oai, fabs(ours[i] - theirs[i]) / tol);
                CHECK(fabs(ours[i] - theirs[i]) <= tol, "swiglu_oai(%.9g, %.9g; %g, %g) = %.9g, ggml %.9g", g[i], u[i], alpha, limit, ours[i],
                      theirs[i]);
            }
        }
    }
    printf("against ggml, the largest difference over its tolerance: silu %.2g, swiglu_oai %.2g, geglu %.2g\n", worst_silu, worst_oai,
           worst_geglu);
}

// ---- the layers ---------------------------------------------------------------------------------

// An f32 gated FFN with random weights and biases, and its double-precision forward.
struct Ffn {
    int64_t d, f;
    std::vector<float> gate, up, down, gb, ub, db;
    vane_ffn desc{};
    Ffn(int64_t d_, int64_t f_, int32_t act, int bias, Rng &rng, float alpha = 1.702f, float limit = 7.0f)
        : d(d_), f(f_), gate(f * d), up(f * d), down(d * f), gb(f), ub(f), db(d) {
        // Gate rows scaled up so the activations see |g| of several units (the clamp and the tails).
        for (float &v : gate) v = (float)(rng.normal() * 3.0 / sqrt((double)d));
        for (float &v : up) v = (float)(rng.normal() * 3.0 / sqrt((double)d));
        for (float &v : down) v = (float)(rng.normal() / sqrt((double)f));
        for (float &v : gb) v = (float)rng.normal();
        for (float &v : ub) v = (float)rng.normal();
        for (float &v : db) v = (float)rng.normal();
        desc.gate = {VANE_FORMAT_F32, 0, gate.data(), (int64_t)gate.size() * 4};
        desc.up = {VANE_FORMAT_F32, 0, up.data(), (int64_t)up.size() * 4};
        desc.down = {VANE_FORMAT_F32, 0, down.data(), (int64_t)down.size() * 4};
        desc.activation = act;
        desc.alpha = alpha;
        desc.limit = limit;
        desc.gate_bias = (bias & 1) ? gb.data() : nullptr;
        desc.up_bias = (bias & 2) ? ub.data() : nullptr;
        desc.down_bias = (bias & 4) ? db.data() : nullptr;
    }
    // y += ffn(x) in double; scale gets the sum of |down terms| + |down bias| (the size the f32
    // sums' roundings scale with).
    void forward(const float *x, double *y, double *scale) const {
        std::vector<double> h(f);
        for (int64_t j = 0; j < f; j++) {
            double g = desc.gate_bias ? gb[j] : 0.0, u = desc.up_bias ? ub[j] : 0.0;
            for (int64_t c = 0; c < d; c++) g += (double)gate[j * d + c] * x[c], u += (double)up[j * d + c] * x[c];
            h[j] = act_exact(desc.activation, desc.alpha, desc.limit, g, u);
        }
        for (int64_t c = 0; c < d; c++) {
            double s = desc.down_bias ? db[c] : 0.0, m = desc.down_bias ? fabs(db[c]) : 0.0;
            for (int64_t j = 0; j < f; j++) s += (double)down[c * f + j] * h[j], m += fabs((double)down[c * f + j] * h[j]);
            y[c] += s;
            if (scale) scale[c] += m;
        }
    }
};

// vane_ffn_forward with every activation and bias combination, odd sizes, against double. The
// f32 GEMMs sum up to 64 products (64 * 2^-24 ~ 4e-6 of their sums of |terms|), and the
// activation is within ~1e-5 relative for |s| ~ 87, so 1e-4 of the scale (plus 1e-5 for
// the |terms| that cancel) is ample and still far below what a missing bias or a wrong
// activation changes (order 1).
void test_ffn_forward(Rng &rng) {
    const int32_t acts[] = {VANE_ACT_SILU, VANE_ACT_GELU, VANE_ACT_SWIGLU_OAI};
    for (int32_t act : acts) {
        for (int bias = 0; bias < 9; bias++) {
            // The last: 40 rows of 1000 columns, more than one activation task (2^15 elements),
            // the second starting mid-row (the biases must follow its column).
            const bool wide = bias == 8;
            const int64_t d = wide ? 32 : 29 + 2 * bias, f = wide ? 1000 : 37 + 4 * bias;
            Ffn ffn(d, f, act, wide ? 7 : bias, rng);
            for (int64_t t : {wide ? 40 : 1, wide ? 41 : 6}) {
                std::vector<float> x(t * d), y(t * d + 1, NAN);  // poisoned, one past the end
                for (float &v : x) v = (float)rng.normal();
                CHECK(vane_ffn_forward(&ffn.desc, d, f, x.data(), t, y.data()) == VANE_OK, "%s", vane_last_error());
                CHECK(isnan(y[t * d]), "wrote past y");
                for (int64_t i = 0; i < t; i++) {
                    std::vector<double> want(d), scale(d);
                    ffn.forward(&x[i * d], want.data(), scale.data());
                    for (int64_t c = 0; c < d; c++)
                        CHECK(fabs(y[i * d + c] - want[c]) <= 1e-4 * scale[c] + 1e-5, "ffn %s bias %d t %lld: y[%lld, %lld] = %.7g, reference %.7g",
                              act_name(act), bias, (long long)t, (long long)i, (long long)c, y[i * d + c], want[c]);
                }
            }
        }
    }
}

// Gate and up back to back take the one-GEMM path: with each activation and the biases it must
// give the two-GEMM path's bits exactly.
void test_fused_gate_up(Rng &rng) {
    const int64_t d = 96, f = 160;
    for (int32_t format : {VANE_FORMAT_F32, VANE_FORMAT_Q8_0}) {
        int64_t wb = 0, db = 0;
        CHECK(vane_quant_size(format, f, d, &wb) == VANE_OK && vane_quant_size(format, d, f, &db) == VANE_OK, "%s", vane_last_error());
        std::vector<float> g(f * d), u(f * d), dn(d * f), gbias(f), ubias(f), dbias(d);
        for (float &v : g) v = (float)(rng.normal() * 0.3);
        for (float &v : u) v = (float)(rng.normal() * 0.3);
        for (float &v : dn) v = (float)rng.normal();
        for (float &v : gbias) v = (float)rng.normal();
        for (float &v : ubias) v = (float)rng.normal();
        for (float &v : dbias) v = (float)rng.normal();
        std::vector<uint8_t> both((size_t)(2 * wb)), down((size_t)db);
        CHECK(vane_quant_quantize(format, g.data(), f, d, both.data(), wb) == VANE_OK, "%s", vane_last_error());
        CHECK(vane_quant_quantize(format, u.data(), f, d, both.data() + wb, wb) == VANE_OK, "%s", vane_last_error());
        CHECK(vane_quant_quantize(format, dn.data(), d, f, down.data(), db) == VANE_OK, "%s", vane_last_error());
        std::vector<uint8_t> gate(both.begin(), both.begin() + wb), up(both.begin() + wb, both.end());
        for (int32_t act : {VANE_ACT_SILU, VANE_ACT_GELU, VANE_ACT_SWIGLU_OAI}) {
            vane_ffn apart{{format, 0, gate.data(), wb}, {format, 0, up.data(), wb}, {format, 0, down.data(), db}, act, 1.702f, 7.0f,
                           gbias.data(), ubias.data(), dbias.data()};
            vane_ffn joined = apart;
            joined.gate.data = both.data();
            joined.up.data = both.data() + wb;
            for (int64_t t : {1, 5}) {
                std::vector<float> x(t * d), y1(t * d, NAN), y2(t * d, NAN);
                for (float &v : x) v = (float)rng.normal();
                CHECK(vane_ffn_forward(&apart, d, f, x.data(), t, y1.data()) == VANE_OK, "%s", vane_last_error());
                CHECK(vane_ffn_forward(&joined, d, f, x.data(), t, y2.data()) == VANE_OK, "%s", vane_last_error());
                for (int64_t i = 0; i < t * d; i++)
                    CHECK(bits_of(y1[i]) == bits_of(y2[i]) && !isnan(y1[i]), "format %d %s t %lld: fused y[%lld] = %.9g, apart %.9g", format,
                          act_name(act), (long long)t, (long long)i, y2[i], y1[i]);
            }
        }
    }
}

vane_gating gating(int32_t kind, int32_t k, int32_t renorm) {
    vane_gating g{};
    g.kind = kind;
    g.k = k;
    g.renormalize = renorm;
    g.scale = 1.0f;
    return g;
}

// The reference choice of token i: the k best of the double logits l (no ties with random data),
// and their weights under the gating kind (no renormalization asked here but for SOFTMAX_TOPK).
void reference_route(const std::vector<double> &l, const vane_gating &g, std::vector<int64_t> &ids, std::vector<double> &w) {
    const int64_t e = (int64_t)l.size();
    std::vector<char> taken(e, 0);
    ids.assign(g.k, -1);
    w.assign(g.k, 0.0);
    for (int32_t j = 0; j < g.k; j++) {
        int64_t best = -1;
        for (int64_t i = 0; i < e; i++)
            if (!taken[i] && (best < 0 || l[i] > l[best])) best = i;
        taken[best] = 1;
        ids[j] = best;
    }
    double mx = l[ids[0]], sum = 0;
    if (g.kind == VANE_GATING_SOFTMAX_TOPK) {
        for (double v : l) sum += exp(v - mx);
        for (int32_t j = 0; j < g.k; j++) w[j] = exp(l[ids[j]] - mx) / sum;
    } else {  // TOPK_SOFTMAX
        for (int32_t j = 0; j < g.k; j++) sum += (w[j] = exp(l[ids[j]] - mx));
        for (int32_t j = 0; j < g.k; j++) w[j] /= sum;
    }
    if (g.renormalize) {
        double s = 0;
        for (double v : w) s += v;
        for (double &v : w) v /= s;
    }
}

// A MoE layer of f32 experts: gpt-oss's shape (swiglu_oai experts with all three biases, a
// router bias, top-k then softmax) or Qwen2-MoE's (silu experts, softmax then top-k without
// renormalization, a shared expert gated by sigmoid(x . shared_gate)), against double.
void test_moe(bool gpt_oss, Rng &rng) {
    const int64_t d = 48, f = 40, sf = 56, e_count = 8, t = 9;
    const int32_t k = gpt_oss ? 4 : 2;
    std::vector<Ffn> experts;
    for (int64_t e = 0; e < e_count; e++) experts.emplace_back(d, f, gpt_oss ? VANE_ACT_SWIGLU_OAI : VANE_ACT_SILU, gpt_oss ? 7 : 0, rng);
    Ffn shared(d, sf, VANE_ACT_SILU, 0, rng);
    std::vector<vane_ffn> descs;
    for (const Ffn &x : experts) descs.push_back(x.desc);
    std::vector<float> router(e_count * d), router_bias(e_count), shared_gate(d), x(t * d), y(t * d + 1, NAN);
    for (float &v : router) v = (float)(rng.normal() / sqrt((double)d));
    for (float &v : router_bias) v = (float)rng.normal();
    for (float &v : shared_gate) v = (float)(rng.normal() / sqrt((double)d));
    for (float &v : x) v = (float)rng.normal();
    vane_moe_layer layer{};
    layer.dim = d;
    layer.ffn_dim = f;
    layer.n_experts = e_count;
    layer.router = {VANE_FORMAT_F32, 0, router.data(), (int64_t)router.size() * 4};
    layer.experts = descs.data();
    layer.gating = gating(gpt_oss ? VANE_GATING_TOPK_SOFTMAX : VANE_GATING_SOFTMAX_TOPK, k, 0);
    if (gpt_oss) {
        layer.router_bias = router_bias.data();
    } else {
        layer.shared = &shared.desc;
        layer.shared_ffn_dim = sf;
        layer.shared_gate = shared_gate.data();
    }
    const char *name = gpt_oss ? "gpt-oss" : "qwen2-moe";
    CHECK(vane_moe_forward(&layer, x.data(), t, y.data(), nullptr) == VANE_OK, "%s: %s", name, vane_last_error());
    CHECK(isnan(y[t * d]), "%s: wrote past y", name);
    for (int64_t i = 0; i < t; i++) {
        const float *xi = &x[i * d];
        std::vector<double> l(e_count);
        for (int64_t e = 0; e < e_count; e++) {
            l[e] = gpt_oss ? router_bias[e] : 0.0;
            for (int64_t c = 0; c < d; c++) l[e] += (double)router[e * d + c] * xi[c];
        }
        std::vector<int64_t> ids;
        std::vector<double> w;
        reference_route(l, layer.gating, ids, w);
        std::vector<double> want(d, 0.0), scale(d, 0.0);
        for (int32_t j = 0; j < k; j++) {
            std::vector<double> o(d, 0.0), s(d, 0.0);
            experts[ids[j]].forward(xi, o.data(), s.data());
            for (int64_t c = 0; c < d; c++) want[c] += w[j] * o[c], scale[c] += fabs(w[j]) * s[c];
        }
        if (!gpt_oss) {
            double dot = 0;
            for (int64_t c = 0; c < d; c++) dot += (double)shared_gate[c] * xi[c];
            const double gate = sigmoid_d(dot);
            std::vector<double> o(d, 0.0), s(d, 0.0);
            shared.forward(xi, o.data(), s.data());
            for (int64_t c = 0; c < d; c++) want[c] += gate * o[c], scale[c] += gate * s[c];
        }
        for (int64_t c = 0; c < d; c++)
            CHECK(fabs(y[i * d + c] - want[c]) <= 1e-4 * scale[c] + 1e-5, "%s: y[%lld, %lld] = %.7g, reference %.7g", name, (long long)i,
                  (long long)c, y[i * d + c], want[c]);
    }
    // Without the router bias (gpt-oss) or the shared gate (Qwen2-MoE) the result must differ: the
    // field is read.
    std::vector<float> y2(t * d);
    if (gpt_oss) layer.router_bias = nullptr;
    else layer.shared_gate = nullptr;
    CHECK(vane_moe_forward(&layer, x.data(), t, y2.data(), nullptr) == VANE_OK, "%s", vane_last_error());
    double diff = 0;
    for (int64_t i = 0; i < t * d; i++) diff = fmax(diff, fabs(y2[i] - y[i]));
    CHECK(diff > 1e-2, "%s: dropping the %s changes y by only %g", name, gpt_oss ? "router bias" : "shared gate", diff);
}

void test_errors(Rng &rng) {
    Ffn ffn(32, 32, VANE_ACT_SWIGLU_OAI, 0, rng);
    std::vector<float> x(32), y(32);
    vane_ffn bad = ffn.desc;
    bad.activation = 3;
    CHECK(vane_ffn_forward(&bad, 32, 32, x.data(), 1, y.data()) == VANE_E_INVALID_ARGUMENT && strstr(vane_last_error(), "unknown activation 3"),
          "%s", vane_last_error());
    bad = ffn.desc;
    bad.limit = 0.0f;
    CHECK(vane_ffn_forward(&bad, 32, 32, x.data(), 1, y.data()) == VANE_E_INVALID_ARGUMENT && strstr(vane_last_error(), "limit > 0"), "%s",
          vane_last_error());
    bad.limit = NAN;
    CHECK(vane_ffn_forward(&bad, 32, 32, x.data(), 1, y.data()) == VANE_E_INVALID_ARGUMENT, "limit NaN");
    bad = ffn.desc;
    bad.alpha = INFINITY;
    CHECK(vane_ffn_forward(&bad, 32, 32, x.data(), 1, y.data()) == VANE_E_INVALID_ARGUMENT && strstr(vane_last_error(), "finite alpha"), "%s",
          vane_last_error());
    bad = ffn.desc;
    bad.limit = INFINITY;  // no clamp: allowed
    CHECK(vane_ffn_forward(&bad, 32, 32, x.data(), 1, y.data()) == VANE_OK, "%s", vane_last_error());
    bad.activation = VANE_ACT_GELU;
    bad.alpha = NAN;  // ignored by GELU
    CHECK(vane_ffn_forward(&bad, 32, 32, x.data(), 1, y.data()) == VANE_OK, "%s", vane_last_error());
    bad = ffn.desc;
    bad.down_bias = y.data() + 5;
    CHECK(vane_ffn_forward(&bad, 32, 32, x.data(), 1, y.data()) == VANE_E_INVALID_ARGUMENT && strstr(vane_last_error(), "down bias"), "%s",
          vane_last_error());
    // A MoE layer: an expert's bad activation is named; a shared gate needs a shared expert.
    std::vector<vane_ffn> descs(4, ffn.desc);
    descs[2].activation = -1;
    std::vector<float> router(4 * 32), gate(32);
    vane_moe_layer layer{};
    layer.dim = 32;
    layer.ffn_dim = 32;
    layer.n_experts = 4;
    layer.router = {VANE_FORMAT_F32, 0, router.data(), (int64_t)router.size() * 4};
    layer.experts = descs.data();
    layer.gating = gating(VANE_GATING_SOFTMAX_TOPK, 2, 1);
    CHECK(vane_moe_forward(&layer, x.data(), 1, y.data(), nullptr) == VANE_E_INVALID_ARGUMENT && strstr(vane_last_error(), "expert 2"), "%s",
          vane_last_error());
    descs[2] = ffn.desc;
    layer.shared_gate = gate.data();
    CHECK(vane_moe_forward(&layer, x.data(), 1, y.data(), nullptr) == VANE_E_INVALID_ARGUMENT && strstr(vane_last_error(), "shared expert"),
          "%s", vane_last_error());
    layer.shared = &ffn.desc;
    layer.shared_ffn_dim = 32;
    CHECK(vane_moe_forward(&layer, x.data(), 1, y.data(), nullptr) == VANE_OK, "%s", vane_last_error());
    // A non-finite router bias makes the logits non-finite: reported, as any such logit.
    std::vector<float> rb(4, 0.0f);
    rb[1] = NAN;
    layer.router_bias = rb.data();
    CHECK(vane_moe_forward(&layer, x.data(), 1, y.data(), nullptr) == VANE_E_NON_FINITE && strstr(vane_last_error(), "token 0"), "%s",
          vane_last_error());
}

}  // namespace

int main() {
    const double t0 = now_s();
    std::vector<int32_t> simd_isas;
    for (int32_t isa : {VANE_ISA_AVX2, VANE_ISA_AVX512})
        if (compare_variant(isa)) simd_isas.push_back(isa);
    test_kernels(simd_isas);
    test_ggml_agreement();
    for (int32_t threads : {1, 3}) {
        vane_set_threads(threads);
        Rng rng(40 + threads);
        test_ffn_forward(rng);
        test_fused_gate_up(rng);
        test_moe(true, rng);
        test_moe(false, rng);
        test_errors(rng);
    }
    printf("test_ffn_act: %s in %.1f s\n", g_failures == 0 ? "PASS" : "FAIL", now_s() - t0);
    return finish("test_ffn_act");
}
