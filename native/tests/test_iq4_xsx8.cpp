// Tests of iq4_xsx8, IQ4_XS repacked 8 rows at a time (vane.h), under every CPU variant:
//  (1) the layout is the one vane.h documents (checked field by field against an independent
//      decoding of the IQ4_XS rows), and repacking round-trips exactly: each row reads back as its
//      IQ4_XS bytes, for random bytes (every 6-bit scale pattern) and quantized values;
//      quantizing to iq4_xsx8 equals quantizing to iq4_xs and repacking; both dequantize to the
//      same floats; sizes, format info and refused shapes / pairs / buffers;
//  (2) vane_gemm on iq4_xsx8 equals vane_gemm on the same iq4_xs bytes: bit for bit on the
//      reference variant (which reads iq4_xsx8 rows back as iq4_xs for iq4_xs's kernel), within
//      the f32 reordering bound below on AVX2 (8 rows in the lanes, passes of up to 4 rows of x);
//      n multiples of 8 (not all of 16), m 1..9 and 33, k 256 to 4096, row strides with gaps, bias
//      on and off, 1 and 3 threads, outputs poisoned (the gaps must stay untouched), a NaN in x
//      making its row NaN, the largest sums the kernel forms (codes 0 = -127, ls 0 = scale -32,
//      activations +-1, quantized to +-127); and the bound rejects a result off by one
//      super-block's scale.
//
// The bound: both results are sums over super-blocks of f32 products of exact integers (a
// sub-block's or a super-block's scaled code sums) with f32 products of d, d_x and the scale,
// added in different orders (the reference: d * d_x * (ls - 32) per sub-block in f32; the AVX2
// iq4_xs kernel and the GEMV: one int32 per super-block, converted to f32). Along any path a
// term meets at most nb + 12 roundings, so each is within gamma_(nb+12) * M of the exact value,
// M = sum_i |d_x q_i| |d (ls_g - 32) v_i|: |a - b| <= 2 gamma_(nb+12) M, plus the bias
// addition's rounding, 2^-24 (|a| + |b|).
#include <math.h>

#include <vector>

#include "check.h"
#include "gemm/ggml_dot.h"
#include "quant/quant.h"
#include "quant/scalar.h"
#include "vane.h"

namespace {

constexpr int64_t kIq4 = sizeof(vane_block_iq4_xs);    // 136
constexpr int64_t kX8 = sizeof(vane_block_iq4_xsx8);   // 1104, 8 rows

// The 6-bit scale of sub-block g of an IQ4_XS block, as ggml reads it: nibble g of scales_l,
// bits 2g, 2g + 1 of scales_h above it.
int scale_ls(const uint8_t *blk, int g) {
    const int h = blk[2] | (blk[3] << 8);
    return ((blk[4 + g / 2] >> (4 * (g % 2))) & 0xF) | (((h >> (2 * g)) & 3) << 4);
}

// IQ4_NL's code values (ggml's kvalues_iq4nl).
const int kValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

// Code (0..15) of column e (0..255) of an IQ4_XS block: element 32g + l (l < 16) is the low
// nibble of qs[16g + l], 32g + 16 + l its high nibble.
int code(const uint8_t *blk, int e) {
    const uint8_t byte = blk[8 + 16 * (e / 32) + e % 16];
    return (e % 32) < 16 ? (byte & 0xF) : (byte >> 4);
}

// A finite fp16 of a random sign and mantissa, exponent field 0..17 (zero, subnormals, up to ~8).
uint16_t random_f16(Rng &rng) {
    const uint32_t r = rng.u32();
    return (uint16_t)((r & 0x8000u) | (((r >> 16) % 18u) << 10) | (r & 0x3ffu));
}

// rows x nb IQ4_XS blocks of random bytes with a finite d.
std::vector<uint8_t> random_iq4_xs(int64_t rows, int64_t nb, Rng &rng) {
    std::vector<uint8_t> q((size_t)(rows * nb * kIq4));
    for (uint8_t &b : q) b = (uint8_t)rng.u32();
    for (int64_t b = 0; b < rows * nb; b++) vane::put_u16(&q[b * kIq4], random_f16(rng));
    return q;
}

std::vector<uint8_t> repack(const std::vector<uint8_t> &q4, int64_t rows, int64_t cols) {
    int64_t bytes = 0;
    CHECK(vane_quant_size(VANE_FORMAT_IQ4_XS_X8, rows, cols, &bytes) == VANE_OK, "%s", vane_last_error());
    std::vector<uint8_t> x8((size_t)bytes, 0xEE);
    CHECK(vane_quant_repack(VANE_FORMAT_IQ4_XS, q4.data(), (int64_t)q4.size(), rows, cols, VANE_FORMAT_IQ4_XS_X8, x8.data(), bytes) == VANE_OK,
          "%s", vane_last_error());
    return x8;
}

// (1) The documented layout, field by field, and the round trip.
void test_layout_and_round_trip(const std::vector<uint8_t> &q4, int64_t rows, int64_t nb) {
    const int64_t cols = 256 * nb;
    const std::vector<uint8_t> x8 = repack(q4, rows, cols);
    CHECK((int64_t)x8.size() == rows * nb * 138, "iq4_xsx8 [%lld, %lld] is 138 bytes per row and 256 columns", (long long)rows, (long long)cols);
    int bad = 0;
    for (int64_t r = 0; r < rows; r++) {
        for (int64_t b = 0; b < nb; b++) {
            const uint8_t *in = &q4[(r * nb + b) * kIq4];
            const uint8_t *blk = &x8[((r / 8) * nb + b) * kX8];
            const int i = (int)(r % 8);
            bool ok = memcmp(blk + 2 * i, in, 2) == 0;
            for (int g = 0; g < 8; g++) ok = ok && (int8_t)blk[16 + 8 * g + i] == scale_ls(in, g) - 32;
            // Chunk j, row i: columns 32 (j / 4) + 4 (j % 4) + 0..3 in the low nibbles, + 16 high.
            for (int j = 0; j < 32; j++)
                for (int u = 0; u < 4; u++) {
                    const int e = 32 * (j / 4) + 4 * (j % 4) + u;
                    const uint8_t byte = blk[80 + 32 * j + 4 * i + u];
                    ok = ok && (byte & 0xF) == code(in, e) && (byte >> 4) == code(in, e + 16);
                }
            if (!ok && bad++ < 5) CHECK(false, "row %lld, block %lld: iq4_xsx8 bytes not where vane.h puts them", (long long)r, (long long)b);
        }
    }
    std::vector<uint8_t> row((size_t)(nb * kIq4));
    for (int64_t r = 0; r < rows; r++) {
        memset(row.data(), 0x5A, row.size());
        vane::iq4_xsx8_get_row(x8.data(), r, nb, row.data());
        if (memcmp(row.data(), &q4[r * nb * kIq4], row.size()) != 0 && bad++ < 5)
            CHECK(false, "row %lld of iq4_xsx8 reads back as other iq4_xs bytes", (long long)r);
    }
    CHECK(bad == 0, "[%lld, %lld]: %d layout or round-trip failures", (long long)rows, (long long)cols, bad);
    // Dequantizing either gives the same floats.
    std::vector<float> a((size_t)(rows * cols), NAN), c((size_t)(rows * cols), NAN);
    CHECK(vane_quant_dequantize(VANE_FORMAT_IQ4_XS, q4.data(), (int64_t)q4.size(), rows, cols, a.data()) == VANE_OK, "%s", vane_last_error());
    CHECK(vane_quant_dequantize(VANE_FORMAT_IQ4_XS_X8, x8.data(), (int64_t)x8.size(), rows, cols, c.data()) == VANE_OK, "%s", vane_last_error());
    CHECK(memcmp(a.data(), c.data(), a.size() * 4) == 0, "[%lld, %lld]: iq4_xsx8 dequantizes differently from iq4_xs", (long long)rows, (long long)cols);
}

void test_repack(int32_t isa) {
    CHECK(vane_cpu_select(isa) == VANE_OK, "%s", vane_last_error());
    Rng rng(4096 + isa);
    for (int64_t rows : {8, 16, 40}) {
        for (int64_t nb : {1, 3, 16}) {
            test_layout_and_round_trip(random_iq4_xs(rows, nb, rng), rows, nb);
            // Quantized values: quantizing to iq4_xsx8 equals quantizing to iq4_xs and repacking.
            const int64_t cols = 256 * nb;
            std::vector<float> src((size_t)(rows * cols));
            for (float &v : src) v = (float)(rng.normal() * (1.0 + rng.uniform() * 10.0));
            std::vector<uint8_t> q4((size_t)(rows * nb * kIq4));
            CHECK(vane_quant_quantize(VANE_FORMAT_IQ4_XS, src.data(), rows, cols, q4.data(), (int64_t)q4.size()) == VANE_OK, "%s", vane_last_error());
            std::vector<uint8_t> x8((size_t)(rows * nb * 138), 0xAB);
            CHECK(vane_quant_quantize(VANE_FORMAT_IQ4_XS_X8, src.data(), rows, cols, x8.data(), (int64_t)x8.size()) == VANE_OK, "%s", vane_last_error());
            CHECK(x8 == repack(q4, rows, cols), "isa %d [%lld, %lld]: quantize to iq4_xsx8 differs from repack(iq4_xs)", isa, (long long)rows, (long long)cols);
            test_layout_and_round_trip(q4, rows, nb);
        }
    }
    // Shapes, pairs and buffers that are refused; format info.
    std::vector<float> src(12 * 256, 1.0f);
    std::vector<uint8_t> buf(1 << 16);
    CHECK(vane_quant_quantize(VANE_FORMAT_IQ4_XS_X8, src.data(), 12, 256, buf.data(), (int64_t)buf.size()) == VANE_E_INVALID_ARGUMENT &&
              strstr(vane_last_error(), "rows = 12 is not a multiple of 8"),
          "%s", vane_last_error());
    CHECK(vane_quant_repack(VANE_FORMAT_Q4_0, buf.data(), 8192, 8, 256, VANE_FORMAT_IQ4_XS_X8, buf.data() + 16384, 16384) == VANE_E_UNSUPPORTED &&
              strstr(vane_last_error(), "q4_0 -> iq4_xsx8"),
          "%s", vane_last_error());
    CHECK(vane_quant_repack(VANE_FORMAT_IQ4_XS, buf.data(), 8192, 8, 256, VANE_FORMAT_Q4_0_X8, buf.data() + 16384, 16384) == VANE_E_UNSUPPORTED &&
              strstr(vane_last_error(), "iq4_xs -> q4_0x8"),
          "%s", vane_last_error());
    CHECK(vane_quant_repack(VANE_FORMAT_IQ4_XS, buf.data(), 1087, 8, 256, VANE_FORMAT_IQ4_XS_X8, buf.data() + 16384, 16384) == VANE_E_BUFFER_TOO_SMALL,
          "%s", vane_last_error());
    CHECK(vane_quant_repack(VANE_FORMAT_IQ4_XS, buf.data(), 8192, 8, 256, VANE_FORMAT_IQ4_XS_X8, buf.data() + 16384, 1103) == VANE_E_BUFFER_TOO_SMALL,
          "%s", vane_last_error());
    CHECK(vane_quant_repack(VANE_FORMAT_IQ4_XS, buf.data(), 8192, 8, 256, VANE_FORMAT_IQ4_XS_X8, buf.data() + 100, 8192) == VANE_E_INVALID_ARGUMENT &&
              strstr(vane_last_error(), "overlap"),
          "%s", vane_last_error());
    CHECK(vane_gemm(VANE_FORMAT_IQ4_XS_X8, buf.data(), (int64_t)buf.size(), 12, 256, src.data(), 256, 1, nullptr, (float *)(buf.data() + 32768), 12) ==
              VANE_E_INVALID_ARGUMENT && strstr(vane_last_error(), "n = 12 is not a multiple of 8"),
          "%s", vane_last_error());
    vane_format_desc d;
    CHECK(vane_format_info(VANE_FORMAT_IQ4_XS_X8, &d) == VANE_OK && d.row_group == 8 && d.block_elems == 256 && d.block_bytes == 138 &&
              strcmp(d.name, "iq4_xsx8") == 0,
          "format info");
    int64_t bytes = 0;
    CHECK(vane_quant_size(VANE_FORMAT_IQ4_XS_X8, 24, 512, &bytes) == VANE_OK && bytes == 3 * 2 * kX8, "size of [24, 512]: %lld", (long long)bytes);
    memset(buf.data(), 0xFF, 2 * kX8);  // fp16 NaN in every d
    CHECK(vane_quant_check(VANE_FORMAT_IQ4_XS_X8, buf.data(), 2 * kX8, 8, 512) == VANE_OK, "iq4_xsx8 is not checked (made from checked iq4_xs)");
}

// M of the bound for weight row j (IQ4_XS bytes) against activation row a (nb q8_K blocks).
double magnitude(const uint8_t *row, const vane::act_q8_k *a, int64_t nb) {
    double m = 0.0;
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *blk = row + b * kIq4;
        const double d = vane::f16_bits_to_f32(vane::get_u16(blk));
        for (int e = 0; e < 256; e++)
            m += fabs((double)a[b].d * a[b].qs[e]) * fabs(d * (scale_ls(blk, e / 32) - 32) * kValues[code(blk, e)]);
    }
    return m;
}

enum class Weights { Random, Quantized, Extreme };

// (2) One shape: vane_gemm on iq4_xsx8 against vane_gemm on the same iq4_xs bytes.
void run_case(int64_t m, int64_t n, int64_t k, bool bias_on, bool nan_row, Weights kind, Rng &rng) {
    const int64_t nb = k / 256;
    std::vector<uint8_t> q4;
    if (kind == Weights::Quantized) {
        std::vector<float> w((size_t)(n * k));
        for (float &v : w) v = (float)(rng.normal() * 0.1);
        q4.resize((size_t)(n * nb * kIq4));
        CHECK(vane_quant_quantize(VANE_FORMAT_IQ4_XS, w.data(), n, k, q4.data(), (int64_t)q4.size()) == VANE_OK, "%s", vane_last_error());
    } else {
        q4 = random_iq4_xs(n, nb, rng);
        if (kind == Weights::Extreme)  // codes 0 (-127), ls 0 (scale -32): the largest pairs and int32 sums
            for (int64_t b = 0; b < n * nb; b++) memset(&q4[b * kIq4 + 2], 0x00, kIq4 - 2);
    }
    const std::vector<uint8_t> x8 = repack(q4, n, k);
    const int64_t ldx = k + 3, ldy = n + 5;
    std::vector<float> x((size_t)(m * ldx), 1e30f), bias((size_t)n);
    for (int64_t i = 0; i < m; i++)
        for (int64_t c = 0; c < k; c++)
            x[i * ldx + c] = kind == Weights::Extreme ? (i % 2 ? -1.0f : 1.0f) : (float)(rng.normal() * (i % 3 == 2 ? 20.0 : 1.0));
    if (nan_row && m > 1) x[1 * ldx + k / 2] = NAN;
    for (float &b : bias) b = (float)rng.normal();
    const float poison = -12345.5f;
    std::vector<float> y4((size_t)(m * ldy), poison), y8((size_t)(m * ldy), poison);
    const float *bp = bias_on ? bias.data() : nullptr;
    CHECK(vane_gemm(VANE_FORMAT_IQ4_XS, q4.data(), (int64_t)q4.size(), n, k, x.data(), ldx, m, bp, y4.data(), ldy) == VANE_OK, "%s", vane_last_error());
    CHECK(vane_gemm(VANE_FORMAT_IQ4_XS_X8, x8.data(), (int64_t)x8.size(), n, k, x.data(), ldx, m, bp, y8.data(), ldy) == VANE_OK, "%s", vane_last_error());
    vane_cpu_info cpu;
    vane_cpu_features(&cpu);
    const bool exact = cpu.active == VANE_ISA_BASELINE;  // the reference: the same iq4_xs kernel on the same rows
    if (cpu.active == VANE_ISA_AVX512)  // the AVX2 kernel's sums and arithmetic: the same bits
        CHECK(gemm_differs_from_avx2(VANE_FORMAT_IQ4_XS_X8, x8.data(), (int64_t)x8.size(), n, k, x.data(), ldx, m, bp, y8.data(), ldy) == 0,
              "m=%lld n=%lld k=%lld: the AVX-512 variant differs from the AVX2 one", (long long)m, (long long)n, (long long)k);
    int bad = 0;
    std::vector<vane::act_q8_k> a((size_t)nb);
    for (int64_t i = 0; i < m; i++) {
        vane::quantize_act_q8_k(&x[i * ldx], a.data(), k);
        for (int64_t j = 0; j < n; j++) {
            const float got = y8[i * ldy + j], want = y4[i * ldy + j];
            if (nan_row && m > 1 && i == 1) {
                if (!isnan(got) && bad++ < 5) CHECK(false, "m=%lld n=%lld k=%lld: row with a NaN gives %g, not NaN", (long long)m, (long long)n, (long long)k, got);
                continue;
            }
            if (exact) {
                if (bits_of(got) != bits_of(want) && bad++ < 5)
                    CHECK(false, "m=%lld n=%lld k=%lld y[%lld,%lld] = %.9g, iq4_xs gives %.9g (same kernel: must be identical)", (long long)m,
                          (long long)n, (long long)k, (long long)i, (long long)j, got, want);
                continue;
            }
            const double tol = 2.0 * (double)(nb + 12) * 0x1p-24 * magnitude(&q4[j * nb * kIq4], a.data(), nb) +
                               0x1p-24 * (fabs(got) + fabs(want)) + 1e-37;
            if (!(fabs((double)got - want) <= tol) && bad++ < 5)
                CHECK(false, "m=%lld n=%lld k=%lld y[%lld,%lld] = %.9g, iq4_xs gives %.9g (tol %.3g)", (long long)m, (long long)n, (long long)k,
                      (long long)i, (long long)j, got, want, tol);
        }
        for (int64_t j = n; j < ldy && i * ldy + j < (int64_t)y8.size(); j++)
            if (y8[i * ldy + j] != poison && bad++ < 5) CHECK(false, "the gap after row %lld was written", (long long)i);
    }
    CHECK(bad == 0, "m=%lld n=%lld k=%lld: %d outputs wrong", (long long)m, (long long)n, (long long)k, bad);
}

// The bound discriminates: one super-block's d doubled in iq4_xsx8 (row 3, the last super-block)
// moves that output out of it.
void test_bound_discriminates(Rng &rng) {
    const int64_t n = 8, k = 1024, nb = 4, m = 1;
    std::vector<float> w((size_t)(n * k)), x((size_t)k);
    for (float &v : w) v = (float)rng.normal();
    for (float &v : x) v = (float)rng.normal();
    std::vector<uint8_t> q4((size_t)(n * nb * kIq4));
    CHECK(vane_quant_quantize(VANE_FORMAT_IQ4_XS, w.data(), n, k, q4.data(), (int64_t)q4.size()) == VANE_OK, "%s", vane_last_error());
    std::vector<uint8_t> x8 = repack(q4, n, k);
    uint8_t *d = &x8[(nb - 1) * kX8 + 2 * 3];
    vane::put_u16(d, vane::f32_to_f16_bits(2.0f * vane::f16_bits_to_f32(vane::get_u16(d))));
    std::vector<float> y4(n), y8(n);
    CHECK(vane_gemm(VANE_FORMAT_IQ4_XS, q4.data(), (int64_t)q4.size(), n, k, x.data(), k, m, nullptr, y4.data(), n) == VANE_OK, "%s", vane_last_error());
    CHECK(vane_gemm(VANE_FORMAT_IQ4_XS_X8, x8.data(), (int64_t)x8.size(), n, k, x.data(), k, m, nullptr, y8.data(), n) == VANE_OK, "%s", vane_last_error());
    std::vector<vane::act_q8_k> a((size_t)nb);
    vane::quantize_act_q8_k(x.data(), a.data(), k);
    const double tol = 2.0 * (double)(nb + 12) * 0x1p-24 * magnitude(&q4[3 * nb * kIq4], a.data(), nb) + 0x1p-24 * (fabs(y4[3]) + fabs(y8[3]));
    CHECK(fabs((double)y8[3] - y4[3]) > tol, "a doubled scale stays within the bound (%g vs %g, tol %g)", y8[3], y4[3], tol);
    CHECK(y8[2] == y8[2] && fabs((double)y8[2] - y4[2]) <= 1e-3 * (fabs(y4[2]) + 1), "the other rows are unchanged");
}

void test_gemm(int32_t isa) {
    CHECK(vane_cpu_select(isa) == VANE_OK, "%s", vane_last_error());
    const int64_t ks[] = {256, 768, 1280, 4096};
    const int64_t ns[] = {8, 24, 40, 136};
    const int64_t ms[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 33, 70};  // 70: past the AVX-512 kernel's block of 64 x rows
    for (int threads : {1, 3}) {
        vane_set_threads(threads);
        Rng rng(900 + 10 * isa + threads);
        int c = 0;
        for (int64_t k : ks)
            for (int64_t n : ns)
                for (int64_t m : ms) {
                    c++;
                    if (k == 4096 && (n > 40 || m > 9) && c % 4 != 0) continue;  // the largest shapes: a spread
                    const Weights kind = c % 7 == 3 ? Weights::Extreme : (c % 2 ? Weights::Random : Weights::Quantized);
                    run_case(m, n, k, c % 2 == 0, c % 5 == 1, kind, rng);
                }
        test_bound_discriminates(rng);
    }
    vane_set_threads(2);
}

}  // namespace

int main() {
    const double t0 = now_s();
    vane_cpu_info cpu;
    vane_cpu_features(&cpu);
    std::vector<int32_t> isas = {VANE_ISA_BASELINE};
    if (compare_avx2_variant()) isas.push_back(VANE_ISA_AVX2);
    if (compare_variant(VANE_ISA_AVX512)) isas.push_back(VANE_ISA_AVX512);
    for (int32_t isa : isas) {
        test_repack(isa);
        test_gemm(isa);
    }
    vane_cpu_select(cpu.active);
    printf("test_iq4_xsx8: %s in %.1f s\n", g_failures == 0 ? "PASS" : "FAIL", now_s() - t0);
    return finish("test_iq4_xsx8");
}
