// Tests of iq4_nlx8, IQ4_NL repacked 8 rows at a time in q4_0x8's layout (vane.h), under every
// CPU variant:
//  (1) the layout is the one vane.h documents (checked byte by byte against the IQ4_NL rows), and
//      repacking round-trips exactly: each row reads back as its IQ4_NL bytes, for random bytes
//      (every code) and quantized values; quantizing to iq4_nlx8 equals quantizing to iq4_nl and
//      repacking; both dequantize to the same floats; sizes, format info and refused shapes /
//      pairs / buffers;
//  (2) vane_gemm on iq4_nlx8 equals iq4_nl's reference kernel (dot_row_legacy_ref on the same
//      rows and q8_0 activations, plus the bias) bit for bit on every variant: the reference reads
//      the rows back as iq4_nl for that kernel, and the AVX2 GEMV adds each block's
//      (d_x * d_w) * isum in the reference's order, rounding as it does. Against vane_gemm on
//      iq4_nl it is bit for bit on the reference variant and within the f32 reordering bound below
//      on AVX2 (whose iq4_nl kernel sums blocks in 4 accumulators with fma). n multiples of 8 (not
//      all of 16), m 1..9 and 33, k 32 to 4096 (odd block counts), row strides with gaps, bias on
//      and off, 1 and 3 threads, outputs poisoned (the gaps must stay untouched), a NaN in x
//      making its row NaN, the largest int16 pair sums the kernel forms (value -127, activations
//      +-127); and the bound rejects a result off by one block's scale.
//
// The bound: both results are sums over blocks of f32 products (d_w * d_x) * isum with isum
// exact, added in different orders. Along either path a term meets at most nb + 4 roundings, so
// |a - b| <= 2 gamma_(nb+4) M, M = sum_b |d_w d_x| sum_c |v_c q_c| (AVX2's iq4_nl kernel scales
// 8 partial sums per block, which may cancel: M bounds each), plus the bias addition's rounding,
// 2^-24 (|a| + |b|).
#include <math.h>
#include <stdlib.h>

#include <vector>

#include "check.h"
#include "gemm/ggml_dot.h"
#include "quant/ggml_blocks.h"
#include "quant/quant.h"
#include "quant/scalar.h"
#include "vane.h"

namespace {

constexpr int64_t kNl = sizeof(vane_block_iq4_nl);    // 18
constexpr int64_t kX8 = sizeof(vane_block_iq4_nlx8);  // 144, 8 rows

// A finite fp16 of a random sign and mantissa, exponent field 0..17 (zero, subnormals, up to ~8).
uint16_t random_f16(Rng &rng) {
    const uint32_t r = rng.u32();
    return (uint16_t)((r & 0x8000u) | (((r >> 16) % 18u) << 10) | (r & 0x3ffu));
}

// rows x nb IQ4_NL blocks of random bytes with finite d.
std::vector<uint8_t> random_iq4_nl(int64_t rows, int64_t nb, Rng &rng) {
    std::vector<uint8_t> q((size_t)(rows * nb * kNl));
    for (uint8_t &b : q) b = (uint8_t)rng.u32();
    for (int64_t b = 0; b < rows * nb; b++) vane::put_u16(&q[b * kNl], random_f16(rng));
    return q;
}

std::vector<uint8_t> repack(const std::vector<uint8_t> &nl, int64_t rows, int64_t cols) {
    int64_t bytes = 0;
    CHECK(vane_quant_size(VANE_FORMAT_IQ4_NL_X8, rows, cols, &bytes) == VANE_OK, "%s", vane_last_error());
    std::vector<uint8_t> x8((size_t)bytes, 0xEE);
    CHECK(vane_quant_repack(VANE_FORMAT_IQ4_NL, nl.data(), (int64_t)nl.size(), rows, cols, VANE_FORMAT_IQ4_NL_X8, x8.data(), bytes) == VANE_OK,
          "%s", vane_last_error());
    return x8;
}

// (1) The documented layout, byte by byte, and the round trip.
void test_layout_and_round_trip(const std::vector<uint8_t> &nl, int64_t rows, int64_t nb) {
    const int64_t cols = 32 * nb;
    const std::vector<uint8_t> x8 = repack(nl, rows, cols);
    CHECK((int64_t)x8.size() == rows * nb * kNl, "iq4_nlx8 [%lld, %lld] is iq4_nl's size", (long long)rows, (long long)cols);
    int bad = 0;
    for (int64_t r = 0; r < rows; r++) {
        for (int64_t b = 0; b < nb; b++) {
            const uint8_t *in = &nl[(r * nb + b) * kNl];
            const uint8_t *blk = &x8[((r / 8) * nb + b) * kX8];
            const int i = (int)(r % 8);
            bool ok = memcmp(blk + 2 * i, in, 2) == 0;  // d[i]
            // code byte c of the row (elements c and c + 16) is byte c % 4 of chunk c / 4's row i.
            for (int c = 0; c < 16; c++) ok = ok && blk[16 + 32 * (c / 4) + 4 * i + c % 4] == in[2 + c];
            if (!ok && bad++ < 5) CHECK(false, "row %lld, block %lld: iq4_nlx8 bytes not where vane.h puts them", (long long)r, (long long)b);
        }
    }
    std::vector<uint8_t> row((size_t)(nb * kNl));
    const vane::RowGroupLayout *l = vane::row_group_layout(VANE_FORMAT_IQ4_NL_X8);
    CHECK(l && l->row_format == VANE_FORMAT_IQ4_NL, "iq4_nlx8's rows are iq4_nl");
    for (int64_t r = 0; l && r < rows; r++) {
        memset(row.data(), 0x5A, row.size());
        l->get_row(x8.data(), r, nb, row.data());
        if (memcmp(row.data(), &nl[r * nb * kNl], row.size()) != 0 && bad++ < 5)
            CHECK(false, "row %lld of iq4_nlx8 reads back as other iq4_nl bytes", (long long)r);
    }
    CHECK(bad == 0, "[%lld, %lld]: %d layout or round-trip failures", (long long)rows, (long long)cols, bad);
    std::vector<float> a((size_t)(rows * cols), NAN), c((size_t)(rows * cols), NAN);
    CHECK(vane_quant_dequantize(VANE_FORMAT_IQ4_NL, nl.data(), (int64_t)nl.size(), rows, cols, a.data()) == VANE_OK, "%s", vane_last_error());
    CHECK(vane_quant_dequantize(VANE_FORMAT_IQ4_NL_X8, x8.data(), (int64_t)x8.size(), rows, cols, c.data()) == VANE_OK, "%s", vane_last_error());
    CHECK(memcmp(a.data(), c.data(), a.size() * 4) == 0, "[%lld, %lld]: iq4_nlx8 dequantizes differently from iq4_nl", (long long)rows,
          (long long)cols);
}

void test_repack(int32_t isa) {
    CHECK(vane_cpu_select(isa) == VANE_OK, "%s", vane_last_error());
    Rng rng(5096 + isa);
    for (int64_t rows : {8, 16, 40}) {
        for (int64_t nb : {1, 3, 16, 129}) {
            test_layout_and_round_trip(random_iq4_nl(rows, nb, rng), rows, nb);
            const int64_t cols = 32 * nb;
            std::vector<float> src((size_t)(rows * cols));
            for (float &v : src) v = (float)(rng.normal() * (1.0 + rng.uniform() * 10.0));
            std::vector<uint8_t> nl((size_t)(rows * nb * kNl));
            CHECK(vane_quant_quantize(VANE_FORMAT_IQ4_NL, src.data(), rows, cols, nl.data(), (int64_t)nl.size()) == VANE_OK, "%s", vane_last_error());
            std::vector<uint8_t> x8(nl.size(), 0xAB);
            CHECK(vane_quant_quantize(VANE_FORMAT_IQ4_NL_X8, src.data(), rows, cols, x8.data(), (int64_t)x8.size()) == VANE_OK, "%s", vane_last_error());
            CHECK(x8 == repack(nl, rows, cols), "isa %d [%lld, %lld]: quantize to iq4_nlx8 differs from repack(iq4_nl)", isa, (long long)rows,
                  (long long)cols);
            test_layout_and_round_trip(nl, rows, nb);
        }
    }
    std::vector<float> src(12 * 64, 1.0f);
    std::vector<uint8_t> buf(1 << 16);
    CHECK(vane_quant_quantize(VANE_FORMAT_IQ4_NL_X8, src.data(), 12, 64, buf.data(), (int64_t)buf.size()) == VANE_E_INVALID_ARGUMENT &&
              strstr(vane_last_error(), "rows = 12 is not a multiple of 8"),
          "%s", vane_last_error());
    CHECK(vane_quant_repack(VANE_FORMAT_Q4_0, buf.data(), 8192, 8, 64, VANE_FORMAT_IQ4_NL_X8, buf.data() + 16384, 16384) == VANE_E_UNSUPPORTED &&
              strstr(vane_last_error(), "q4_0 -> iq4_nlx8"),
          "%s", vane_last_error());
    CHECK(vane_quant_repack(VANE_FORMAT_IQ4_NL, buf.data(), 8192, 8, 64, VANE_FORMAT_Q4_0_X8, buf.data() + 16384, 16384) == VANE_E_UNSUPPORTED &&
              strstr(vane_last_error(), "iq4_nl -> q4_0x8"),
          "%s", vane_last_error());
    CHECK(vane_quant_repack(VANE_FORMAT_IQ4_NL, buf.data(), 287, 8, 64, VANE_FORMAT_IQ4_NL_X8, buf.data() + 16384, 16384) == VANE_E_BUFFER_TOO_SMALL,
          "%s", vane_last_error());
    CHECK(vane_quant_repack(VANE_FORMAT_IQ4_NL, buf.data(), 8192, 8, 64, VANE_FORMAT_IQ4_NL_X8, buf.data() + 16384, 287) == VANE_E_BUFFER_TOO_SMALL,
          "%s", vane_last_error());
    CHECK(vane_quant_repack(VANE_FORMAT_IQ4_NL, buf.data(), 8192, 8, 64, VANE_FORMAT_IQ4_NL_X8, buf.data() + 100, 8192) == VANE_E_INVALID_ARGUMENT &&
              strstr(vane_last_error(), "overlap"),
          "%s", vane_last_error());
    CHECK(vane_gemm(VANE_FORMAT_IQ4_NL_X8, buf.data(), (int64_t)buf.size(), 12, 64, src.data(), 64, 1, nullptr, (float *)(buf.data() + 32768), 12) ==
              VANE_E_INVALID_ARGUMENT && strstr(vane_last_error(), "n = 12 is not a multiple of 8"),
          "%s", vane_last_error());
    vane_format_desc d;
    CHECK(vane_format_info(VANE_FORMAT_IQ4_NL_X8, &d) == VANE_OK && d.row_group == 8 && d.block_elems == 32 && d.block_bytes == 18 &&
              strcmp(d.name, "iq4_nlx8") == 0,
          "format info");
    int64_t bytes = 0;
    CHECK(vane_quant_size(VANE_FORMAT_IQ4_NL_X8, 24, 96, &bytes) == VANE_OK && bytes == 3 * 3 * kX8, "size of [24, 96]: %lld", (long long)bytes);
    memset(buf.data(), 0xFF, 2 * kX8);  // fp16 NaN in every d
    CHECK(vane_quant_check(VANE_FORMAT_IQ4_NL_X8, buf.data(), 2 * kX8, 8, 64) == VANE_OK, "iq4_nlx8 is not checked (made from checked iq4_nl)");
}

// sum |v_c q_c| over a block of weight row w (IQ4_NL bytes) and activation block a: it bounds
// every partial integer sum either kernel converts to f32 (AVX2's iq4_nl kernel scales 8 partial
// sums per block, which may cancel).
int32_t block_abs_sum(const uint8_t *blk, const vane::act_q8_0 &a) {
    int32_t s = 0;
    for (int c = 0; c < 16; c++)
        s += abs(vane::kIq4Values[blk[2 + c] & 0xF] * a.qs[c]) + abs(vane::kIq4Values[blk[2 + c] >> 4] * a.qs[c + 16]);
    return s;
}

// M of the bound for weight row (IQ4_NL bytes) against activation row a.
double magnitude(const uint8_t *row, const vane::act_q8_0 *a, int64_t nb) {
    double m = 0.0;
    for (int64_t b = 0; b < nb; b++)
        m += fabs((double)vane::f16_bits_to_f32(vane::get_u16(row + b * kNl)) * vane::f16_bits_to_f32(a[b].d) *
                  block_abs_sum(row + b * kNl, a[b]));
    return m;
}

enum class Weights { Random, Quantized, Extreme };

// (2) One shape: vane_gemm on iq4_nlx8 against iq4_nl's reference kernel and vane_gemm on iq4_nl.
void run_case(int64_t m, int64_t n, int64_t k, bool bias_on, bool nan_row, Weights kind, Rng &rng) {
    const int64_t nb = k / 32;
    std::vector<uint8_t> nl;
    if (kind == Weights::Quantized) {
        std::vector<float> w((size_t)(n * k));
        for (float &v : w) v = (float)(rng.normal() * 0.1);
        nl.resize((size_t)(n * nb * kNl));
        CHECK(vane_quant_quantize(VANE_FORMAT_IQ4_NL, w.data(), n, k, nl.data(), (int64_t)nl.size()) == VANE_OK, "%s", vane_last_error());
    } else {
        nl = random_iq4_nl(n, nb, rng);
        if (kind == Weights::Extreme)  // every code 0 (value -127): the largest pair and block sums
            for (int64_t b = 0; b < n * nb; b++) memset(&nl[b * kNl + 2], 0x00, kNl - 2);
    }
    const std::vector<uint8_t> x8 = repack(nl, n, k);
    const int64_t ldx = k + 3, ldy = n + 5;
    std::vector<float> x((size_t)(m * ldx), 1e30f), bias((size_t)n);
    for (int64_t i = 0; i < m; i++)
        for (int64_t c = 0; c < k; c++)
            x[i * ldx + c] = kind == Weights::Extreme ? (i % 2 ? -1.0f : 1.0f) : (float)(rng.normal() * (i % 3 == 2 ? 20.0 : 1.0));
    if (nan_row && m > 1) x[1 * ldx + k / 2] = NAN;
    for (float &b : bias) b = (float)rng.normal();
    const float poison = -12345.5f;
    std::vector<float> ynl((size_t)(m * ldy), poison), y8((size_t)(m * ldy), poison);
    const float *bp = bias_on ? bias.data() : nullptr;
    CHECK(vane_gemm(VANE_FORMAT_IQ4_NL, nl.data(), (int64_t)nl.size(), n, k, x.data(), ldx, m, bp, ynl.data(), ldy) == VANE_OK, "%s",
          vane_last_error());
    CHECK(vane_gemm(VANE_FORMAT_IQ4_NL_X8, x8.data(), (int64_t)x8.size(), n, k, x.data(), ldx, m, bp, y8.data(), ldy) == VANE_OK, "%s",
          vane_last_error());
    vane_cpu_info cpu;
    vane_cpu_features(&cpu);
    const bool same_kernel = cpu.active == VANE_ISA_BASELINE;  // the reference: iq4_nl's kernel on the same rows
    const vane::DotRowFn ref = vane::dot_row_legacy_ref(VANE_FORMAT_IQ4_NL);
    int bad = 0;
    std::vector<vane::act_q8_0> a((size_t)nb);
    for (int64_t i = 0; i < m; i++) {
        vane::quantize_act_q8_0(&x[i * ldx], a.data(), k);
        for (int64_t j = 0; j < n; j++) {
            const float got = y8[i * ldy + j], want = ynl[i * ldy + j];
            if (nan_row && m > 1 && i == 1) {
                if (!isnan(got) && bad++ < 5) CHECK(false, "m=%lld n=%lld k=%lld: row with a NaN gives %g, not NaN", (long long)m, (long long)n, (long long)k, got);
                continue;
            }
            const float r = ref(&nl[j * nb * kNl], a.data(), nb);
            const float exact = bias_on ? r + bias[j] : r;
            if (bits_of(got) != bits_of(exact) && bad++ < 5)
                CHECK(false, "m=%lld n=%lld k=%lld y[%lld,%lld] = %.9g, iq4_nl's reference kernel gives %.9g (must be identical)", (long long)m,
                      (long long)n, (long long)k, (long long)i, (long long)j, got, exact);
            if (same_kernel) {
                if (bits_of(got) != bits_of(want) && bad++ < 5)
                    CHECK(false, "m=%lld n=%lld k=%lld y[%lld,%lld] = %.9g, iq4_nl gives %.9g (same kernel: must be identical)", (long long)m,
                          (long long)n, (long long)k, (long long)i, (long long)j, got, want);
                continue;
            }
            const double tol = 2.0 * (double)(nb + 4) * 0x1p-24 * magnitude(&nl[j * nb * kNl], a.data(), nb) +
                               0x1p-24 * (fabs(got) + fabs(want)) + 1e-37;
            if (!(fabs((double)got - want) <= tol) && bad++ < 5)
                CHECK(false, "m=%lld n=%lld k=%lld y[%lld,%lld] = %.9g, iq4_nl gives %.9g (tol %.3g)", (long long)m, (long long)n, (long long)k,
                      (long long)i, (long long)j, got, want, tol);
        }
        for (int64_t j = n; j < ldy && i * ldy + j < (int64_t)y8.size(); j++)
            if (y8[i * ldy + j] != poison && bad++ < 5) CHECK(false, "the gap after row %lld was written", (long long)i);
    }
    CHECK(bad == 0, "m=%lld n=%lld k=%lld: %d outputs wrong", (long long)m, (long long)n, (long long)k, bad);
}

// The bound discriminates: one block's d doubled in iq4_nlx8 (row 3, the last block) moves that
// output out of it.
void test_bound_discriminates(Rng &rng) {
    const int64_t n = 8, k = 1024, nb = 32, m = 1;
    std::vector<float> w((size_t)(n * k)), x((size_t)k);
    for (float &v : w) v = (float)rng.normal();
    for (float &v : x) v = (float)rng.normal();
    std::vector<uint8_t> nl((size_t)(n * nb * kNl));
    CHECK(vane_quant_quantize(VANE_FORMAT_IQ4_NL, w.data(), n, k, nl.data(), (int64_t)nl.size()) == VANE_OK, "%s", vane_last_error());
    std::vector<uint8_t> x8 = repack(nl, n, k);
    uint8_t *d = &x8[(nb - 1) * kX8 + 2 * 3];
    vane::put_u16(d, vane::f32_to_f16_bits(2.0f * vane::f16_bits_to_f32(vane::get_u16(d))));
    std::vector<float> ynl(n), y8(n);
    CHECK(vane_gemm(VANE_FORMAT_IQ4_NL, nl.data(), (int64_t)nl.size(), n, k, x.data(), k, m, nullptr, ynl.data(), n) == VANE_OK, "%s", vane_last_error());
    CHECK(vane_gemm(VANE_FORMAT_IQ4_NL_X8, x8.data(), (int64_t)x8.size(), n, k, x.data(), k, m, nullptr, y8.data(), n) == VANE_OK, "%s", vane_last_error());
    std::vector<vane::act_q8_0> a((size_t)nb);
    vane::quantize_act_q8_0(x.data(), a.data(), k);
    const double tol = 2.0 * (double)(nb + 4) * 0x1p-24 * magnitude(&nl[3 * nb * kNl], a.data(), nb) + 0x1p-24 * (fabs(ynl[3]) + fabs(y8[3]));
    CHECK(fabs((double)y8[3] - ynl[3]) > tol, "a doubled scale stays within the bound (%g vs %g, tol %g)", y8[3], ynl[3], tol);
    CHECK(y8[2] == y8[2] && fabs((double)y8[2] - ynl[2]) <= 1e-3 * (fabs(ynl[2]) + 1), "the other rows are unchanged");
}

void test_gemm(int32_t isa) {
    CHECK(vane_cpu_select(isa) == VANE_OK, "%s", vane_last_error());
    const int64_t ks[] = {32, 96, 800, 4096};
    const int64_t ns[] = {8, 24, 40, 136};
    const int64_t ms[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 33, 70};  // 70: past the AVX-512 kernel's block of 64 x rows
    for (int threads : {1, 3}) {
        vane_set_threads(threads);
        Rng rng(700 + 10 * isa + threads);
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
    printf("test_iq4_nlx8: %s in %.1f s\n", g_failures == 0 ? "PASS" : "FAIL", now_s() - t0);
    return finish("test_iq4_nlx8");
}
