// Dot kernels of GGUF's 32-element formats (gemm/ggml_dot.h: q4_1, q5_0, q5_1, iq4_nl, mxfp4)
// and their activation blocks, against this file's own decoding and llama.cpp's library:
//   (0) the reference kernel is within the f32 rounding bound of the exact dot product of the
//       blocks as this file decodes them (ggml-common.h's layouts, written out again here);
//   (1) the reference equals llama.cpp's vec_dot (type_traits_cpu) on the same bytes, within the
//       bound of two f32 summation orders (its vec_dot_type must be q8_0 = 8 or q8_1 = 9);
//   (2) the AVX2 kernel equals the reference within the same bound (when the CPU has AVX2 and
//       VANE_CPU does not force the baseline), and so does the AVX-512 one (when the CPU has
//       AVX-512 and VANE_CPU does not force a lower variant), whose kernel of 2 .. kDotRows rows of x
//       gives each row the bits of its one-row kernel;
//   (3) quantize_act_q8_0 / q8_1 give the bytes of llama.cpp's quantize_row_q8_0_ref / q8_1_ref
//       on finite x;
//   (4) a NaN or an Inf in x makes both kernels' result NaN;
//   and the bound is tight enough to see one code changed by one step.
// Weights: random bytes with finite fp16 scales (mxfp4: exponents in a finite-result range, and
// the extreme exponents on small activations), and blocks from llama.cpp's quantize_row_*_ref.
// Rows of 1, 2, 3, 8, 33 and 128 blocks.
//
// The bound. Per block both sides compute p = d_w * d_a rounded to f32 the same way and an exact
// integer dot product Q (|Q| < 2^24, so float(Q) is exact); they differ only in how the terms
// p * Q (and m_w * s_a) are rounded and summed: the reference adds them one after the other
// (nb + 2 roundings deep), the AVX2 kernel as p * lane sums in 8 lanes with fma, then across
// lanes (at most nb / 4 + 8 deep), llama.cpp's in its own order. Each result is within
// gamma_(nb + 8) * T of the exact value, T = sum over blocks of |p| * sum_j |c_j q_j| + |m_w s_a|
// (T bounds every partial sum of every order), plus 2^-150 per rounding where the terms are
// subnormal; so two results differ by at most (nb + 8) * 2^-23 * T + (nb + 8) * 2^-149.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <vector>

#include "check.h"
#include "gemm/ggml_dot.h"
#include "ggml_peer.h"
#include "quant/scalar.h"
#include "vane.h"

namespace {

using vane::act_q8_0;
using vane::act_q8_1;
using vane::DotRowFn;

struct Format {
    int32_t vane, ggml;
    const char *name;
    int bytes;        // weight block
    bool q8_1;        // activation blocks q8_1 (else q8_0)
    const char *ref;  // llama.cpp's quantizer of the format
};
const Format kFormats[] = {
    {VANE_FORMAT_Q4_1, GGML_Q4_1, "q4_1", 20, true, "quantize_row_q4_1_ref"},
    {VANE_FORMAT_Q5_0, GGML_Q5_0, "q5_0", 22, false, "quantize_row_q5_0_ref"},
    {VANE_FORMAT_Q5_1, GGML_Q5_1, "q5_1", 24, true, "quantize_row_q5_1_ref"},
    {VANE_FORMAT_IQ4_NL, GGML_IQ4_NL, "iq4_nl", 18, false, "quantize_row_iq4_nl_ref"},
    {VANE_FORMAT_MXFP4, GGML_MXFP4, "mxfp4", 17, false, "quantize_row_mxfp4_ref"},
};
const int kRowBlocks[] = {1, 2, 3, 8, 33, 128};

// ggml-common.h's kvalues_iq4nl and kvalues_mxfp4.
const int kIq4[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
const int kMx4[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

float h2f(const uint8_t *p) { return vane::f16_bits_to_f32(vane::get_u16(p)); }

// Element j of a block's 16 nibble bytes (low nibbles first, then high ones).
int nib(const uint8_t *qs, int j) { return j < 16 ? qs[j] & 15 : qs[j - 16] >> 4; }

// One weight block as this test reads ggml's layout: its scale, min and 32 integer codes.
struct Block {
    float d = 0.0f;      // d (mxfp4: 2^(e - 128), the factor of its doubled values)
    float m = 0.0f;      // q4_1 / q5_1 min
    int c[32];
};

Block decode(const Format &f, const uint8_t *b) {
    Block o;
    uint32_t qh = 0;
    switch (f.vane) {
        case VANE_FORMAT_Q4_1:
            o.d = h2f(b), o.m = h2f(b + 2);
            for (int j = 0; j < 32; j++) o.c[j] = nib(b + 4, j);
            break;
        case VANE_FORMAT_Q5_0:
            o.d = h2f(b);
            memcpy(&qh, b + 2, 4);
            for (int j = 0; j < 32; j++) o.c[j] = nib(b + 6, j) + 16 * (int)((qh >> j) & 1) - 16;
            break;
        case VANE_FORMAT_Q5_1:
            o.d = h2f(b), o.m = h2f(b + 2);
            memcpy(&qh, b + 4, 4);
            for (int j = 0; j < 32; j++) o.c[j] = nib(b + 8, j) + 16 * (int)((qh >> j) & 1);
            break;
        case VANE_FORMAT_IQ4_NL:
            o.d = h2f(b);
            for (int j = 0; j < 32; j++) o.c[j] = kIq4[nib(b + 2, j)];
            break;
        case VANE_FORMAT_MXFP4:
            o.d = ldexpf(1.0f, (int)b[0] - 128);
            for (int j = 0; j < 32; j++) o.c[j] = kMx4[nib(b + 1, j)];
            break;
    }
    return o;
}

// An activation row: the blocks of one format's activation type, as bytes.
struct Act {
    std::vector<uint8_t> bytes;
    int stride = 0;
    float d(int64_t b) const { return h2f(&bytes[b * stride]); }
    float s(int64_t b) const { return h2f(&bytes[b * stride + 2]); }  // q8_1 only
    const int8_t *q(int64_t b) const { return (const int8_t *)&bytes[b * stride + stride - 32]; }
};

Act quantize_act(const Format &f, const std::vector<float> &x) {
    const int64_t nb = (int64_t)x.size() / 32;
    Act a;
    a.stride = f.q8_1 ? (int)sizeof(act_q8_1) : (int)sizeof(act_q8_0);
    a.bytes.assign(nb * a.stride, 0xA5);
    if (f.q8_1) vane::quantize_act_q8_1(x.data(), (act_q8_1 *)a.bytes.data(), (int64_t)x.size());
    else vane::quantize_act_q8_0(x.data(), (act_q8_0 *)a.bytes.data(), (int64_t)x.size());
    return a;
}

// The exact value (in double, from the f32 block products both sides round alike), T and the
// bound of (nb + 8) roundings deep.
struct Exact {
    double value = 0.0, t = 0.0;
    double bound(int depth) const { return depth * 0x1p-24 * t + depth * 0x1p-150; }
};

Exact exact_dot(const Format &f, const uint8_t *w, const Act &a, int64_t nb) {
    Exact e;
    for (int64_t b = 0; b < nb; b++) {
        const Block k = decode(f, w + b * f.bytes);
        const float p = f.vane == VANE_FORMAT_MXFP4 ? a.d(b) * k.d : k.d * a.d(b);
        int64_t q = 0, qa = 0;
        for (int j = 0; j < 32; j++) {
            q += (int64_t)k.c[j] * a.q(b)[j];
            qa += llabs((int64_t)k.c[j] * a.q(b)[j]);
        }
        e.value += (double)p * (double)q;
        e.t += fabs((double)p) * (double)qa;
        if (f.q8_1) {
            e.value += (double)k.m * (double)a.s(b);
            e.t += fabs((double)k.m * (double)a.s(b));
        }
    }
    return e;
}

// Two f32 results agree: both NaN, the same infinity, or within tol.
bool agree(float a, float b, double tol) {
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
    if (isinf(a) || isinf(b)) return a == b;
    return fabs((double)a - (double)b) <= tol;
}

struct Kernels {
    DotRowFn ref, avx2, avx512;  // avx2, avx512: nullptr when not compared
    vane::DotRowsFn rows512;
    ggml_peer_vec_dot_t peer;
};

int g_identical = 0, g_compared = 0;  // reference results bit-identical to llama.cpp's

// Checks (0)-(2) on one weight row and activation row.
void check_row(const Format &f, const Kernels &k, const uint8_t *w, const Act &a, int64_t nb, const char *what) {
    const Exact e = exact_dot(f, w, a, nb);
    const float ref = k.ref(w, a.bytes.data(), nb);
    float peer = NAN;
    k.peer((int)(nb * 32), &peer, 0, w, 0, a.bytes.data(), 0, 1);
    const double tol = e.bound(2 * (int)(nb + 8));
    CHECK(agree(ref, (float)e.value, e.bound((int)nb + 8)), "%s %s nb=%lld: ref %.9g, exact %.17g (T %g)", f.name,
          what, (long long)nb, ref, e.value, e.t);
    CHECK(agree(ref, peer, tol), "%s %s nb=%lld: ref %.9g, llama.cpp %.9g (tol %g)", f.name, what, (long long)nb, ref,
          peer, tol);
    g_compared++;
    g_identical += bits_of(ref) == bits_of(peer);
    if (k.avx2) {
        const float avx = k.avx2(w, a.bytes.data(), nb);
        CHECK(agree(avx, ref, tol), "%s %s nb=%lld: avx2 %.9g, ref %.9g (tol %g)", f.name, what, (long long)nb, avx, ref,
              tol);
    }
    if (k.avx512) {
        const float avx = k.avx512(w, a.bytes.data(), nb);
        CHECK(agree(avx, ref, tol), "%s %s nb=%lld: avx512 %.9g, ref %.9g (tol %g)", f.name, what, (long long)nb, avx,
              ref, tol);
    }
}

std::vector<float> random_x(Rng &rng, int64_t n, double amp) {
    std::vector<float> x(n);
    for (auto &v : x) v = (float)(amp * rng.normal());
    return x;
}

// A random finite fp16 (any exponent but the Inf/NaN one).
uint16_t random_f16(Rng &rng) {
    for (;;) {
        const uint16_t h = (uint16_t)rng.u32();
        if ((h & 0x7c00) != 0x7c00) return h;
    }
}

// nb weight blocks of random bytes with finite scales; mxfp4 exponents in [lo, hi].
std::vector<uint8_t> random_blocks(const Format &f, Rng &rng, int64_t nb, int e_lo = 100, int e_hi = 150) {
    std::vector<uint8_t> w(nb * f.bytes);
    for (auto &v : w) v = (uint8_t)rng.u32();
    for (int64_t b = 0; b < nb; b++) {
        uint8_t *blk = &w[b * f.bytes];
        if (f.vane == VANE_FORMAT_MXFP4) {
            blk[0] = (uint8_t)(e_lo + rng.u32() % (uint32_t)(e_hi - e_lo + 1));
            continue;
        }
        vane::put_u16(blk, random_f16(rng));
        if (f.q8_1) vane::put_u16(blk + 2, random_f16(rng));
    }
    return w;
}

std::vector<uint8_t> quantized_blocks(const Format &f, Rng &rng, int64_t nb, double amp) {
    const std::vector<float> x = random_x(rng, nb * 32, amp);
    std::vector<uint8_t> w(nb * f.bytes, 0xA5);
    ggml_peer<ggml_peer_quantize_t>(f.ref)(x.data(), w.data(), nb * 32);
    return w;
}

// Activation amplitudes (1e-4: fp16-subnormal d_a) and a row with zero blocks.
const double kAmps[] = {1e-4, 0.02, 1.0, 10.0};

// The AVX-512 kernel of n (2 .. kDotRows) rows on w against rows a[0 .. n): each output the
// one-row kernel's, and out[n ..) untouched.
void check_rows(const Format &f, const Kernels &k, const uint8_t *w, const Act *a, int64_t nb, int n) {
    const void *act[vane::kDotRows];
    for (int r = 0; r < n; r++) act[r] = a[r].bytes.data();
    float out[vane::kDotRows];
    for (float &o : out) o = -12345.5f;
    k.rows512(w, act, nb, n, out);
    for (int r = n; r < vane::kDotRows; r++) CHECK(out[r] == -12345.5f, "%s: rows kernel of %d wrote out[%d]", f.name, n, r);
    for (int r = 0; r < n; r++) {
        const float want = k.avx512(w, act[r], nb);
        CHECK(bits_of(out[r]) == bits_of(want) || (isnan(out[r]) && isnan(want)),
              "%s nb=%lld row %d: rows kernel %.9g, one-row kernel %.9g", f.name, (long long)nb, r, out[r], want);
    }
}

void test_format(const Format &f, bool avx2, bool avx512, Rng &rng) {
    const ggml_peer_traits_cpu *traits = ggml_peer_traits(f.ggml);
    const int32_t want = f.q8_1 ? GGML_Q8_1 : GGML_Q8_0;
    CHECK(traits && traits->vec_dot && traits->vec_dot_type == want, "%s: llama.cpp's vec_dot_type %d, expected %d",
          f.name, traits ? traits->vec_dot_type : -1, want);
    if (!traits || !traits->vec_dot || traits->vec_dot_type != want) return;
    const Kernels k = {vane::dot_row_legacy_ref(f.vane), avx2 ? vane::dot_row_legacy_avx2(f.vane) : nullptr,
                       avx512 ? vane::dot_row_legacy_avx512(f.vane) : nullptr,
                       avx512 ? vane::dot_rows_legacy_avx512(f.vane) : nullptr, traits->vec_dot};
    CHECK(k.ref != nullptr, "%s: no reference kernel", f.name);
    CHECK(!avx2 || k.avx2 != nullptr, "%s: no avx2 kernel", f.name);
    CHECK(!avx512 || (k.avx512 != nullptr && k.rows512 != nullptr), "%s: no avx512 kernel", f.name);
    if (!k.ref || (avx2 && !k.avx2) || (avx512 && (!k.avx512 || !k.rows512))) return;

    for (int64_t nb : kRowBlocks) {
        for (int trial = 0; trial < 6; trial++) {
            const double amp = kAmps[trial % 4];
            std::vector<float> x = random_x(rng, nb * 32, amp);
            if (trial == 5 && nb > 1)  // a zero block (d_a = 0) and one of large outliers
                for (int j = 0; j < 32; j++) x[j] = 0.0f, x[32 + j] *= 50.0f;
            const Act a = quantize_act(f, x);
            const std::vector<uint8_t> wr = random_blocks(f, rng, nb);
            check_row(f, k, wr.data(), a, nb, "random blocks");
            check_row(f, k, quantized_blocks(f, rng, nb, 0.1 + trial).data(), a, nb, "quantized blocks");
            if (k.rows512) {  // a, then rows of the other amplitudes (one with a NaN)
                Act rows[vane::kDotRows] = {a};
                for (int r = 1; r < vane::kDotRows; r++) {
                    std::vector<float> xr = random_x(rng, nb * 32, kAmps[(trial + r) % 4]);
                    if (r == 3 && trial % 2 == 1) xr[rng.u32() % (uint32_t)(nb * 32)] = NAN;
                    rows[r] = quantize_act(f, xr);
                }
                for (int n = 2; n <= vane::kDotRows; n++) check_rows(f, k, wr.data(), rows, nb, n);
            }
        }
    }

    // mxfp4's extreme exponents (2^-128 and 2^-127 are f32 subnormals; 255 reads as 2^127) on
    // small activations, so the results stay finite.
    if (f.vane == VANE_FORMAT_MXFP4) {
        const int es[] = {0, 1, 2, 3, 127, 128, 253, 254, 255};
        for (int64_t nb : kRowBlocks) {
            std::vector<uint8_t> w = random_blocks(f, rng, nb);
            for (double amp : {1e-5, 1.0}) {  // 1.0: the small exponents only
                const Act a = quantize_act(f, random_x(rng, nb * 32, amp));
                for (int64_t b = 0; b < nb; b++) w[b * f.bytes] = (uint8_t)(amp < 1 ? es[rng.u32() % 9] : es[rng.u32() % 4]);
                check_row(f, k, w.data(), a, nb, "extreme exponents");
            }
        }
    }

    // The bound sees one code changed by one step (element j of the block of largest scale,
    // where |q| is largest), so (0)-(2) would catch it.
    {
        const int64_t nb = 33;
        std::vector<uint8_t> w = quantized_blocks(f, rng, nb, 1.0);
        const Act a = quantize_act(f, random_x(rng, nb * 32, 1.0));
        const Exact e = exact_dot(f, w.data(), a, nb);
        int64_t best = 0;
        for (int64_t b = 1; b < nb; b++)
            if (fabsf(decode(f, &w[b * f.bytes]).d * a.d(b)) > fabsf(decode(f, &w[best * f.bytes]).d * a.d(best))) best = b;
        int jbest = 0;
        for (int j = 1; j < 16; j++)
            if (abs(a.q(best)[j]) > abs(a.q(best)[jbest])) jbest = j;
        const float before = k.ref(w.data(), a.bytes.data(), nb);
        const int qs_at = f.bytes - 16;
        w[best * f.bytes + qs_at + jbest] ^= 1;  // low nibble of byte j: element j, one step
        const float after = k.ref(w.data(), a.bytes.data(), nb);
        const double tol = e.bound(2 * (int)(nb + 8));
        CHECK(fabs((double)after - (double)before) > tol, "%s: one changed code moves the dot by %g, not above the bound %g",
              f.name, fabs((double)after - (double)before), tol);
    }

    // (4) NaN / Inf in x: the block is marked, the row's dot is NaN.
    for (int64_t nb : kRowBlocks) {
        for (float bad : {NAN, INFINITY, -INFINITY}) {
            std::vector<float> x = random_x(rng, nb * 32, 1.0);
            x[rng.u32() % (uint32_t)(nb * 32)] = bad;
            const Act a = quantize_act(f, x);
            const std::vector<uint8_t> w = quantized_blocks(f, rng, nb, 1.0);
            const float r = k.ref(w.data(), a.bytes.data(), nb);
            CHECK(isnan(r), "%s nb=%lld x holds %g: ref %g, not NaN", f.name, (long long)nb, bad, r);
            if (k.avx2) {
                const float v = k.avx2(w.data(), a.bytes.data(), nb);
                CHECK(isnan(v), "%s nb=%lld x holds %g: avx2 %g, not NaN", f.name, (long long)nb, bad, v);
            }
            if (k.avx512) {
                const float v = k.avx512(w.data(), a.bytes.data(), nb);
                CHECK(isnan(v), "%s nb=%lld x holds %g: avx512 %g, not NaN", f.name, (long long)nb, bad, v);
            }
        }
    }
}

// (3) The activation blocks are llama.cpp's bytes for finite x: random rows of several
// amplitudes (d_a fp16-subnormal at 1e-6, fp16 Inf at 1e7), zero blocks, exact ties.
void test_act_bytes(Rng &rng) {
    const ggml_peer_quantize_t q8_0 = ggml_peer<ggml_peer_quantize_t>("quantize_row_q8_0_ref");
    const ggml_peer_quantize_t q8_1 = ggml_peer<ggml_peer_quantize_t>("quantize_row_q8_1_ref");
    const double amps[] = {1e-6, 1e-3, 1.0, 300.0, 1e7};
    for (int64_t nb : kRowBlocks) {
        for (int trial = 0; trial < 7; trial++) {
            std::vector<float> x = random_x(rng, nb * 32, amps[trial % 5]);
            if (trial == 5) x.assign(nb * 32, 0.0f);
            if (trial == 6)  // halves: x * id lands on .5 (roundf rounds them away from zero)
                for (int64_t i = 0; i < nb * 32; i++) x[i] = (float)((int)(rng.u32() % 255) - 127) + (i % 32 == 0 ? 0.0f : 0.5f);
            std::vector<uint8_t> mine(nb * sizeof(act_q8_0), 0xA5), theirs(nb * sizeof(act_q8_0), 0x5A);
            vane::quantize_act_q8_0(x.data(), (act_q8_0 *)mine.data(), nb * 32);
            q8_0(x.data(), theirs.data(), nb * 32);
            CHECK(mine == theirs, "q8_0 activation bytes differ from llama.cpp's (nb=%lld trial %d)", (long long)nb, trial);
            std::vector<uint8_t> mine1(nb * sizeof(act_q8_1), 0xA5), theirs1(nb * sizeof(act_q8_1), 0x5A);
            vane::quantize_act_q8_1(x.data(), (act_q8_1 *)mine1.data(), nb * 32);
            q8_1(x.data(), theirs1.data(), nb * 32);
            CHECK(mine1 == theirs1, "q8_1 activation bytes differ from llama.cpp's (nb=%lld trial %d)", (long long)nb, trial);
        }
    }
}

}  // namespace

int main() {
    vane_cpu_info cpu;
    CHECK(vane_cpu_features(&cpu) == VANE_OK, "%s", vane_last_error());
    const uint32_t need = VANE_CPU_AVX2 | VANE_CPU_FMA | VANE_CPU_F16C;
    const bool avx2 = (cpu.features & need) == need && cpu.active != VANE_ISA_BASELINE;
    if (!avx2) printf("note: AVX2 kernels not compared (%s)\n", (cpu.features & need) == need ? cpu.reason : "CPU lacks AVX2/FMA/F16C");
    const bool avx512 = compare_variant(VANE_ISA_AVX512);
    Rng rng(1212);
    for (const Format &f : kFormats) test_format(f, avx2, avx512, rng);
    test_act_bytes(rng);
    printf("note: %d of %d reference results bit-identical to llama.cpp's vec_dot\n", g_identical, g_compared);
    return finish("test_ggml_dot_legacy");
}
