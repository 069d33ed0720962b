// Tests of vane_rope against a float64 rotation: normal and NeoX layouts, partial rotation,
// linear scaling, positions up to 10^6, row strides wider than the heads, the dimensions past
// rot_dim untouched; and argument errors. The reference forms each angle in f32 as vane.h
// defines it (ggml's order: (float)p times powf(base, -2 / rot_dim) once per pair, then times
// 1 / linear_scale), and its cosine, sine and the rotation in double. Tolerance: the rotation of
// an f32 pair in f32 with f32 cos/sin: 4 ulp-ish, 2e-6 * (|a| + |b|). (test_rope_ext checks the
// whole against ggml's own op, bit for bit.)
#include <vector>

#include "check.h"
#include "vane.h"

namespace {

vane_rope_params plain(int64_t heads, int64_t d, int64_t rot, float base, float linear_scale, int32_t neox) {
    vane_rope_params p{};  // no freq factors, no YaRN, attn_factor 0 meaning 1
    p.n_heads = heads;
    p.head_dim = d;
    p.rot_dim = rot;
    p.base = base;
    p.linear_scale = linear_scale;
    p.neox = neox;
    return p;
}

void test_layout(bool neox, int64_t rot_dim, float scale, Rng &rng) {
    const int64_t heads = 3, d = 64, n = 6, ld = heads * d + 5;
    const int64_t positions[n] = {0, 1, 7, 4095, 100000, 1000000};
    std::vector<float> x(n * ld), y;
    for (float &v : x) v = (float)rng.normal();
    y = x;
    const vane_rope_params p = plain(heads, d, rot_dim, 10000.0f, scale, neox ? 1 : 0);
    CHECK(vane_rope(&p, y.data(), n, ld, positions) == VANE_OK, "%s", vane_last_error());
    const float step = rot_dim > 0 ? powf(10000.0f, -2.0f / (float)rot_dim) : 1.0f;
    for (int64_t t = 0; t < n; t++) {
        for (int64_t h = 0; h < heads; h++) {
            const float *a = &x[t * ld + h * d];
            const float *b = &y[t * ld + h * d];
            float theta = (float)positions[t];
            for (int64_t i = 0; i < rot_dim / 2; i++, theta *= step) {
                const int64_t ia = neox ? i : 2 * i, ib = neox ? i + rot_dim / 2 : 2 * i + 1;
                const double angle = (double)((1.0f / scale) * theta);
                // The f32 angle is the exact one within a few of its ulps per pair.
                const double exact = (double)positions[t] / scale * pow(10000.0, -2.0 * (double)i / (double)rot_dim);
                CHECK(fabs(angle - exact) <= (double)(i + 2) * 0x1p-23 * exact, "angle %.9g, exact %.9g", angle, exact);
                const double wa = a[ia] * cos(angle) - a[ib] * sin(angle), wb = a[ia] * sin(angle) + a[ib] * cos(angle);
                const double tol = 2e-6 * (fabs(a[ia]) + fabs(a[ib]));
                CHECK(fabs(b[ia] - wa) <= tol && fabs(b[ib] - wb) <= tol, "neox %d rot %lld t %lld h %lld pair %lld: (%g, %g) vs (%g, %g)", neox,
                      (long long)rot_dim, (long long)t, (long long)h, (long long)i, b[ia], b[ib], wa, wb);
            }
            for (int64_t e = rot_dim; e < d; e++) CHECK(b[e] == a[e], "dimension %lld past rot_dim changed", (long long)e);
        }
        for (int64_t e = heads * d; e < ld; e++) CHECK(y[t * ld + e] == x[t * ld + e], "the row gap changed");
    }
}

void test_errors() {
    std::vector<float> x(256);
    const int64_t pos[2] = {0, 1}, bad_pos[2] = {0, -3};
    vane_rope_params p = plain(2, 64, 65, 10000.0f, 1.0f, 0);
    auto has = [](const char *s) { return strstr(vane_last_error(), s) != nullptr; };
    CHECK(vane_rope(&p, x.data(), 2, 128, pos) == VANE_E_INVALID_ARGUMENT && has("rot_dim"), "%s", vane_last_error());
    p = plain(2, 64, 64, 10000.0f, 0.0f, 0);
    CHECK(vane_rope(&p, x.data(), 2, 128, pos) == VANE_E_INVALID_ARGUMENT && has("linear_scale"), "%s", vane_last_error());
    p = plain(2, 64, 64, 10000.0f, 1.0f, 0);
    CHECK(vane_rope(&p, x.data(), 2, 100, pos) == VANE_E_INVALID_ARGUMENT && has("ld"), "%s", vane_last_error());
    CHECK(vane_rope(&p, x.data(), 2, 128, bad_pos) == VANE_E_OUT_OF_RANGE && has("token 1"), "%s", vane_last_error());
    CHECK(vane_rope(&p, nullptr, 2, 128, pos) == VANE_E_INVALID_ARGUMENT, "null x");
}

}  // namespace

int main() {
    const double t0 = now_s();
    Rng rng(3);
    for (bool neox : {false, true})
        for (int64_t rot : {64, 32, 0})
            for (float scale : {1.0f, 4.0f}) test_layout(neox, rot, scale, rng);
    test_errors();
    printf("test_rope: %s in %.1f s\n", g_failures == 0 ? "PASS" : "FAIL", now_s() - t0);
    return finish("test_rope");
}
