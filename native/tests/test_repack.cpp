// Tests of q4_0x8, Q4_0 repacked 8 rows at a time (vane.h), through the public API under every
// CPU variant.
#include <vector>

#include "check.h"
#include "quant/quant.h"
#include "vane.h"

namespace {

// q4_0x8 through the public API: quantizing to it equals quantizing to q4_0 and repacking,
// byte for byte; both dequantize to the same floats; each row reads back as its q4_0 blocks;
// shapes that are not whole groups of 8 rows are refused.
void test_q4_0x8(int32_t isa) {
    CHECK(vane_cpu_select(isa) == VANE_OK, "%s", vane_last_error());
    Rng rng(77);
    for (int64_t rows : {8, 24, 136}) {
        const int64_t cols = 96, nb = cols / 32;
        std::vector<float> src(rows * cols);
        for (float &v : src) v = (float)rng.normal();
        int64_t bytes = 0;
        CHECK(vane_quant_size(VANE_FORMAT_Q4_0_X8, rows, cols, &bytes) == VANE_OK && bytes == rows * nb * 18, "size");
        std::vector<uint8_t> q4(bytes), x8(bytes, 0xAB), repacked(bytes, 0xCD);
        CHECK(vane_quant_quantize(VANE_FORMAT_Q4_0, src.data(), rows, cols, q4.data(), bytes) == VANE_OK, "%s", vane_last_error());
        CHECK(vane_quant_quantize(VANE_FORMAT_Q4_0_X8, src.data(), rows, cols, x8.data(), bytes) == VANE_OK, "%s", vane_last_error());
        CHECK(vane_quant_repack(VANE_FORMAT_Q4_0, q4.data(), bytes, rows, cols, VANE_FORMAT_Q4_0_X8, repacked.data(), bytes) == VANE_OK,
              "%s", vane_last_error());
        CHECK(x8 == repacked, "isa %d rows %lld: quantize to q4_0x8 differs from repack(q4_0)", isa, (long long)rows);
        CHECK(memcmp(x8.data(), q4.data(), (size_t)bytes) != 0, "q4_0x8 bytes equal q4_0's: not interleaved");
        std::vector<float> a(rows * cols, NAN), b(rows * cols, NAN);
        CHECK(vane_quant_dequantize(VANE_FORMAT_Q4_0, q4.data(), bytes, rows, cols, a.data()) == VANE_OK, "%s", vane_last_error());
        CHECK(vane_quant_dequantize(VANE_FORMAT_Q4_0_X8, x8.data(), bytes, rows, cols, b.data()) == VANE_OK, "%s", vane_last_error());
        CHECK(memcmp(a.data(), b.data(), a.size() * 4) == 0, "isa %d rows %lld: q4_0x8 dequantizes differently", isa, (long long)rows);
        std::vector<uint8_t> row(nb * 18);
        for (int64_t r = 0; r < rows; r += 5) {
            vane::q4_0x8_get_row(x8.data(), r, nb, row.data());
            CHECK(memcmp(row.data(), q4.data() + r * nb * 18, row.size()) == 0, "row %lld reads back wrong", (long long)r);
        }
    }
    std::vector<float> src(12 * 32, 1.0f);
    std::vector<uint8_t> dst(1 << 12);
    CHECK(vane_quant_quantize(VANE_FORMAT_Q4_0_X8, src.data(), 12, 32, dst.data(), (int64_t)dst.size()) == VANE_E_INVALID_ARGUMENT &&
              strstr(vane_last_error(), "rows = 12 is not a multiple of 8"),
          "%s", vane_last_error());
    CHECK(vane_quant_repack(VANE_FORMAT_Q8_0, dst.data(), 2048, 8, 32, VANE_FORMAT_Q4_0_X8, dst.data() + 2048, 2048) ==
              VANE_E_UNSUPPORTED && strstr(vane_last_error(), "q8_0 -> q4_0x8"),
          "%s", vane_last_error());
    CHECK(vane_quant_repack(VANE_FORMAT_Q4_0, dst.data(), 100, 8, 32, VANE_FORMAT_Q4_0_X8, dst.data() + 2048, 2048) ==
              VANE_E_BUFFER_TOO_SMALL, "%s", vane_last_error());
    CHECK(vane_quant_repack(VANE_FORMAT_Q4_0, dst.data(), 2048, 8, 32, VANE_FORMAT_Q4_0_X8, dst.data() + 100, 2048) ==
              VANE_E_INVALID_ARGUMENT && strstr(vane_last_error(), "overlap"),
          "%s", vane_last_error());
    vane_format_desc d;
    CHECK(vane_format_info(VANE_FORMAT_Q4_0_X8, &d) == VANE_OK && d.row_group == 8 && strcmp(d.name, "q4_0x8") == 0, "format info");
}

}  // namespace

int main() {
    const double t0 = now_s();
    vane_cpu_info cpu;
    vane_cpu_features(&cpu);
    test_q4_0x8(VANE_ISA_BASELINE);
    if (compare_avx2_variant()) test_q4_0x8(VANE_ISA_AVX2);
    vane_cpu_select(cpu.active);
    printf("test_repack: %s in %.1f s\n", g_failures == 0 ? "PASS" : "FAIL", now_s() - t0);
    return finish("test_repack");
}
