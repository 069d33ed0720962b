// Batch invariance of the GEMM: row i of y = x * W^T + bias must be bit for bit the same whatever
// the number of rows M of the call and whatever row of the call x_i is. Continuous batching relies
// on it: a request decoded beside others (greedy sampling) must get exactly the tokens it gets
// alone, and a last-bit difference flips an argmax on a flat distribution. For every variant the
// CPU has and each covered weight format: seeded random W, x and bias, y poisoned first, y for
// M = 1, 2, 3, 8, 9, 16, 17, 40, 64, 130 (around every kernel switch: M = 1, the small batches up
// to 8 and 16, the tiles above), each row against the M = 1 call on that row alone. k = 4352 is
// one 4096-column slice and one more odd octet (also 1152 and 8448, kKs); n = 72 is 9 groups of 8
// (an odd last pair).
//
// The float formats are run too and only reported (a note, not a failure), so the list of
// covered formats can grow.
#include <math.h>
#include <string.h>

#include <vector>

#include "check.h"
#include "vane.h"

namespace {

// Formats whose GEMM each variant computes in one order per row, whatever M is: every quantized
// one. The integer formats (int4_*, int8_*, q4_0, q8_0, q4_0x8) since the x86 kernels share one
// order (gemm/x86_int_blocks.h); GGUF's other formats (q4_1 ... iq4_nlx8) were already (their
// kernels of several x rows sum each row as the one-row kernel does). Not the float formats (f32,
// f16, bf16, fp8: their GEMV sums along k in lanes, their tiled GEMM in panels): only reported.
bool covered(int32_t f) { return f >= VANE_FORMAT_INT4_SYM_G32; }
constexpr int64_t kMs[] = {1, 2, 3, 8, 9, 16, 17, 40, 64, 130};
constexpr int64_t kMaxM = 130, kN = 72, kLdy = kN + 3;
// Every format takes 4352; 1152 (4.5 octets of 8 blocks, one slice) and 8448 (slices of 4096,
// 4096, 256) those whose blocks divide it.
constexpr int64_t kKs[] = {4352, 1152, 8448};

// Rows of y (of M calls, against M = 1) whose bits differ, for one format on the active variant.
int64_t differing_rows(int32_t isa, int32_t format, int64_t kK, Rng &rng) {
    std::vector<float> src(kN * kK), x(kMaxM * kK), bias(kN);
    for (float &v : src) v = (float)rng.normal();
    for (float &v : x) v = (float)rng.normal();
    for (float &v : bias) v = (float)rng.normal();
    int64_t bytes = 0;
    if (kK != 4352 && vane_quant_size(format, kN, kK, &bytes) != VANE_OK) return 0;  // blocks do not divide k
    CHECK(vane_quant_size(format, kN, kK, &bytes) == VANE_OK, "%s", vane_last_error());
    std::vector<uint8_t> w((size_t)bytes);
    CHECK(vane_quant_quantize(format, src.data(), kN, kK, w.data(), bytes) == VANE_OK, "%s", vane_last_error());

    std::vector<float> alone(kMaxM * kLdy, NAN);  // row i computed alone (M = 1)
    for (int64_t i = 0; i < kMaxM; i++)
        CHECK(vane_gemm(format, w.data(), bytes, kN, kK, x.data() + i * kK, kK, 1, bias.data(), alone.data() + i * kLdy, kLdy) == VANE_OK,
              "%s", vane_last_error());
    int64_t bad = 0;
    for (int64_t m : kMs) {
        std::vector<float> y(m * kLdy, NAN);  // poisoned: every output must be written
        CHECK(vane_gemm(format, w.data(), bytes, kN, kK, x.data(), kK, m, bias.data(), y.data(), kLdy) == VANE_OK, "%s",
              vane_last_error());
        int64_t bad_m = 0, first = -1;
        for (int64_t i = 0; i < m; i++)
            if (memcmp(&y[i * kLdy], &alone[i * kLdy], kN * sizeof(float)) != 0 && bad_m++ == 0) first = i;
        if (bad_m > 0 && covered(format)) {
            int64_t j = 0;
            while (memcmp(&y[first * kLdy + j], &alone[first * kLdy + j], sizeof(float)) == 0) j++;
            CHECK(false, "%s format %d k=%lld M=%lld: %lld rows differ from M = 1; row %lld: y[%lld] = %.9g, alone %.9g",
                  vane::isa_name(isa), format, (long long)kK, (long long)m, (long long)bad_m, (long long)first, (long long)j,
                  y[first * kLdy + j], alone[first * kLdy + j]);
        }
        bad += bad_m;
    }
    return bad;
}

}  // namespace

int main() {
    double t0 = now_s();
    vane_cpu_info cpu;
    vane_cpu_features(&cpu);
    const int32_t original_isa = cpu.active, original_threads = vane_get_threads();
    std::vector<int32_t> isas = {VANE_ISA_BASELINE};
    if (compare_avx2_variant()) isas.push_back(VANE_ISA_AVX2);
    if (compare_variant(VANE_ISA_AVX512)) isas.push_back(VANE_ISA_AVX512);
    vane_set_threads(2);
    for (int32_t isa : isas) {
        CHECK(vane_cpu_select(isa) == VANE_OK, "%s", vane_last_error());
        for (int32_t format = VANE_FORMAT_F32; format <= VANE_FORMAT_IQ4_NL_X8; format++) {
            for (int64_t k : kKs) {
                Rng rng(7000 + format);
                const int64_t bad = differing_rows(isa, format, k, rng);
                if (bad > 0)
                    printf("%s: %s format %d k=%lld not batch-invariant (%lld rows differ from M = 1)\n",
                           covered(format) ? "FAIL" : "note", vane::isa_name(isa), format, (long long)k, (long long)bad);
            }
        }
    }
    vane_cpu_select(original_isa);
    vane_set_threads(original_threads);
    printf("test_gemm_invariance: %s in %.1f s\n", g_failures == 0 ? "PASS" : "FAIL", now_s() - t0);
    return finish("test_gemm_invariance");
}
