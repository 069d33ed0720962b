// The dot kernels of q2_k ... q6_k and IQ4_XS with q8_K activations (gemm/ggml_dot.h):
//  (1) the reference equals llama.cpp's vec_dot on the same bytes (the peer's vec_dot_type
//      must be q8_K), within the f32 reordering bound below, and bit for bit where the peer
//      runs ggml's generic code (see peer_is_generic);
//  (2) the AVX2 kernels equal the reference within the same bound (when the CPU has AVX2 and
//      VANE_CPU does not force the baseline), and so do the AVX-512 ones (when the CPU has
//      AVX-512 and VANE_CPU does not force a lower variant); the AVX-512 kernels of 2 .. kDotRows
//      rows of x give each row the bits of the one-row kernel;
//  (3) quantize_act_q8_k's bytes equal llama.cpp's quantize_row_q8_K_ref on finite inputs,
//      except the bsums of an all-zero block (ggml leaves them unwritten; Vane writes zeros);
//  (4) a NaN or an Inf anywhere in x makes every kernel's result NaN;
//  (5) the bound discriminates: doubling one super-block's d moves the result out of it.
// Weight rows are random bytes with finite fp16 d / dmin, or llama.cpp's quantize_row_*_ref of
// random floats; rows of 1, 2, 7 and 16 super-blocks; activations of odd magnitudes (1e-25 ..
// 1e30, elements of mixed exponents), with zero blocks.
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include <initializer_list>
#include <vector>

#include "check.h"
#include "ggml_peer.h"
#include "gemm/ggml_dot.h"
#include "quant/scalar.h"
#include "vane.h"

namespace {

using vane::act_q8_k;
using vane::DotRowFn;

struct Format {
    int32_t vane;
    int32_t ggml;
    const char *name;
    int64_t bytes;     // per super-block
    int d_off;         // fp16 d
    int dmin_off;      // fp16 dmin, or -1
    const char *quant;  // llama.cpp's reference quantizer
    const char *dequant;
};

const Format kFormats[] = {
    {VANE_FORMAT_Q2_K, GGML_Q2_K, "q2_k", sizeof(vane_block_q2_k), offsetof(vane_block_q2_k, d),
     offsetof(vane_block_q2_k, dmin), "quantize_row_q2_K_ref", "dequantize_row_q2_K"},
    {VANE_FORMAT_Q3_K, GGML_Q3_K, "q3_k", sizeof(vane_block_q3_k), offsetof(vane_block_q3_k, d), -1,
     "quantize_row_q3_K_ref", "dequantize_row_q3_K"},
    {VANE_FORMAT_Q4_K, GGML_Q4_K, "q4_k", sizeof(vane_block_q4_k), offsetof(vane_block_q4_k, d),
     offsetof(vane_block_q4_k, dmin), "quantize_row_q4_K_ref", "dequantize_row_q4_K"},
    {VANE_FORMAT_Q5_K, GGML_Q5_K, "q5_k", sizeof(vane_block_q5_k), offsetof(vane_block_q5_k, d),
     offsetof(vane_block_q5_k, dmin), "quantize_row_q5_K_ref", "dequantize_row_q5_K"},
    {VANE_FORMAT_Q6_K, GGML_Q6_K, "q6_k", sizeof(vane_block_q6_k), offsetof(vane_block_q6_k, d), -1,
     "quantize_row_q6_K_ref", "dequantize_row_q6_K"},
    {VANE_FORMAT_IQ4_XS, GGML_IQ4_XS, "iq4_xs", sizeof(vane_block_iq4_xs), offsetof(vane_block_iq4_xs, d), -1,
     "quantize_row_iq4_xs_ref", "dequantize_row_iq4_xs"},
};

const int kRowBlocks[] = {1, 2, 7, 16};
constexpr int kQK = 256;

// A finite fp16: random sign and mantissa, exponent field 0..17 (subnormals, zero, up to ~8).
uint16_t random_f16(Rng &rng) {
    const uint32_t r = rng.u32();
    return (uint16_t)((r & 0x8000u) | (((r >> 16) % 18u) << 10) | (r & 0x3ffu));
}

// One row of nb super-blocks: random bytes with finite d / dmin, or (real) llama.cpp's
// quantizer applied to normal floats of a random scale.
std::vector<uint8_t> make_row(const Format &f, int nb, Rng &rng, bool real) {
    std::vector<uint8_t> row(f.bytes * nb);
    if (real) {
        std::vector<float> src(kQK * nb);
        const double scale = pow(10.0, rng.uniform() * 4.0 - 2.0);
        for (float &v : src) v = (float)(rng.normal() * scale);
        ggml_peer<ggml_peer_quantize_t>(f.quant)(src.data(), row.data(), kQK * nb);
        return row;
    }
    for (uint8_t &b : row) b = (uint8_t)rng.u32();
    for (int b = 0; b < nb; b++) {
        vane::put_u16(&row[f.bytes * b + f.d_off], random_f16(rng));
        if (f.dmin_off >= 0) vane::put_u16(&row[f.bytes * b + f.dmin_off], random_f16(rng));
    }
    return row;
}

// Activations of nb super-blocks, each of one kind: normal floats times a magnitude from 1e-25
// to 1e30, elements of mixed exponents, an all-zero block, a single nonzero element. Every
// product of a weight and an activation scale stays a normal float (>= 6e-8 * 1e-25 / 127) and
// every sum finite (<= 8 * 1e30 / 127 * 256 * 128 * 32 * 127).
std::vector<float> make_x(int nb, Rng &rng) {
    static const double kMagnitudes[] = {1.0, 1e-25, 1e-6, 1e6, 1e30, 3.0};
    std::vector<float> x(kQK * nb);
    for (int b = 0; b < nb; b++) {
        float *xb = &x[kQK * b];
        const uint32_t kind = rng.u32() % 9;
        if (kind == 0) {
            for (int i = 0; i < kQK; i++) xb[i] = 0.0f;
        } else if (kind == 1) {
            for (int i = 0; i < kQK; i++) xb[i] = 0.0f;
            xb[rng.u32() % kQK] = (float)(rng.normal() * 10.0);
        } else if (kind == 2) {
            for (int i = 0; i < kQK; i++) xb[i] = (float)(rng.normal() * pow(10.0, rng.uniform() * 12.0 - 6.0));
        } else {
            const double m = kMagnitudes[rng.u32() % 6];
            for (int i = 0; i < kQK; i++) xb[i] = (float)(rng.normal() * m);
        }
    }
    return x;
}

std::vector<act_q8_k> quantize(const std::vector<float> &x) {
    std::vector<act_q8_k> a(x.size() / kQK);
    memset(a.data(), 0xFF, a.size() * sizeof(act_q8_k));
    vane::quantize_act_q8_k(x.data(), a.data(), (int64_t)x.size());
    return a;
}

// The bound on |a - b| for two f32 evaluations of the same dot product whose integer parts are
// exact. Every result is sum_t fl(D_t * I_t) of exact integers I_t times f32 scale products
// D_t, summed in some order; along any path a term meets at most k roundings (its D_t, the
// int -> f32 conversion of a partial integer sum, the product, and one per addition it passes
// through), so each evaluation is within gamma_k * M of the exact value, with M the sum of the
// magnitudes of all the element terms: |a - b| <= 2 gamma_k M. k = nb + 12 covers the K-quant
// kernels (8 lanes added at the end, one add per super-block; ggml's AVX2 designs: one fma per
// super-block and a horizontal sum); IQ4_XS's reference adds once per group of 32: 8 nb + 12.
// M = sum_i |da * q_i| * (|dw * scale * v_i| + |dmin * min|), from llama.cpp's dequantizer on the
// row with dmin = 0 (the scale parts) and with d = 0 (the min parts): exact up to 2 roundings
// of each dequantized float (the 1.001 covers them).
double tolerance(const Format &f, const std::vector<uint8_t> &row, const std::vector<act_q8_k> &a, int nb) {
    std::vector<uint8_t> scale_part = row, min_part = row;
    for (int b = 0; b < nb; b++) {
        if (f.dmin_off < 0) continue;
        vane::put_u16(&scale_part[f.bytes * b + f.dmin_off], 0);
        vane::put_u16(&min_part[f.bytes * b + f.d_off], 0);
    }
    std::vector<float> ws(kQK * nb), wm(kQK * nb, 0.0f);
    const auto deq = ggml_peer<ggml_peer_dequantize_t>(f.dequant);
    deq(scale_part.data(), ws.data(), kQK * nb);
    if (f.dmin_off >= 0) deq(min_part.data(), wm.data(), kQK * nb);
    double m = 0.0;
    for (int b = 0; b < nb; b++)
        for (int i = 0; i < kQK; i++)
            m += fabs((double)a[b].d * a[b].qs[i]) * (fabs((double)ws[kQK * b + i]) + fabs((double)wm[kQK * b + i]));
    const int k = (f.vane == VANE_FORMAT_IQ4_XS ? 8 * nb : nb) + 12;
    return 2.0 * k * 0x1p-24 * m * 1.001;
}

float peer_dot(const Format &f, const void *row, const act_q8_k *a, int nb) {
    float s = NAN;
    ggml_peer_traits(f.ggml)->vec_dot(kQK * nb, &s, 0, row, 0, a, 0, 1);
    return s;
}

// (1), (2) and (5) for one format.
// llama.cpp's library built without AVX runs ggml's generic vec_dot (ggml-cpu/arch/x86/
// quants.c falls back to it), whose f32 order the reference follows: then the two agree bit for
// bit. (The fetched index.node is such a build; one built with AVX2 sums in another order, and
// only the bound holds.)
bool peer_is_generic() {
    const int avx = ggml_peer<int (*)(void)>("ggml_cpu_has_avx")();
    const int avx2 = ggml_peer<int (*)(void)>("ggml_cpu_has_avx2")();
    printf("llama.cpp's library: AVX %d, AVX2 %d: %s\n", avx, avx2,
           avx || avx2 ? "its own SIMD order (bound only)" : "generic vec_dot (bit for bit)");
    return !avx && !avx2;
}

void check_dots(const Format &f, bool avx2, bool avx512, bool generic_peer, Rng &rng) {
    const auto *traits = ggml_peer_traits(f.ggml);
    CHECK(traits->vec_dot != nullptr && traits->vec_dot_type == GGML_Q8_K, "%s: peer vec_dot_type %d, want q8_K (15)",
          f.name, (int)traits->vec_dot_type);
    const DotRowFn ref = vane::dot_row_kquant_ref(f.vane);
    const DotRowFn fast = vane::dot_row_kquant_avx2(f.vane);
    const DotRowFn fast512 = vane::dot_row_kquant_avx512(f.vane);
    CHECK(ref != nullptr && fast != nullptr && fast512 != nullptr, "%s: no kernel", f.name);
    if (!ref || !fast || !fast512) return;
    int compared = 0, identical = 0, moved = 0, perturbed = 0;
    double worst_peer = 0.0, worst_avx2 = 0.0, worst_avx512 = 0.0;  // largest |difference| / tolerance
    for (int nb : kRowBlocks) {
        for (int trial = 0; trial < 40; trial++) {
            const bool real = trial % 2 == 1;
            const std::vector<uint8_t> row = make_row(f, nb, rng, real);
            const std::vector<act_q8_k> a = quantize(make_x(nb, rng));
            const double tol = tolerance(f, row, a, nb);
            const float r = ref(row.data(), a.data(), nb);
            const float p = peer_dot(f, row.data(), a.data(), nb);
            CHECK(isfinite(r) && fabs((double)r - p) <= tol, "%s nb=%d trial %d: ref %.9g, llama.cpp %.9g, tolerance %.3g",
                  f.name, nb, trial, r, p, tol);
            CHECK(!generic_peer || bits_of(r) == bits_of(p), "%s nb=%d trial %d: ref %.9g, llama.cpp's generic %.9g",
                  f.name, nb, trial, r, p);
            compared++;
            identical += bits_of(r) == bits_of(p);
            if (tol > 0) worst_peer = fmax(worst_peer, fabs((double)r - p) / tol);
            if (avx2) {
                const float v = fast(row.data(), a.data(), nb);
                CHECK(fabs((double)r - v) <= tol, "%s nb=%d trial %d: avx2 %.9g, ref %.9g, tolerance %.3g", f.name, nb,
                      trial, v, r, tol);
                if (tol > 0) worst_avx2 = fmax(worst_avx2, fabs((double)r - v) / tol);
            }
            if (avx512) {
                const float v = fast512(row.data(), a.data(), nb);
                CHECK(fabs((double)r - v) <= tol, "%s nb=%d trial %d: avx512 %.9g, ref %.9g, tolerance %.3g", f.name, nb,
                      trial, v, r, tol);
                if (tol > 0) worst_avx512 = fmax(worst_avx512, fabs((double)r - v) / tol);
            }
            // (5): the super-block of the largest activation scale with twice its d (exponent
            // + 1): the result moves by about its share.
            int big = 0;
            for (int b = 1; b < nb; b++) big = fabsf(a[b].d) > fabsf(a[big].d) ? b : big;
            const int d_at = (int)f.bytes * big + f.d_off;
            const uint16_t d = vane::get_u16(&row[d_at]);
            if (real && a[big].d != 0.0f && (d & 0x7c00) != 0 && (d & 0x7c00) != 0x7800) {
                std::vector<uint8_t> changed = row;
                vane::put_u16(&changed[d_at], (uint16_t)(d + 0x0400));
                perturbed++;
                const bool ref_moved = fabs((double)ref(changed.data(), a.data(), nb) - p) > tol;
                const bool avx2_moved = !avx2 || fabs((double)fast(changed.data(), a.data(), nb) - p) > tol;
                const bool avx512_moved = !avx512 || fabs((double)fast512(changed.data(), a.data(), nb) - p) > tol;
                moved += ref_moved && avx2_moved && avx512_moved;
            }
        }
    }
    CHECK(perturbed >= 40 && moved >= perturbed * 9 / 10, "%s: the bound let %d of %d changed rows pass", f.name,
          perturbed - moved, perturbed);
    printf("%-7s %d rows: ref == llama.cpp bit for bit in %d; worst |diff| / bound: llama.cpp %.3g, avx2 %.3g, avx512 %.3g\n",
           f.name, compared, identical, worst_peer, worst_avx2, worst_avx512);
}

// (4): NaN, +Inf or -Inf in one element of one block.
void check_non_finite(const Format &f, bool avx2, bool avx512, Rng &rng) {
    const float bad[] = {NAN, INFINITY, -INFINITY};
    for (int nb : kRowBlocks) {
        for (float v : bad) {
            const std::vector<uint8_t> row = make_row(f, nb, rng, true);
            std::vector<float> x = make_x(nb, rng);
            x[rng.u32() % x.size()] = v;
            const std::vector<act_q8_k> a = quantize(x);
            const float r = vane::dot_row_kquant_ref(f.vane)(row.data(), a.data(), nb);
            CHECK(isnan(r), "%s nb=%d: x holds %g, ref gives %g", f.name, nb, v, r);
            if (avx2) {
                const float s = vane::dot_row_kquant_avx2(f.vane)(row.data(), a.data(), nb);
                CHECK(isnan(s), "%s nb=%d: x holds %g, avx2 gives %g", f.name, nb, v, s);
            }
            if (avx512) {
                const float s = vane::dot_row_kquant_avx512(f.vane)(row.data(), a.data(), nb);
                CHECK(isnan(s), "%s nb=%d: x holds %g, avx512 gives %g", f.name, nb, v, s);
            }
        }
    }
}

// (2) for the kernels of 2 .. kDotRows rows of x (AVX-512; IQ4_XS has none): each row's output has the
// bits of the one-row kernel's, a row holding a NaN (or not) as the others do.
void check_rows(const Format &f, Rng &rng) {
    const vane::DotRowsFn rows = vane::dot_rows_kquant_avx512(f.vane);
    const DotRowFn one = vane::dot_row_kquant_avx512(f.vane);
    CHECK((rows != nullptr) == (f.vane != VANE_FORMAT_IQ4_XS), "%s: rows kernel %p", f.name, (const void *)rows);
    if (!rows) return;
    int compared = 0;
    for (int nb : kRowBlocks) {
        for (int trial = 0; trial < 12; trial++) {
            const std::vector<uint8_t> row = make_row(f, nb, rng, trial % 2 == 1);
            std::vector<act_q8_k> a[vane::kDotRows];
            const void *act[vane::kDotRows];
            for (int r = 0; r < vane::kDotRows; r++) {
                std::vector<float> x = make_x(nb, rng);
                if (trial % 4 == 3 && r == trial % vane::kDotRows) x[rng.u32() % x.size()] = NAN;
                a[r] = quantize(x);
                act[r] = a[r].data();
            }
            float out[vane::kDotRows];
            for (float &o : out) o = -12345.5f;
            const int n = 2 + trial % (vane::kDotRows - 1);  // 2 .. kDotRows rows
            rows(row.data(), act, nb, n, out);
            for (int r = n; r < vane::kDotRows; r++) CHECK(out[r] == -12345.5f, "%s: rows kernel of %d wrote out[%d]", f.name, n, r);
            for (int r = 0; r < n; r++) {
                const float want = one(row.data(), act[r], nb);
                CHECK(bits_of(out[r]) == bits_of(want) || (isnan(out[r]) && isnan(want)),
                      "%s nb=%d trial %d row %d: rows kernel %.9g, one-row kernel %.9g", f.name, nb, trial, r, out[r], want);
                compared++;
            }
        }
    }
    printf("%-7s avx512 kernels of 2 .. %d rows: %d outputs as the one-row kernel's\n", f.name, vane::kDotRows, compared);
}

// (3): Vane's q8_K activations against llama.cpp's quantize_row_q8_K_ref, byte for byte.
void check_activations(Rng &rng) {
    const auto peer = ggml_peer<ggml_peer_quantize_t>("quantize_row_q8_K_ref");
    int blocks = 0, zero_blocks = 0;
    for (int trial = 0; trial < 60; trial++) {
        const int nb = kRowBlocks[trial % 4];
        std::vector<float> x = make_x(nb, rng);
        // Extreme blocks: near FLT_MAX, the smallest max whose -127 / max is finite, subnormal
        // elements under a normal max, a tie of magnitudes (+2 after -2: the first sets the sign).
        float *xb = &x[kQK * (rng.u32() % nb)];
        switch (trial % 5) {
            case 0: for (int i = 0; i < kQK; i++) xb[i] = (float)(rng.normal() * 1e37); xb[7] = FLT_MAX; break;
            case 1: for (int i = 0; i < kQK; i++) xb[i] = (float)(rng.normal() * 1e-37); xb[3] = 4e-37f; break;
            case 2: for (int i = 0; i < kQK; i++) xb[i] = (float)(rng.normal() * 1e-40); xb[200] = -1e-30f; break;
            case 3: for (int i = 0; i < kQK; i++) xb[i] = (float)rng.normal(); xb[5] = -9.0f; xb[100] = 9.0f; break;
            default: break;
        }
        const std::vector<act_q8_k> ours = quantize(x);
        std::vector<act_q8_k> theirs(nb);
        memset(theirs.data(), 0xAB, nb * sizeof(act_q8_k));
        peer(x.data(), theirs.data(), kQK * nb);
        for (int b = 0; b < nb; b++) {
            blocks++;
            bool zero = true;
            for (int i = 0; i < kQK; i++) zero = zero && x[kQK * b + i] == 0.0f;
            zero_blocks += zero;
            const size_t head = offsetof(act_q8_k, bsums);
            CHECK(memcmp(&ours[b], &theirs[b], zero ? head : sizeof(act_q8_k)) == 0,
                  "trial %d block %d: q8_K bytes differ from llama.cpp's (d %.9g vs %.9g)", trial, b, ours[b].d,
                  theirs[b].d);
            if (zero) {
                bool sums_zero = true;
                for (int g = 0; g < 16; g++) sums_zero = sums_zero && ours[b].bsums[g] == 0;
                CHECK(sums_zero && ours[b].d == 0.0f, "trial %d block %d: an all-zero block has d %g or bsums != 0", trial,
                      b, ours[b].d);
            }
        }
    }
    CHECK(zero_blocks > 0 && zero_blocks < blocks, "activation test data: %d zero blocks of %d", zero_blocks, blocks);
    printf("q8_K activations: %d blocks (%d all zero) byte for byte as llama.cpp's\n", blocks, zero_blocks);
}

void check_tables() {
    for (const Format &f : kFormats) {
        CHECK(vane::dot_row_kquant_ref(f.vane) != nullptr, "%s: no reference kernel", f.name);
        CHECK(vane::dot_row_kquant_avx2(f.vane) != nullptr, "%s: no avx2 kernel", f.name);
        CHECK(vane::dot_row_kquant_avx512(f.vane) != nullptr, "%s: no avx512 kernel", f.name);
    }
    for (int32_t other : std::initializer_list<int32_t>{VANE_FORMAT_F32, VANE_FORMAT_Q4_0, VANE_FORMAT_Q8_0, VANE_FORMAT_Q4_1, VANE_FORMAT_IQ4_NL,
                          VANE_FORMAT_MXFP4, -1, 1000}) {
        CHECK(vane::dot_row_kquant_ref(other) == nullptr && vane::dot_row_kquant_avx2(other) == nullptr &&
                  vane::dot_row_kquant_avx512(other) == nullptr && vane::dot_rows_kquant_avx512(other) == nullptr,
              "format %d: a K-quant kernel", other);
    }
}

}  // namespace

int main() {
    const bool avx2 = compare_avx2_variant();
    const bool avx512 = compare_variant(VANE_ISA_AVX512);
    Rng rng(12);
    check_tables();
    check_activations(rng);
    const bool generic_peer = peer_is_generic();
    for (const Format &f : kFormats) {
        check_dots(f, avx2, avx512, generic_peer, rng);
        check_non_finite(f, avx2, avx512, rng);
        if (avx512) check_rows(f, rng);
    }
    return finish("test_ggml_dot_kquant");
}
