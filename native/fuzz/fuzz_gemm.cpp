// Fuzzes vane_gemm's argument checks and kernels with weights the caller describes: format, n,
// k, m, the row strides and a bias, with the payload as the weight bytes (w_bytes = its length,
// as a model file's tensor is handed over).
//
// Contract checks: a shape vane_quant_size refuses, fewer weight bytes than it says, or a stride
// shorter than a row must be refused; an accepted call reads only x's rows, the weights and the
// bias, and writes only y's m rows of n floats (the stride's padding after each row keeps its
// sentinel).
#include "fuzz_input.h"

using namespace fuzz;

namespace {

constexpr float kSentinel = 12345.0f;

// The span in floats of `rows` rows of `cols` with stride ld, or -1 if it overflows.
int64_t span(int64_t rows, int64_t cols, int64_t ld) {
    if (rows == 0) return 0;
    if (rows < 0 || cols < 0) return -1;
    const int64_t r = mul(rows - 1, ld);
    return r < 0 || r > INT64_MAX - cols ? -1 : r + cols;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Input in(data, size);
    select_cpu(in);
    const int32_t format = in.u8() % 34 - 1;
    const int64_t n = in.size(256), k = in.size(1024), m = in.size(16);
    const uint8_t pad_x = in.u8(), pad_y = in.u8(), flags = in.u8();
    // A pad byte of 255 makes the stride one short of a row (a hostile size is its own stride).
    const int64_t far = int64_t(1) << 40;
    const int64_t ldx = k <= -far || k >= far ? k : pad_x == 255 ? k - 1 : k + pad_x % 8;
    const int64_t ldy = n <= -far || n >= far ? n : pad_y == 255 ? n - 1 : n + pad_y % 8;
    const int64_t w_bytes = int64_t(in.left());
    Buf<uint8_t> w(w_bytes);
    w.fill(in.rest(), in.left());

    int64_t need = 0;
    const bool sized = vane_quant_size(format, n, k, &need) == VANE_OK;
    if (!sized || need > w_bytes || ldx < k || ldy < n) {
        Buf<float> x(1), y(1);
        must_fail(vane_gemm(format, w.get(), w_bytes, n, k, x.get(), ldx, m, nullptr, y.get(), ldy),
                  "vane_gemm accepted a shape, weight size or stride it must refuse");
        return 0;
    }
    const int64_t xs = span(m, k, ldx), ys = span(m, n, ldy), work = mul(mul(m, n), k);
    if (xs < 0 || ys < 0 || !affordable(xs, 4) || !affordable(ys, 4) || !affordable(n, 4) || !affordable(m, 4) || work < 0 || work > (int64_t(1) << 24)) return 0;
    Buf<float> x(xs), y(ys), bias(n);
    for (int64_t i = 0; i < xs; i++) x.get()[i] = float(int64_t(i * 7919 % 17) - 8) * 0.125f;
    for (int64_t i = 0; i < n; i++) bias.get()[i] = float(i % 5) - 2.0f;
    for (int64_t i = 0; i < ys; i++) y.get()[i] = kSentinel;
    const vane_status s = vane_gemm(format, w.get(), w_bytes, n, k, x.get(), ldx, m, flags & 1 ? bias.get() : nullptr, y.get(), ldy);
    if (s != VANE_OK) return 0;
    for (int64_t r = 0; r + 1 < m; r++)
        for (int64_t j = n; j < ldy; j++)
            if (y.get()[r * ldy + j] != kSentinel) contract("vane_gemm wrote into y's stride padding", s);
    return 0;
}
