// Fuzzes the number-format entry points that read a packed matrix the caller describes:
// vane_quant_check, vane_quant_dequantize and vane_quant_repack (the bytes of a model file's
// tensor, with its shape taken from the file). Fields: op, format, to_format (repack), rows,
// cols; the payload is the matrix's bytes (src_bytes = its length).
//
// Contract checks: a shape vane_quant_size refuses, or bytes fewer than it says, must be refused;
// an accepted call reads and writes only the buffers its shape names; a repack holds the same
// values as its source (both dequantize to the same floats, bit for bit).
#include "fuzz_input.h"

using namespace fuzz;

namespace {

void check(int32_t format, const uint8_t *src, int64_t src_bytes, int64_t rows, int64_t cols) {
    int64_t need = 0;
    const bool sized = vane_quant_size(format, rows, cols, &need) == VANE_OK;
    vane_status s = vane_quant_check(format, src, src_bytes, rows, cols);
    if (!sized || need > src_bytes) must_fail(s, "vane_quant_check accepted a shape or size vane_quant_size refuses");
}

void dequantize(int32_t format, const uint8_t *src, int64_t src_bytes, int64_t rows, int64_t cols) {
    int64_t need = 0;
    const bool sized = vane_quant_size(format, rows, cols, &need) == VANE_OK;
    if (!sized || need > src_bytes) {
        Buf<float> tiny(1);
        must_fail(vane_quant_dequantize(format, src, src_bytes, rows, cols, tiny.get()),
                  "vane_quant_dequantize accepted a shape or size vane_quant_size refuses");
        return;
    }
    const int64_t n = mul(rows, cols);
    if (!affordable(n, 4)) return;
    Buf<float> dst(n);
    vane_quant_dequantize(format, src, src_bytes, rows, cols, dst.get());
}

void repack(int32_t from, int32_t to, const uint8_t *src, int64_t src_bytes, int64_t rows, int64_t cols) {
    int64_t in = 0, out = 0;
    const bool sized = vane_quant_size(from, rows, cols, &in) == VANE_OK && vane_quant_size(to, rows, cols, &out) == VANE_OK;
    if (!sized || in > src_bytes) {
        Buf<uint8_t> tiny(1);
        must_fail(vane_quant_repack(from, src, src_bytes, rows, cols, to, tiny.get(), 1),
                  "vane_quant_repack accepted a shape or size vane_quant_size refuses");
        return;
    }
    if (!affordable(out, 1)) return;
    Buf<uint8_t> dst(out);
    if (vane_quant_repack(from, src, src_bytes, rows, cols, to, dst.get(), out) != VANE_OK) return;
    const int64_t n = mul(rows, cols);
    if (n <= 0 || !affordable(n, 8)) return;
    Buf<float> a(n), b(n);
    if (vane_quant_dequantize(from, src, src_bytes, rows, cols, a.get()) != VANE_OK) contract("the repack's source does not dequantize", -1);
    if (vane_quant_dequantize(to, dst.get(), out, rows, cols, b.get()) != VANE_OK) contract("a repacked matrix does not dequantize", -1);
    if (memcmp(a.get(), b.get(), size_t(n) * 4) != 0) contract("a repack changed the matrix's values", VANE_OK);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Input in(data, size);
    select_cpu(in);
    const uint8_t op = in.u8();
    const int32_t format = in.u8() % 34 - 1;  // -1 and 32: unknown ids
    const int32_t to = in.u8() % 34 - 1;
    const int64_t rows = in.size(512), cols = in.size(4096);
    // A copy: malloc's alignment, as a mapped tensor has, and exactly src_bytes long.
    const int64_t src_bytes = int64_t(in.left());
    Buf<uint8_t> copy(src_bytes);
    copy.fill(in.rest(), in.left());
    const uint8_t *src = copy.get();
    switch (op % 3) {
        case 0: check(format, src, src_bytes, rows, cols); break;
        case 1: dequantize(format, src, src_bytes, rows, cols); break;
        default: repack(format, to, src, src_bytes, rows, cols); break;
    }
    return 0;
}
