// Tests of vane_rope against a float64 rotation: normal and NeoX layouts, partial rotation,
// linear scaling, positions up to 10^6, row strides wider than the heads, the dimensions past
// rot_dim untouched; and argument errors. Tolerance: the rotation of an f32 pair in f32 with f32
// cos/sin rounded from double: 4 ulp-ish, 2e-6 * (|a| + |b|).
#include <vector>

#include "check.h"
#include "vane.h"

namespace {

void test_layout(bool neox, int64_t rot_dim, float scale, Rng &rng) {
    const int64_t heads = 3, d = 64, n = 6, ld = heads * d + 5;
    const int64_t positions[n] = {0, 1, 7, 4095, 100000, 1000000};
    std::vector<float> x(n * ld), y;
    for (float &v : x) v = (float)rng.normal();
    y = x;
    vane_rope_params p{heads, d, rot_dim, 10000.0f, scale, neox ? 1 : 0};
    CHECK(vane_rope(&p, y.data(), n, ld, positions) == VANE_OK, "%s", vane_last_error());
    for (int64_t t = 0; t < n; t++) {
        for (int64_t h = 0; h < heads; h++) {
            const float *a = &x[t * ld + h * d];
            const float *b = &y[t * ld + h * d];
            for (int64_t i = 0; i < rot_dim / 2; i++) {
                const int64_t ia = neox ? i : 2 * i, ib = neox ? i + rot_dim / 2 : 2 * i + 1;
                const double angle = (double)positions[t] / scale * pow(10000.0, -2.0 * (double)i / (double)rot_dim);
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
    vane_rope_params p{2, 64, 65, 10000.0f, 1.0f, 0};
    auto has = [](const char *s) { return strstr(vane_last_error(), s) != nullptr; };
    CHECK(vane_rope(&p, x.data(), 2, 128, pos) == VANE_E_INVALID_ARGUMENT && has("rot_dim"), "%s", vane_last_error());
    p = {2, 64, 64, 10000.0f, 0.0f, 0};
    CHECK(vane_rope(&p, x.data(), 2, 128, pos) == VANE_E_INVALID_ARGUMENT && has("linear_scale"), "%s", vane_last_error());
    p = {2, 64, 64, 10000.0f, 1.0f, 0};
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
