// Tests of q4_kx8, Q4_K repacked 8 rows at a time (vane.h), under every CPU variant:
//  (1) the layout is the one vane.h documents (checked field by field against an independent
//      decoding of the Q4_K rows), and repacking round-trips exactly: each row reads back as its
//      Q4_K bytes, for random bytes (every 6-bit scale and min pattern) and quantized values;
//      quantizing to q4_kx8 equals quantizing to q4_k and repacking; both dequantize to the same
//      floats; sizes, format info and refused shapes / pairs / buffers;
//  (2) vane_gemm on q4_kx8 equals vane_gemm on the same q4_k bytes: bit for bit on the reference
//      variant (which reads q4_kx8 rows back as q4_k for q4_k's kernel), within the f32
//      reordering bound below on AVX2 (8 rows in the lanes, passes of up to 4 rows of x); n
//      multiples of 8 (not all of 16), m 1..9 and 33, k 256
//      to 4096, row strides with gaps, bias on and off, 1 and 3 threads, outputs poisoned (the
//      gaps must stay untouched), a NaN in x making its row NaN, the largest int16 sums the
//      kernel forms (codes 15, scales 63, activations +-127); and the bound rejects a result
//      off by one super-block's scale.
//
// The bound: both results are sums over super-blocks of f32 products of exact integers (the
// scale sums and the min sums) with the f32 products d * d_x and dmin * d_x, added in different
// orders (the reference: 8 lanes per super-block, then the lanes; the GEMV: one int32 per
// super-block and row). Along any path a term meets at most nb + 12 roundings, so each is within
// gamma_(nb+12) * M of the exact value, M = sum_i |d_x q_i| (|d sc_g u_i| + |dmin m_g|):
// |a - b| <= 2 gamma_(nb+12) M, plus the bias addition's rounding, 2^-24 (|a| + |b|).
#include <math.h>

#include <vector>

#include "check.h"
#include "gemm/ggml_dot.h"
#include "quant/quant.h"
#include "quant/scalar.h"
#include "vane.h"

namespace {

constexpr int64_t kQ4k = sizeof(vane_block_q4_k);     // 144
constexpr int64_t kX8 = sizeof(vane_block_q4_kx8);     // 1184, 8 rows

// The 6-bit scale and min of sub-block g of a Q4_K block's 12 scale bytes, as ggml's
// get_scale_min_k4 reads them.
void scale_min(const uint8_t *s, int g, int *sc, int *m) {
    if (g < 4) {
        *sc = s[g] & 63;
        *m = s[g + 4] & 63;
    } else {
        *sc = (s[g + 4] & 0xF) | ((s[g - 4] >> 6) << 4);
        *m = (s[g + 4] >> 4) | ((s[g] >> 6) << 4);
    }
}

// Code (0..15) of column e (0..255) of a Q4_K block: element 64j + l is the low nibble of
// qs[32j + l], 64j + 32 + l its high nibble.
int code(const uint8_t *blk, int e) {
    const uint8_t byte = blk[16 + 32 * (e / 64) + e % 32];
    return (e % 64) < 32 ? (byte & 0xF) : (byte >> 4);
}

// A finite fp16 of a random sign and mantissa, exponent field 0..17 (zero, subnormals, up to ~8).
uint16_t random_f16(Rng &rng) {
    const uint32_t r = rng.u32();
    return (uint16_t)((r & 0x8000u) | (((r >> 16) % 18u) << 10) | (r & 0x3ffu));
}

// rows x nb Q4_K blocks of random bytes with finite d and dmin.
std::vector<uint8_t> random_q4_k(int64_t rows, int64_t nb, Rng &rng) {
    std::vector<uint8_t> q((size_t)(rows * nb * kQ4k));
    for (uint8_t &b : q) b = (uint8_t)rng.u32();
    for (int64_t b = 0; b < rows * nb; b++) {
        vane::put_u16(&q[b * kQ4k], random_f16(rng));
        vane::put_u16(&q[b * kQ4k + 2], random_f16(rng));
    }
    return q;
}

std::vector<uint8_t> repack(const std::vector<uint8_t> &q4, int64_t rows, int64_t cols) {
    int64_t bytes = 0;
    CHECK(vane_quant_size(VANE_FORMAT_Q4_K_X8, rows, cols, &bytes) == VANE_OK, "%s", vane_last_error());
    std::vector<uint8_t> x8((size_t)bytes, 0xEE);
    CHECK(vane_quant_repack(VANE_FORMAT_Q4_K, q4.data(), (int64_t)q4.size(), rows, cols, VANE_FORMAT_Q4_K_X8, x8.data(), bytes) == VANE_OK,
          "%s", vane_last_error());
    return x8;
}

// (1) The documented layout, field by field, and the round trip.
void test_layout_and_round_trip(const std::vector<uint8_t> &q4, int64_t rows, int64_t nb) {
    const int64_t cols = 256 * nb;
    const std::vector<uint8_t> x8 = repack(q4, rows, cols);
    CHECK((int64_t)x8.size() == rows * nb * 148, "q4_kx8 [%lld, %lld] is 148 bytes per row and 256 columns", (long long)rows, (long long)cols);
    int bad = 0;
    for (int64_t r = 0; r < rows; r++) {
        for (int64_t b = 0; b < nb; b++) {
            const uint8_t *in = &q4[(r * nb + b) * kQ4k];
            const uint8_t *blk = &x8[((r / 8) * nb + b) * kX8];
            const int i = (int)(r % 8);
            bool ok = memcmp(blk + 2 * i, in, 2) == 0 && memcmp(blk + 16 + 2 * i, in + 2, 2) == 0;
            for (int g = 0; g < 8; g++) {
                int sc, m;
                scale_min(in + 4, g, &sc, &m);
                ok = ok && blk[32 + 16 * g + i] == sc && blk[32 + 16 * g + 8 + i] == m;
            }
            for (int j = 0; j < 32; j++) ok = ok && memcmp(blk + 160 + 32 * j + 4 * i, in + 16 + 4 * j, 4) == 0;
            if (!ok && bad++ < 5) CHECK(false, "row %lld, block %lld: q4_kx8 bytes not where vane.h puts them", (long long)r, (long long)b);
        }
    }
    std::vector<uint8_t> row((size_t)(nb * kQ4k));
    for (int64_t r = 0; r < rows; r++) {
        memset(row.data(), 0x5A, row.size());
        vane::q4_kx8_get_row(x8.data(), r, nb, row.data());
        if (memcmp(row.data(), &q4[r * nb * kQ4k], row.size()) != 0 && bad++ < 5)
            CHECK(false, "row %lld of q4_kx8 reads back as other q4_k bytes", (long long)r);
    }
    CHECK(bad == 0, "[%lld, %lld]: %d layout or round-trip failures", (long long)rows, (long long)cols, bad);
    // Dequantizing either gives the same floats.
    std::vector<float> a((size_t)(rows * cols), NAN), c((size_t)(rows * cols), NAN);
    CHECK(vane_quant_dequantize(VANE_FORMAT_Q4_K, q4.data(), (int64_t)q4.size(), rows, cols, a.data()) == VANE_OK, "%s", vane_last_error());
    CHECK(vane_quant_dequantize(VANE_FORMAT_Q4_K_X8, x8.data(), (int64_t)x8.size(), rows, cols, c.data()) == VANE_OK, "%s", vane_last_error());
    CHECK(memcmp(a.data(), c.data(), a.size() * 4) == 0, "[%lld, %lld]: q4_kx8 dequantizes differently from q4_k", (long long)rows, (long long)cols);
}

void test_repack(int32_t isa) {
    CHECK(vane_cpu_select(isa) == VANE_OK, "%s", vane_last_error());
    Rng rng(4096 + isa);
    for (int64_t rows : {8, 16, 40}) {
        for (int64_t nb : {1, 3, 16}) {
            test_layout_and_round_trip(random_q4_k(rows, nb, rng), rows, nb);
            // Quantized values: quantizing to q4_kx8 equals quantizing to q4_k and repacking.
            const int64_t cols = 256 * nb;
            std::vector<float> src((size_t)(rows * cols));
            for (float &v : src) v = (float)(rng.normal() * (1.0 + rng.uniform() * 10.0));
            std::vector<uint8_t> q4((size_t)(rows * nb * kQ4k));
            CHECK(vane_quant_quantize(VANE_FORMAT_Q4_K, src.data(), rows, cols, q4.data(), (int64_t)q4.size()) == VANE_OK, "%s", vane_last_error());
            std::vector<uint8_t> x8((size_t)(rows * nb * 148), 0xAB);
            CHECK(vane_quant_quantize(VANE_FORMAT_Q4_K_X8, src.data(), rows, cols, x8.data(), (int64_t)x8.size()) == VANE_OK, "%s", vane_last_error());
            CHECK(x8 == repack(q4, rows, cols), "isa %d [%lld, %lld]: quantize to q4_kx8 differs from repack(q4_k)", isa, (long long)rows, (long long)cols);
            test_layout_and_round_trip(q4, rows, nb);
        }
    }
    // Shapes, pairs and buffers that are refused; format info.
    std::vector<float> src(12 * 256, 1.0f);
    std::vector<uint8_t> buf(1 << 16);
    CHECK(vane_quant_quantize(VANE_FORMAT_Q4_K_X8, src.data(), 12, 256, buf.data(), (int64_t)buf.size()) == VANE_E_INVALID_ARGUMENT &&
              strstr(vane_last_error(), "rows = 12 is not a multiple of 8"),
          "%s", vane_last_error());
    CHECK(vane_quant_repack(VANE_FORMAT_Q4_0, buf.data(), 8192, 8, 256, VANE_FORMAT_Q4_K_X8, buf.data() + 16384, 16384) == VANE_E_UNSUPPORTED &&
              strstr(vane_last_error(), "q4_0 -> q4_kx8"),
          "%s", vane_last_error());
    CHECK(vane_quant_repack(VANE_FORMAT_Q4_K, buf.data(), 8192, 8, 256, VANE_FORMAT_Q4_0_X8, buf.data() + 16384, 16384) == VANE_E_UNSUPPORTED &&
              strstr(vane_last_error(), "q4_k -> q4_0x8"),
          "%s", vane_last_error());
    CHECK(vane_quant_repack(VANE_FORMAT_Q4_K, buf.data(), 1151, 8, 256, VANE_FORMAT_Q4_K_X8, buf.data() + 16384, 16384) == VANE_E_BUFFER_TOO_SMALL,
          "%s", vane_last_error());
    CHECK(vane_quant_repack(VANE_FORMAT_Q4_K, buf.data(), 8192, 8, 256, VANE_FORMAT_Q4_K_X8, buf.data() + 16384, 1183) == VANE_E_BUFFER_TOO_SMALL,
          "%s", vane_last_error());
    CHECK(vane_quant_repack(VANE_FORMAT_Q4_K, buf.data(), 8192, 8, 256, VANE_FORMAT_Q4_K_X8, buf.data() + 100, 8192) == VANE_E_INVALID_ARGUMENT &&
              strstr(vane_last_error(), "overlap"),
          "%s", vane_last_error());
    CHECK(vane_gemm(VANE_FORMAT_Q4_K_X8, buf.data(), (int64_t)buf.size(), 12, 256, src.data(), 256, 1, nullptr, (float *)(buf.data() + 32768), 12) ==
              VANE_E_INVALID_ARGUMENT && strstr(vane_last_error(), "n = 12 is not a multiple of 8"),
          "%s", vane_last_error());
    vane_format_desc d;
    CHECK(vane_format_info(VANE_FORMAT_Q4_K_X8, &d) == VANE_OK && d.row_group == 8 && d.block_elems == 256 && d.block_bytes == 148 &&
              strcmp(d.name, "q4_kx8") == 0,
          "format info");
    int64_t bytes = 0;
    CHECK(vane_quant_size(VANE_FORMAT_Q4_K_X8, 24, 512, &bytes) == VANE_OK && bytes == 3 * 2 * kX8, "size of [24, 512]: %lld", (long long)bytes);
    memset(buf.data(), 0xFF, 2 * kX8);  // fp16 NaN in every d and dmin
    CHECK(vane_quant_check(VANE_FORMAT_Q4_K_X8, buf.data(), 2 * kX8, 8, 512) == VANE_OK, "q4_kx8 is not checked (made from checked q4_k)");
}

// M of the bound for weight row j (Q4_K bytes) against activation row a (nb q8_K blocks).
double magnitude(const uint8_t *row, const vane::act_q8_k *a, int64_t nb) {
    double m = 0.0;
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *blk = row + b * kQ4k;
        const double d = vane::f16_bits_to_f32(vane::get_u16(blk)), dmin = vane::f16_bits_to_f32(vane::get_u16(blk + 2));
        for (int e = 0; e < 256; e++) {
            int sc, mn;
            scale_min(blk + 4, e / 32, &sc, &mn);
            m += fabs((double)a[b].d * a[b].qs[e]) * (fabs(d * sc * code(blk, e)) + fabs(dmin * mn));
        }
    }
    return m;
}

enum class Weights { Random, Quantized, Extreme };

// (2) One shape: vane_gemm on q4_kx8 against vane_gemm on the same q4_k bytes.
void run_case(int64_t m, int64_t n, int64_t k, bool bias_on, bool nan_row, Weights kind, Rng &rng) {
    const int64_t nb = k / 256;
    std::vector<uint8_t> q4;
    if (kind == Weights::Quantized) {
        std::vector<float> w((size_t)(n * k));
        for (float &v : w) v = (float)(rng.normal() * 0.1);
        q4.resize((size_t)(n * nb * kQ4k));
        CHECK(vane_quant_quantize(VANE_FORMAT_Q4_K, w.data(), n, k, q4.data(), (int64_t)q4.size()) == VANE_OK, "%s", vane_last_error());
    } else {
        q4 = random_q4_k(n, nb, rng);
        if (kind == Weights::Extreme)  // codes 15, scales and mins 63: the largest int16 and int32 sums
            for (int64_t b = 0; b < n * nb; b++) memset(&q4[b * kQ4k + 4], 0xFF, kQ4k - 4);
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
    CHECK(vane_gemm(VANE_FORMAT_Q4_K, q4.data(), (int64_t)q4.size(), n, k, x.data(), ldx, m, bp, y4.data(), ldy) == VANE_OK, "%s", vane_last_error());
    CHECK(vane_gemm(VANE_FORMAT_Q4_K_X8, x8.data(), (int64_t)x8.size(), n, k, x.data(), ldx, m, bp, y8.data(), ldy) == VANE_OK, "%s", vane_last_error());
    vane_cpu_info cpu;
    vane_cpu_features(&cpu);
    const bool exact = cpu.active == VANE_ISA_BASELINE;  // the reference: the same q4_k kernel on the same rows
    if (cpu.active == VANE_ISA_AVX512)  // the same sums as the AVX2 kernel: the same bits
        CHECK(gemm_differs_from_avx2(VANE_FORMAT_Q4_K_X8, x8.data(), (int64_t)x8.size(), n, k, x.data(), ldx, m, bp, y8.data(), ldy) == 0,
              "m=%lld n=%lld k=%lld: the AVX-512 kernel differs from the AVX2 one", (long long)m, (long long)n, (long long)k);
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
                    CHECK(false, "m=%lld n=%lld k=%lld y[%lld,%lld] = %.9g, q4_k gives %.9g (same kernel: must be identical)", (long long)m,
                          (long long)n, (long long)k, (long long)i, (long long)j, got, want);
                continue;
            }
            const double tol = 2.0 * (double)(nb + 12) * 0x1p-24 * magnitude(&q4[j * nb * kQ4k], a.data(), nb) +
                               0x1p-24 * (fabs(got) + fabs(want)) + 1e-37;
            if (!(fabs((double)got - want) <= tol) && bad++ < 5)
                CHECK(false, "m=%lld n=%lld k=%lld y[%lld,%lld] = %.9g, q4_k gives %.9g (tol %.3g)", (long long)m, (long long)n, (long long)k,
                      (long long)i, (long long)j, got, want, tol);
        }
        for (int64_t j = n; j < ldy && i * ldy + j < (int64_t)y8.size(); j++)
            if (y8[i * ldy + j] != poison && bad++ < 5) CHECK(false, "the gap after row %lld was written", (long long)i);
    }
    CHECK(bad == 0, "m=%lld n=%lld k=%lld: %d outputs wrong", (long long)m, (long long)n, (long long)k, bad);
}

// The bound discriminates: one super-block's d doubled in q4_kx8 (row 3, the last super-block)
// moves that output out of it.
void test_bound_discriminates(Rng &rng) {
    const int64_t n = 8, k = 1024, nb = 4, m = 1;
    std::vector<float> w((size_t)(n * k)), x((size_t)k);
    for (float &v : w) v = (float)rng.normal();
    for (float &v : x) v = (float)rng.normal();
    std::vector<uint8_t> q4((size_t)(n * nb * kQ4k));
    CHECK(vane_quant_quantize(VANE_FORMAT_Q4_K, w.data(), n, k, q4.data(), (int64_t)q4.size()) == VANE_OK, "%s", vane_last_error());
    std::vector<uint8_t> x8 = repack(q4, n, k);
    uint8_t *d = &x8[(nb - 1) * kX8 + 2 * 3];
    vane::put_u16(d, vane::f32_to_f16_bits(2.0f * vane::f16_bits_to_f32(vane::get_u16(d))));
    std::vector<float> y4(n), y8(n);
    CHECK(vane_gemm(VANE_FORMAT_Q4_K, q4.data(), (int64_t)q4.size(), n, k, x.data(), k, m, nullptr, y4.data(), n) == VANE_OK, "%s", vane_last_error());
    CHECK(vane_gemm(VANE_FORMAT_Q4_K_X8, x8.data(), (int64_t)x8.size(), n, k, x.data(), k, m, nullptr, y8.data(), n) == VANE_OK, "%s", vane_last_error());
    std::vector<vane::act_q8_k> a((size_t)nb);
    vane::quantize_act_q8_k(x.data(), a.data(), k);
    const double tol = 2.0 * (double)(nb + 12) * 0x1p-24 * magnitude(&q4[3 * nb * kQ4k], a.data(), nb) + 0x1p-24 * (fabs(y4[3]) + fabs(y8[3]));
    CHECK(fabs((double)y8[3] - y4[3]) > tol, "a doubled scale stays within the bound (%g vs %g, tol %g)", y8[3], y4[3], tol);
    CHECK(y8[2] == y8[2] && fabs((double)y8[2] - y4[2]) <= 1e-3 * (fabs(y4[2]) + 1), "the other rows are unchanged");
}

void test_gemm(int32_t isa) {
    CHECK(vane_cpu_select(isa) == VANE_OK, "%s", vane_last_error());
    const int64_t ks[] = {256, 768, 1280, 4096};
    const int64_t ns[] = {8, 24, 40, 136};
    const int64_t ms[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 33, 70};  // 70: past one block of 64 rows
    for (int threads : {1, 3}) {
        vane_set_threads(threads);
        Rng rng(900 + 10 * isa + threads);
        int c = 0;
        for (int64_t k : ks)
            for (int64_t n : ns)
                for (int64_t m : ms) {
                    c++;
                    if ((k == 4096 || m == 70) && (n > 40 || m > 9) && c % 4 != 0) continue;  // the largest shapes: a spread
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
    printf("test_q4_kx8: %s in %.1f s\n", g_failures == 0 ? "PASS" : "FAIL", now_s() - t0);
    return finish("test_q4_kx8");
}
