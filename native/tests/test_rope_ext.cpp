// vane_rope against llama.cpp's own ggml_rope_ext (a one-op ggml graph computed by the peer
// library) on seeded inputs: normal and NeoX pairs, partial rotation, freq factors (Llama 3.1's
// rope_freqs, Phi-3's LongRoPE factors with its attention factor), linear scaling, YaRN as
// gpt-oss (factor 32, trained context 4096, betas 32 / 1, base 150000, head 64) and Qwen use it,
// positions up to 131072. Then vane_rope_table against the cos/sin vane_rope rotates with, keys
// rotated at attention time (vane_attention_cached with a scaled table) against keys rotated
// first, and the scaling fields' argument errors.
//
// Tolerance against ggml: 2 ulps of the pair's scale, 2^-22 * mscale * (|a| + |b|). The code
// performs ggml's f32 operations in ggml's order (the angle by repeated multiplication, YaRN's
// ramp, cosf / sinf times mscale, the rotation without fused multiply-add), so on the same libm
// the results are equal bit for bit (the test prints how many were); the allowance covers a ggml
// build whose compiler fuses the rotation's multiply-adds (one rounding less per product) or a
// libm whose cosf / sinf differ by an ulp. It does not cover a wrong angle: at position 131072 one
// f32 ulp of the angle is 2^-6 rad, 10^5 times the allowance.
#include <float.h>

#include <vector>

#include "check.h"
#include "ggml_peer.h"
#include "vane.h"

namespace {

// ggml.h's API, looked up in the peer library (the types as ggml.h declares them).
struct ggml_context;
struct ggml_tensor;
struct ggml_cgraph;
struct GgmlInitParams {
    size_t mem_size;
    void *mem_buffer;
    bool no_alloc;
};
constexpr int32_t kGgmlI32 = 26;  // GGML_TYPE_I32
constexpr int kGgmlRopeNeox = 2;  // GGML_ROPE_TYPE_NEOX (0 = normal)

struct Ggml {
    ggml_context *(*init)(GgmlInitParams);
    void (*free)(ggml_context *);
    ggml_tensor *(*new_tensor_1d)(ggml_context *, int32_t, int64_t);
    ggml_tensor *(*new_tensor_3d)(ggml_context *, int32_t, int64_t, int64_t, int64_t);
    void *(*get_data)(const ggml_tensor *);
    ggml_tensor *(*rope_ext)(ggml_context *, ggml_tensor *, ggml_tensor *, ggml_tensor *, int, int, int, float, float, float, float, float,
                             float);
    ggml_cgraph *(*new_graph)(ggml_context *);
    void (*build_forward_expand)(ggml_cgraph *, ggml_tensor *);
    int (*compute_with_ctx)(ggml_context *, ggml_cgraph *, int);

    Ggml() {
        ggml_peer<void (*)(void)>("ggml_cpu_init")();
        init = ggml_peer<decltype(init)>("ggml_init");
        free = ggml_peer<decltype(free)>("ggml_free");
        new_tensor_1d = ggml_peer<decltype(new_tensor_1d)>("ggml_new_tensor_1d");
        new_tensor_3d = ggml_peer<decltype(new_tensor_3d)>("ggml_new_tensor_3d");
        get_data = ggml_peer<decltype(get_data)>("ggml_get_data");
        rope_ext = ggml_peer<decltype(rope_ext)>("ggml_rope_ext");
        new_graph = ggml_peer<decltype(new_graph)>("ggml_new_graph");
        build_forward_expand = ggml_peer<decltype(build_forward_expand)>("ggml_build_forward_expand");
        compute_with_ctx = ggml_peer<decltype(compute_with_ctx)>("ggml_graph_compute_with_ctx");
    }
};

const Ggml &ggml() {
    static const Ggml g;
    return g;
}

// ggml_rope_ext of x ([n, heads, head_dim] row-major, rows packed) at positions, with p's scaling.
std::vector<float> ggml_rope(const vane_rope_params &p, const std::vector<float> &x, const std::vector<int64_t> &positions) {
    const Ggml &g = ggml();
    const int64_t n = (int64_t)positions.size(), d = p.head_dim, h = p.n_heads;
    GgmlInitParams ip{(size_t)(x.size() * 4 * 3 + (16 << 20)), nullptr, false};
    ggml_context *ctx = g.init(ip);
    CHECK(ctx != nullptr, "ggml_init failed");
    ggml_tensor *a = g.new_tensor_3d(ctx, GGML_F32, d, h, n);
    memcpy(g.get_data(a), x.data(), x.size() * 4);
    ggml_tensor *pos = g.new_tensor_1d(ctx, kGgmlI32, n);
    for (int64_t t = 0; t < n; t++) ((int32_t *)g.get_data(pos))[t] = (int32_t)positions[t];
    ggml_tensor *ff = nullptr;
    if (p.freq_factors) {
        // ggml's cache loop reads a factor per pair of the whole head (the ones past rot_dim unused).
        ff = g.new_tensor_1d(ctx, GGML_F32, d / 2);
        float *f = (float *)g.get_data(ff);
        for (int64_t i = 0; i < d / 2; i++) f[i] = i < p.rot_dim / 2 ? p.freq_factors[i] : 1.0f;
    }
    const float attn = p.attn_factor == 0.0f ? 1.0f : p.attn_factor;
    ggml_tensor *out = g.rope_ext(ctx, a, pos, ff, (int)p.rot_dim, p.neox ? kGgmlRopeNeox : 0, (int)p.n_ctx_orig, p.base, 1.0f / p.linear_scale,
                                  p.ext_factor, attn, p.beta_fast, p.beta_slow);
    ggml_cgraph *gf = g.new_graph(ctx);
    g.build_forward_expand(gf, out);
    CHECK(g.compute_with_ctx(ctx, gf, 2) == 0, "ggml_graph_compute_with_ctx failed");
    std::vector<float> y(x.size());
    memcpy(y.data(), g.get_data(out), y.size() * 4);
    g.free(ctx);
    return y;
}

// llama.cpp's mscale for p (what ggml multiplies cos and sin by).
float mscale_of(const vane_rope_params &p) {
    const float attn = p.attn_factor == 0.0f ? 1.0f : p.attn_factor;
    return p.ext_factor != 0.0f ? attn * (1.0f + 0.1f * logf(p.linear_scale)) : attn;
}

// Llama 3.1's per-pair factors (rope_freqs.weight) from the published formula, in double: 1 for
// wavelengths under orig / high, factor over orig / low, smoothly between.
std::vector<float> llama3_factors(int64_t rot, double base, double factor, double low, double high, double orig) {
    std::vector<float> f((size_t)(rot / 2));
    for (int64_t i = 0; i < rot / 2; i++) {
        const double wavelen = 2 * M_PI * pow(base, 2.0 * (double)i / (double)rot);
        if (wavelen < orig / high) f[(size_t)i] = 1.0f;
        else if (wavelen > orig / low) f[(size_t)i] = (float)factor;
        else {
            const double smooth = (orig / wavelen - low) / (high - low);
            f[(size_t)i] = (float)(1.0 / ((1 - smooth) / factor + smooth));
        }
    }
    return f;
}

std::vector<int64_t> test_positions(Rng &rng, int64_t n) {
    std::vector<int64_t> pos = {0, 1, 2, 7, 4095, 4096, 32767, 65536, 131071, 131072};
    while ((int64_t)pos.size() < n) pos.push_back((int64_t)(rng.u32() % 131073));
    return pos;
}

// vane_rope against ggml_rope_ext for one configuration; name says which.
void agree(const char *name, const vane_rope_params &p, Rng &rng) {
    const std::vector<int64_t> positions = test_positions(rng, 24);
    const int64_t n = (int64_t)positions.size(), row = p.n_heads * p.head_dim;
    std::vector<float> x((size_t)(n * row));
    for (float &v : x) v = (float)rng.normal();
    x[3] = 0.0f;                    // a zero and a large value among the inputs
    x[(size_t)(row + 5)] = 3.0e4f;
    const std::vector<float> want = ggml_rope(p, x, positions);
    std::vector<float> got = x;
    CHECK(vane_rope(&p, got.data(), n, row, positions.data()) == VANE_OK, "%s: %s", name, vane_last_error());
    const double ms = fabs((double)mscale_of(p));
    int64_t exact = 0, worst_t = -1;
    double worst = 0;
    for (int64_t t = 0; t < n; t++)
        for (int64_t h = 0; h < p.n_heads; h++) {
            const float *a = &x[(size_t)(t * row + h * p.head_dim)];
            const float *w = &want[(size_t)(t * row + h * p.head_dim)], *v = &got[(size_t)(t * row + h * p.head_dim)];
            for (int64_t i = 0; i < p.rot_dim / 2; i++) {
                const int64_t ia = p.neox ? i : 2 * i, ib = p.neox ? i + p.rot_dim / 2 : 2 * i + 1;
                const double tol = 0x1p-22 * ms * (fabs(a[ia]) + fabs(a[ib]));
                for (int64_t e : {ia, ib}) {
                    const double err = fabs((double)v[e] - (double)w[e]);
                    exact += bits_of(v[e]) == bits_of(w[e]);
                    if (err > worst) worst = err, worst_t = t;
                    CHECK(err <= tol, "%s: position %lld head %lld pair %lld dim %lld: %.9g, ggml %.9g", name, (long long)positions[t],
                          (long long)h, (long long)i, (long long)e, v[e], w[e]);
                }
            }
            for (int64_t e = p.rot_dim; e < p.head_dim; e++)
                CHECK(bits_of(v[e]) == bits_of(a[e]) && bits_of(w[e]) == bits_of(a[e]), "%s: dimension %lld past rot_dim changed", name,
                      (long long)e);
        }
    printf("%-28s %lld of %lld rotated values bit-equal to ggml's, largest difference %.3g (position %lld)\n", name, (long long)exact,
           (long long)(n * p.n_heads * p.rot_dim), worst, worst_t < 0 ? 0LL : (long long)positions[worst_t]);
}

// vane_rope_table's rows against vane_rope rotating unit pairs (1, 0) -> (cos, sin) exactly.
void table_matches_rope(const char *name, const vane_rope_params &p, int64_t n_positions) {
    const int64_t half = p.rot_dim / 2;
    std::vector<float> table((size_t)(n_positions * half * 2 + 1), NAN);
    CHECK(vane_rope_table(&p, n_positions, table.data()) == VANE_OK, "%s: %s", name, vane_last_error());
    CHECK(isnan(table.back()), "%s: the table wrote past its end", name);
    vane_rope_params one = p;
    one.n_heads = 1;
    std::vector<float> unit((size_t)(n_positions * p.head_dim));
    std::vector<int64_t> pos((size_t)n_positions);
    for (int64_t t = 0; t < n_positions; t++) {
        pos[(size_t)t] = t;
        for (int64_t i = 0; i < half; i++) unit[(size_t)(t * p.head_dim + (p.neox ? i : 2 * i))] = 1.0f;
    }
    CHECK(vane_rope(&one, unit.data(), n_positions, p.head_dim, pos.data()) == VANE_OK, "%s: %s", name, vane_last_error());
    int bad = 0;
    for (int64_t t = 0; t < n_positions; t++)
        for (int64_t i = 0; i < half; i++) {
            const float c = unit[(size_t)(t * p.head_dim + (p.neox ? i : 2 * i))];
            const float s = unit[(size_t)(t * p.head_dim + (p.neox ? i + half : 2 * i + 1))];
            const float *row = &table[(size_t)((t * half + i) * 2)];
            if ((bits_of(row[0]) != bits_of(c) || bits_of(row[1]) != bits_of(s)) && bad++ < 3)
                CHECK(false, "%s: table position %lld pair %lld: (%.9g, %.9g), vane_rope's (%.9g, %.9g)", name, (long long)t, (long long)i, row[0],
                      row[1], c, s);
        }
    CHECK(bad == 0, "%s: %d table entries differ from vane_rope's", name, bad);
}

// Keys rotated at attention time from a scaled table against keys rotated by vane_rope first.
void key_rope_matches(const char *name, const vane_rope_params &rp0, Rng &rng) {
    const int64_t kvh = 2, heads = 4, d = rp0.head_dim, bt = 16, n = 150, nq = 2, nblocks = 12;
    vane_rope_params rp = rp0;
    rp.n_heads = kvh;
    vane_kv_cache c{VANE_KV_F32, 0, kvh, d, bt, nblocks, nullptr, nullptr, nullptr, nullptr};
    int64_t kv_bytes = 0, scale_bytes = 0;
    CHECK(vane_kv_cache_bytes(&c, &kv_bytes, &scale_bytes) == VANE_OK, "%s", vane_last_error());
    std::vector<uint8_t> kmem((size_t)kv_bytes), vmem((size_t)kv_bytes);
    c.k = kmem.data();
    c.v = vmem.data();
    std::vector<int32_t> table;
    for (int32_t b = 0; b < (n + bt - 1) / bt; b++) table.push_back((b * 5 + 2) % nblocks);
    std::vector<float> k((size_t)(n * kvh * d)), v(k.size()), q((size_t)(nq * heads * d));
    for (float &e : k) e = (float)rng.normal();
    for (float &e : v) e = (float)rng.normal();
    for (float &e : q) e = (float)rng.normal();
    CHECK(vane_kv_write(&c, table.data(), (int64_t)table.size(), 0, k.data(), v.data(), n) == VANE_OK, "%s", vane_last_error());
    std::vector<float> rtable((size_t)(n * rp.rot_dim));
    CHECK(vane_rope_table(&rp, n, rtable.data()) == VANE_OK, "%s", vane_last_error());
    const vane_key_rope kr{rtable.data(), n, rp.rot_dim, rp.neox};
    vane_attention_params ap{heads, kvh, d, 1.0f / sqrtf((float)d), 1, 0};
    std::vector<float> got((size_t)(nq * heads * d + 1), NAN), want((size_t)(nq * heads * d));
    CHECK(vane_attention_cached(&ap, q.data(), nq, &c, table.data(), (int64_t)table.size(), n, &kr, got.data()) == VANE_OK, "%s",
          vane_last_error());
    CHECK(isnan(got.back()), "%s: wrote past out", name);
    std::vector<int64_t> positions((size_t)n);
    for (int64_t t = 0; t < n; t++) positions[(size_t)t] = t;
    std::vector<float> kk = k;
    CHECK(vane_rope(&rp, kk.data(), n, kvh * d, positions.data()) == VANE_OK, "%s", vane_last_error());
    CHECK(vane_attention(&ap, q.data(), nq, kk.data(), v.data(), n, want.data()) == VANE_OK, "%s", vane_last_error());
    int bad = 0;
    for (int64_t e = 0; e < nq * heads * d; e++)
        if (!(fabs(got[(size_t)e] - want[(size_t)e]) <= 2e-5 * (1 + fabs(want[(size_t)e]))) && bad++ < 3)
            CHECK(false, "%s: out[%lld] = %.7g, keys rotated first %.7g", name, (long long)e, got[(size_t)e], want[(size_t)e]);
}

// Plain RoPE: the appended fields zero, as every caller before them wrote the struct.
vane_rope_params params(int64_t heads, int64_t d, int64_t rot, float base, float linear_scale, int32_t neox) {
    vane_rope_params p{};
    p.n_heads = heads;
    p.head_dim = d;
    p.rot_dim = rot;
    p.base = base;
    p.linear_scale = linear_scale;
    p.neox = neox;
    return p;
}

void test_errors() {
    std::vector<float> x(256), out(64);
    const int64_t pos[2] = {0, 1};
    float ff[32];
    for (float &f : ff) f = 2.0f;
    auto has = [](const char *s) { return strstr(vane_last_error(), s) != nullptr; };
    vane_rope_params p = params(2, 64, 64, 10000.0f, 1.0f, 0);
    p.freq_factors = ff;
    ff[7] = 0.0f;
    CHECK(vane_rope(&p, x.data(), 2, 128, pos) == VANE_E_INVALID_ARGUMENT && has("freq_factors[7]"), "%s", vane_last_error());
    CHECK(vane_rope_table(&p, 1, out.data()) == VANE_E_INVALID_ARGUMENT && has("vane_rope_table: freq_factors[7]"), "%s", vane_last_error());
    ff[7] = NAN;
    CHECK(vane_rope(&p, x.data(), 2, 128, pos) == VANE_E_INVALID_ARGUMENT && has("freq_factors[7]"), "%s", vane_last_error());
    ff[7] = 2.0f;
    CHECK(vane_rope(&p, x.data(), 2, 128, pos) == VANE_OK, "%s", vane_last_error());
    p.attn_factor = -1.0f;
    CHECK(vane_rope(&p, x.data(), 2, 128, pos) == VANE_E_INVALID_ARGUMENT && has("attn_factor"), "%s", vane_last_error());
    p.attn_factor = INFINITY;
    CHECK(vane_rope(&p, x.data(), 2, 128, pos) == VANE_E_INVALID_ARGUMENT && has("attn_factor"), "%s", vane_last_error());
    p.attn_factor = 1.0f;
    p.ext_factor = 1.5f;
    CHECK(vane_rope(&p, x.data(), 2, 128, pos) == VANE_E_INVALID_ARGUMENT && has("ext_factor"), "%s", vane_last_error());
    p.ext_factor = NAN;
    CHECK(vane_rope(&p, x.data(), 2, 128, pos) == VANE_E_INVALID_ARGUMENT && has("ext_factor"), "%s", vane_last_error());
    p.ext_factor = 1.0f;  // YaRN without its betas and trained context
    CHECK(vane_rope(&p, x.data(), 2, 128, pos) == VANE_E_INVALID_ARGUMENT && has("beta_fast"), "%s", vane_last_error());
    p.beta_fast = 32.0f;
    p.beta_slow = 1.0f;
    CHECK(vane_rope(&p, x.data(), 2, 128, pos) == VANE_E_INVALID_ARGUMENT && has("n_ctx_orig"), "%s", vane_last_error());
    CHECK(vane_rope_table(&p, 1, out.data()) == VANE_E_INVALID_ARGUMENT && has("n_ctx_orig"), "%s", vane_last_error());
    p.n_ctx_orig = int64_t(1) << 31;
    CHECK(vane_rope(&p, x.data(), 2, 128, pos) == VANE_E_INVALID_ARGUMENT && has("n_ctx_orig"), "%s", vane_last_error());
    p.n_ctx_orig = 4096;
    CHECK(vane_rope(&p, x.data(), 2, 128, pos) == VANE_OK, "%s", vane_last_error());
    p.ext_factor = 0.0f;  // without YaRN the betas and n_ctx_orig are not read
    p.beta_fast = NAN;
    p.n_ctx_orig = -5;
    CHECK(vane_rope(&p, x.data(), 2, 128, pos) == VANE_OK, "%s", vane_last_error());
}

}  // namespace

int main() {
    const double t0 = now_s();
    Rng rng(13);
    // Plain RoPE.
    agree("normal, base 10000", params(3, 64, 64, 10000.0f, 1.0f, 0), rng);
    agree("neox, base 1e6, head 128", params(2, 128, 128, 1000000.0f, 1.0f, 1), rng);
    agree("normal, partial 32 of 80", params(3, 80, 32, 10000.0f, 1.0f, 0), rng);
    agree("neox, partial 24 of 64", params(2, 64, 24, 10000.0f, 1.0f, 1), rng);
    vane_rope_params one = params(2, 64, 64, 10000.0f, 1.0f, 1);
    one.attn_factor = 1.0f;
    agree("neox, attn_factor 1 given", one, rng);
    agree("linear 4, normal", params(2, 64, 64, 10000.0f, 4.0f, 0), rng);
    agree("linear 8, neox partial", params(2, 96, 64, 500000.0f, 8.0f, 1), rng);
    // Llama 3.1: rope_freqs from the published formula (factor 8, low 1, high 4, trained 8192).
    const std::vector<float> l3 = llama3_factors(128, 500000.0, 8.0, 1.0, 4.0, 8192.0);
    vane_rope_params llama3 = params(4, 128, 128, 500000.0f, 1.0f, 0);
    llama3.freq_factors = l3.data();
    agree("llama 3.1 rope_freqs", llama3, rng);
    // Phi-3 LongRoPE: per-pair long factors (1 .. ~60 as in Phi-3-mini-128k), its attention factor
    // sqrt(1 + ln(32) / ln(4096)), NeoX, head 96.
    std::vector<float> phi((size_t)48);
    for (size_t i = 0; i < phi.size(); i++) phi[i] = (float)(1.0 + 59.0 * pow((double)i / 47.0, 2.0) + 0.3 * rng.uniform());
    vane_rope_params phi3 = params(2, 96, 96, 10000.0f, 1.0f, 1);
    phi3.freq_factors = phi.data();
    phi3.attn_factor = sqrtf(1.0f + logf(32.0f) / logf(4096.0f));
    agree("phi-3 longrope", phi3, rng);
    // gpt-oss: YaRN factor 32 over 4096 trained positions, betas 32 / 1, base 150000, head 64,
    // and the attention factor llama.cpp's context derives: get_mscale(32) / (1 + 0.1 ln 32).
    const float f32 = 32.0f, gm = 0.1f * 1.0f * logf(f32) + 1.0f;
    vane_rope_params oss = params(4, 64, 64, 150000.0f, 32.0f, 1);
    oss.ext_factor = 1.0f;
    oss.attn_factor = gm * (1.0f / (1.0f + 0.1f * logf(f32)));
    oss.beta_fast = 32.0f;
    oss.beta_slow = 1.0f;
    oss.n_ctx_orig = 4096;
    agree("yarn gpt-oss", oss, rng);
    vane_rope_params oss_normal = oss;
    oss_normal.neox = 0;
    oss_normal.attn_factor = 0.0f;  // 0 means 1: mscale is YaRN's own 1 + 0.1 ln 32
    agree("yarn gpt-oss layout normal", oss_normal, rng);
    // Qwen with rope_scaling yarn: factor 4 over 32768, base 1e6, head 128; a partial mix too.
    vane_rope_params qwen = params(2, 128, 128, 1000000.0f, 4.0f, 1);
    qwen.ext_factor = 1.0f;
    qwen.attn_factor = 1.0f;
    qwen.beta_fast = 32.0f;
    qwen.beta_slow = 1.0f;
    qwen.n_ctx_orig = 32768;
    agree("yarn qwen", qwen, rng);
    vane_rope_params mixed = qwen;
    mixed.ext_factor = 0.5f;
    mixed.rot_dim = 64;
    mixed.freq_factors = l3.data();
    agree("yarn half mix, factors, partial", mixed, rng);

    for (const vane_rope_params *p : {&llama3, &phi3, &oss, &oss_normal, &qwen, &mixed}) table_matches_rope("table", *p, 600);
    table_matches_rope("table gpt-oss to 131072", oss, 131073);
    for (const vane_rope_params *p : {&oss, &phi3, &llama3, &mixed}) key_rope_matches("key rope", *p, rng);
    test_errors();
    printf("test_rope_ext: %s in %.1f s\n", g_failures == 0 ? "PASS" : "FAIL", now_s() - t0);
    return finish("test_rope_ext");
}
