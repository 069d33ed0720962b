// Tests of vane_rms_norm and vane_add against float64: odd widths, row strides, in place, zero
// rows (eps keeps them finite), huge and tiny values, and argument errors. Tolerance: the scale
// is one f32 rounding of a value computed from a double sum, the products two more: 4e-7 relative.
#include <math.h>

#include <vector>

#include "check.h"
#include "vane.h"

namespace {

void test_rms_norm(int64_t rows, int64_t dim, int64_t ld, float magnitude, Rng &rng) {
    std::vector<float> x(rows * ld), w(dim), y(rows * ld, NAN);
    for (float &v : x) v = (float)rng.normal() * magnitude;
    for (float &v : w) v = (float)(1 + 0.3 * rng.normal());
    if (rows > 1) for (int64_t i = 0; i < dim; i++) x[ld + i] = 0.0f;  // a zero row
    const float eps = 1e-5f;
    CHECK(vane_rms_norm(x.data(), rows, dim, ld, w.data(), eps, y.data(), ld) == VANE_OK, "%s", vane_last_error());
    for (int64_t r = 0; r < rows; r++) {
        double sum = 0;
        for (int64_t i = 0; i < dim; i++) sum += (double)x[r * ld + i] * x[r * ld + i];
        const double scale = 1.0 / sqrt(sum / dim + eps);
        for (int64_t i = 0; i < dim; i++) {
            const double want = x[r * ld + i] * scale * w[i];
            const float got = y[r * ld + i];
            CHECK(fabs(got - want) <= 4e-7 * fabs(want) + 1e-30, "rows %lld dim %lld mag %g: y[%lld][%lld] = %.9g, want %.9g", (long long)rows,
                  (long long)dim, magnitude, (long long)r, (long long)i, got, want);
        }
        for (int64_t i = dim; i < ld; i++) CHECK(isnan(y[r * ld + i]), "the row gap was written");
    }
    // In place gives the same bits.
    std::vector<float> z = x;
    CHECK(vane_rms_norm(z.data(), rows, dim, ld, w.data(), eps, z.data(), ld) == VANE_OK, "%s", vane_last_error());
    for (int64_t r = 0; r < rows; r++)
        for (int64_t i = 0; i < dim; i++) CHECK(z[r * ld + i] == y[r * ld + i], "in place differs at [%lld][%lld]", (long long)r, (long long)i);
}

void test_add(Rng &rng) {
    const int64_t n = 1037;
    std::vector<float> x(n), y(n), want(n);
    for (int64_t i = 0; i < n; i++) {
        x[i] = (float)rng.normal();
        y[i] = (float)rng.normal();
        want[i] = y[i] + x[i];
    }
    CHECK(vane_add(y.data(), x.data(), n) == VANE_OK, "%s", vane_last_error());
    for (int64_t i = 0; i < n; i++) CHECK(y[i] == want[i], "add [%lld]", (long long)i);
    std::vector<float> twice = x;
    CHECK(vane_add(twice.data(), twice.data(), n) == VANE_OK, "%s", vane_last_error());
    for (int64_t i = 0; i < n; i++) CHECK(twice[i] == 2 * x[i], "add in place [%lld]", (long long)i);
}

void test_errors() {
    std::vector<float> x(64), w(16), y(64);
    CHECK(vane_rms_norm(x.data(), 2, 16, 8, w.data(), 1e-5f, y.data(), 16) == VANE_E_INVALID_ARGUMENT, "ldx < dim accepted");
    CHECK(vane_rms_norm(x.data(), 2, 0, 16, w.data(), 1e-5f, y.data(), 16) == VANE_E_INVALID_ARGUMENT, "dim 0 accepted");
    CHECK(vane_rms_norm(x.data(), 2, 16, 16, w.data(), -1.0f, y.data(), 16) == VANE_E_INVALID_ARGUMENT, "negative eps accepted");
    CHECK(vane_rms_norm(x.data(), 2, 16, 16, w.data(), NAN, y.data(), 16) == VANE_E_INVALID_ARGUMENT, "NaN eps accepted");
    CHECK(vane_rms_norm(nullptr, 2, 16, 16, w.data(), 1e-5f, y.data(), 16) == VANE_E_INVALID_ARGUMENT, "null x accepted");
    CHECK(vane_rms_norm(x.data(), 2, 16, 16, w.data(), 1e-5f, x.data() + 4, 16) == VANE_E_INVALID_ARGUMENT, "overlap accepted");
    CHECK(vane_rms_norm(x.data(), 2, 16, 32, w.data(), 1e-5f, x.data(), 16) == VANE_E_INVALID_ARGUMENT, "in place with ldy != ldx accepted");
    CHECK(vane_add(y.data(), x.data(), -1) == VANE_E_INVALID_ARGUMENT, "negative n accepted");
    CHECK(vane_add(y.data(), y.data() + 1, 8) == VANE_E_INVALID_ARGUMENT, "partial overlap accepted");
    CHECK(vane_add(nullptr, x.data(), 8) == VANE_E_INVALID_ARGUMENT, "null y accepted");
}

}  // namespace

int main() {
    Rng rng(17);
    for (int64_t dim : {1, 7, 64, 2048, 4099})
        for (int64_t rows : {1, 3, 130}) test_rms_norm(rows, dim, dim + (dim % 2), 1.0f, rng);
    test_rms_norm(5, 300, 301, 1e18f, rng);
    test_rms_norm(5, 300, 300, 1e-18f, rng);
    test_add(rng);
    test_errors();
    return finish("test_norm");
}
