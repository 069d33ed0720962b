// AVX-512 variant of the machine probes (this file alone is compiled with the AVX-512 flags).
// Everything except the exported table has internal linkage, in a namespace of its own so tools
// that map symbols to objects (check_baseline_isa.py) can tell it from the other variants.
//
//  - read_sum: the AVX2 variant's loop (256-bit loads). The same loop on 512-bit loads read at
//    0.56x its speed on the 2-vCPU Zen 5 VM (35 against 63 GB/s, 1 GiB, 2 threads; 2026-12-06),
//    and the read ceiling is the best the CPU can stream, whatever the load width.
//  - fma_loop: 12 independent chains of acc = fma(acc, x, y) (vfmadd zmm), 16 lanes each. One
//    FMA = 16 lanes x 2 flops = 32 flops; one iteration = 12 FMAs = 384 flops. Zen 4 splits a
//    zmm FMA into two 256-bit halves and Zen 5 / Intel run two full ones per cycle: 12 chains
//    cover a 4-cycle latency at 2 per cycle with a margin either way.
//  - int8_dot_loop: the int8 GEMM inner step on VNNI: vpdpbusd (64 u8 x s8 products, summed in
//    fours straight into 16 int32 accumulators). One step = 64 multiply-adds = 128 ops; one
//    iteration = 12 independent chains = 1536 ops. vpdpbusd carries its accumulator (latency 4-5
//    cycles), so unlike AVX2's 3-instruction step it needs as many chains as the FMA loop.
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "probe.h"

namespace vane {

namespace {
namespace avx512 {

float fma_loop_avx512(int64_t iters) {
    // acc -> acc * 0.5 + 1 converges to 2: every value stays a normal float (no slow subnormals).
    const __m512 x = _mm512_set1_ps(0.5f), y = _mm512_set1_ps(1.0f);
    __m512 a[12];
    for (int k = 0; k < 12; ++k) a[k] = _mm512_set1_ps((float)k);
    for (int64_t it = 0; it < iters; ++it) {
        for (int k = 0; k < 12; ++k) a[k] = _mm512_fmadd_ps(a[k], x, y);
    }
    __m512 s = a[0];
    for (int k = 1; k < 12; ++k) s = _mm512_add_ps(s, a[k]);
    float lanes[16];
    _mm512_storeu_ps(lanes, s);
    float r = 0.0f;
    for (float l : lanes) r += l;
    return r;
}

uint32_t dot_loop_avx512(int64_t iters) {
    // u8 activations and s8 weights as vpdpbusd takes them (its sums are exact int32: no saturation).
    const __m512i a0 = _mm512_set1_epi8(1), a1 = _mm512_set1_epi8(2), a2 = _mm512_set1_epi8(3);
    const __m512i a3 = _mm512_set1_epi8(4), b0 = _mm512_set1_epi8(-3), b1 = _mm512_set1_epi8(5), b2 = _mm512_set1_epi8(7);
    // Named accumulators, not an array: an array lives in memory, and GCC stores it back on every
    // iteration around the asm statements.
    __m512i c0 = _mm512_setzero_si512(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0,
            c10 = c0, c11 = c0;
    for (int64_t it = 0; it < iters; ++it) {
        // Written out as asm so the measured sequence is exactly 12 vpdpbusd (a 4x3 micro-tile;
        // two statements because one asm takes at most 30 operands); volatile, so the loop
        // cannot be folded away.
        __asm__ volatile(
            "vpdpbusd %[b0], %[a0], %[c0]\n\tvpdpbusd %[b1], %[a0], %[c1]\n\tvpdpbusd %[b2], %[a0], %[c2]\n\t"
            "vpdpbusd %[b0], %[a1], %[c3]\n\tvpdpbusd %[b1], %[a1], %[c4]\n\tvpdpbusd %[b2], %[a1], %[c5]"
            : [c0] "+v"(c0), [c1] "+v"(c1), [c2] "+v"(c2), [c3] "+v"(c3), [c4] "+v"(c4), [c5] "+v"(c5)
            : [a0] "v"(a0), [a1] "v"(a1), [b0] "v"(b0), [b1] "v"(b1), [b2] "v"(b2));
        __asm__ volatile(
            "vpdpbusd %[b0], %[a2], %[c6]\n\tvpdpbusd %[b1], %[a2], %[c7]\n\tvpdpbusd %[b2], %[a2], %[c8]\n\t"
            "vpdpbusd %[b0], %[a3], %[c9]\n\tvpdpbusd %[b1], %[a3], %[c10]\n\tvpdpbusd %[b2], %[a3], %[c11]"
            : [c6] "+v"(c6), [c7] "+v"(c7), [c8] "+v"(c8), [c9] "+v"(c9), [c10] "+v"(c10), [c11] "+v"(c11)
            : [a2] "v"(a2), [a3] "v"(a3), [b0] "v"(b0), [b1] "v"(b1), [b2] "v"(b2));
    }
    const __m512i s = _mm512_add_epi32(
        _mm512_add_epi32(_mm512_add_epi32(_mm512_add_epi32(c0, c1), _mm512_add_epi32(c2, c3)),
                         _mm512_add_epi32(_mm512_add_epi32(c4, c5), _mm512_add_epi32(c6, c7))),
        _mm512_add_epi32(_mm512_add_epi32(c8, c9), _mm512_add_epi32(c10, c11)));
    uint32_t lanes[16];
    memcpy(lanes, &s, sizeof lanes);
    uint32_t r = 0;
    for (uint32_t l : lanes) r += l;
    return r;
}

}  // namespace avx512
}  // namespace

const ProbeKernels probe_kernels_avx512 = {
    read_sum_avx2,  // 256-bit loads: see the top of this file
    avx512::fma_loop_avx512,
    avx512::dot_loop_avx512,
    12 * 16 * 2,  // 12 FMAs x 16 lanes x (mul + add)
    12 * 64 * 2,  // 12 vpdpbusd x 64 u8*s8 products x (multiply + add)
};

}  // namespace vane
