// The AVX-512 prepare step of the integer formats (gemm/x86_avx512_prepare.cpp) against the
// shared one (gemm/prepare.cpp, the reference layout): the whole scratch, byte for byte, for
// both q layouts (pairs, m <= kGemmPairsMaxM; lanes above), k with padding blocks, row ranges
// that start and end mid-call, and blocks of edge values: NaN, +-Inf, all zeros, -0, subnormals,
// ties (x / d exactly half-way), the largest floats, one large value among tiny ones.
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vector>

#include "check.h"
#include "gemm/gemm.h"
#include "gemm/x86_avx512.h"
#include "quant/quant.h"

namespace {

// Fills block b (32 floats) of x with one of the edge patterns or seeded normals.
void fill_block(float *x, Rng &rng) {
    const uint32_t kind = rng.u32() % 12;
    for (int e = 0; e < 32; e++) x[e] = (float)rng.normal() * (float)pow(2.0, (int)(rng.u32() % 9) - 4);
    switch (kind) {
        case 0: x[rng.u32() % 32] = NAN; break;
        case 1: x[rng.u32() % 32] = (rng.u32() & 1) ? INFINITY : -INFINITY; break;
        case 2: for (int e = 0; e < 32; e++) x[e] = (e & 1) ? -0.0f : 0.0f; break;
        case 3: for (int e = 0; e < 32; e++) x[e] = float_of(rng.u32() % 0x800000u | ((rng.u32() & 1) << 31)); break;  // subnormals
        case 4: {  // ties: amax 127 gives d = 1, so x.5 is half-way
            for (int e = 0; e < 32; e++) x[e] = (float)((int)(rng.u32() % 254) - 127) + 0.5f;
            x[0] = 127.0f;
            break;
        }
        case 5: for (int e = 0; e < 32; e++) x[e] = (rng.u32() & 1) ? 3.4e38f : -3.4e38f; break;
        case 6: for (int e = 0; e < 32; e++) x[e] = 1e-30f * (float)rng.normal(); x[rng.u32() % 32] = 1e30f; break;
        default: break;
    }
}

void compare(int32_t format, int64_t m, int64_t k, int64_t m0, int64_t m1, uint64_t seed) {
    Rng rng(seed);
    const int64_t ldx = k + (int64_t)(rng.u32() % 3);
    std::vector<float> x((size_t)(m * ldx));
    for (int64_t i = 0; i < m; i++)
        for (int64_t b = 0; b + 32 <= k; b += 32) fill_block(&x[(size_t)(i * ldx + b)], rng);
    const int64_t bytes = vane::gemm_scratch_bytes(format, m, k);
    std::vector<uint8_t> want((size_t)bytes, 0xA5), got((size_t)bytes, 0xA5);  // poisoned the same way
    vane::GemmArgs a{};
    a.format = format;
    a.m = m;
    a.k = k;
    a.x = x.data();
    a.ldx = ldx;
    a.scratch = want.data();
    vane::gemm_prepare(a, m0, m1);
    a.scratch = got.data();
    vane::gemm_prepare_avx512(a, m0, m1);
    int64_t differ = 0, first = -1;
    for (int64_t e = 0; e < bytes; e++)
        if (want[(size_t)e] != got[(size_t)e]) {
            if (first < 0) first = e;
            differ++;
        }
    CHECK(differ == 0, "format %d m %lld k %lld rows [%lld, %lld): %lld of %lld scratch bytes differ, first at %lld", format,
          (long long)m, (long long)k, (long long)m0, (long long)m1, (long long)differ, (long long)bytes, (long long)first);
}

}  // namespace

int main() {
    if (!compare_variant(VANE_ISA_AVX512)) return finish("test_gemm_prepare");
    const int32_t formats[] = {VANE_FORMAT_Q4_0, VANE_FORMAT_Q8_0, VANE_FORMAT_Q4_0_X8, VANE_FORMAT_INT4_SYM_G128,
                               VANE_FORMAT_INT4_ASYM_G32, VANE_FORMAT_INT8_G32};
    uint64_t seed = 1;
    for (int32_t format : formats)
        for (int64_t m : {1, 2, 3, 8, 9, 16, 17, 40})
            for (int64_t k : {32, 96, 256, 288, 2048, 2080}) {
                if (k % vane::format_traits(format)->block_elems != 0) continue;
                compare(format, m, k, 0, m, seed++);
                if (m > 2) compare(format, m, k, 1, m - 1, seed++);  // a range inside the call
            }
    return finish("test_gemm_prepare");
}
