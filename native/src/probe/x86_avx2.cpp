// AVX2 + FMA variant of the machine probes (this file alone is compiled with -mavx2 -mfma
// -mf16c). Everything but the exported table and read_sum_avx2 has internal linkage, in a
// namespace of its own so tools that map symbols to objects (check_baseline_isa.py) can tell it
// from ref.cpp.
//
//  - read_sum: 256-bit loads (vmovdqa) into 8 independent 64-bit-lane sums, 256 bytes per step.
//  - fma_loop: 12 independent chains of acc = fma(acc, x, y) (vfmadd ymm), 8 lanes each. One
//    FMA = 8 lanes x 2 flops = 16 flops; one iteration = 12 FMAs = 192 flops. Covering the FMA
//    latency (4-5 cycles) at 2 FMAs per cycle needs 8-10 chains in flight; 12 leaves a margin.
//  - int8_dot_loop: the int8 GEMM inner step: vpmaddubsw (32 u8 x s8 products, summed in
//    pairs to 16 int16), vpmaddwd with ones (widens the pairs to 8 int32), vpaddd into an
//    accumulator. One step = 32 int8 multiply-adds = 64 ops (each product and its addition
//    into a sum; the widening vpmaddwd is part of the step, not counted again). One iteration =
//    6 independent steps (3 x 2 operand pairs, like a 3x2 GEMM micro-tile) = 384 ops. Only the
//    1-cycle vpaddd is carried from one iteration to the next, so 6 chains keep the multiply
//    units busy.
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "probe.h"

namespace vane {

// Exported (probe.h): the AVX-512 table uses this loop too.
uint64_t read_sum_avx2(const void *p, int64_t bytes) {
    const uint8_t *b = static_cast<const uint8_t *>(p);
    __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    int64_t i = 0;
    for (; i + 256 <= bytes; i += 256) {
        const __m256i *q = reinterpret_cast<const __m256i *>(b + i);
        s0 = _mm256_add_epi64(s0, _mm256_load_si256(q + 0));
        s1 = _mm256_add_epi64(s1, _mm256_load_si256(q + 1));
        s2 = _mm256_add_epi64(s2, _mm256_load_si256(q + 2));
        s3 = _mm256_add_epi64(s3, _mm256_load_si256(q + 3));
        s4 = _mm256_add_epi64(s4, _mm256_load_si256(q + 4));
        s5 = _mm256_add_epi64(s5, _mm256_load_si256(q + 5));
        s6 = _mm256_add_epi64(s6, _mm256_load_si256(q + 6));
        s7 = _mm256_add_epi64(s7, _mm256_load_si256(q + 7));
    }
    __m256i s = _mm256_add_epi64(_mm256_add_epi64(_mm256_add_epi64(s0, s1), _mm256_add_epi64(s2, s3)),
                                 _mm256_add_epi64(_mm256_add_epi64(s4, s5), _mm256_add_epi64(s6, s7)));
    uint64_t lanes[4];
    memcpy(lanes, &s, sizeof lanes);
    uint64_t r = lanes[0] + lanes[1] + lanes[2] + lanes[3];
    return read_sum_tail(b, i, bytes, r);
}

namespace {
namespace avx2 {

float fma_loop_avx2(int64_t iters) {
    // acc -> acc * 0.5 + 1 converges to 2: every value stays a normal float (no slow subnormals).
    const __m256 x = _mm256_set1_ps(0.5f), y = _mm256_set1_ps(1.0f);
    __m256 a[12];
    for (int k = 0; k < 12; ++k) a[k] = _mm256_set1_ps((float)k);
    for (int64_t it = 0; it < iters; ++it) {
        for (int k = 0; k < 12; ++k) a[k] = _mm256_fmadd_ps(a[k], x, y);
    }
    __m256 s = a[0];
    for (int k = 1; k < 12; ++k) s = _mm256_add_ps(s, a[k]);
    float lanes[8];
    _mm256_storeu_ps(lanes, s);
    float r = 0.0f;
    for (int k = 0; k < 8; ++k) r += lanes[k];
    return r;
}

uint32_t dot_loop_avx2(int64_t iters) {
    // u8 activations (first operand of vpmaddubsw) and s8 weights, small enough that the int16
    // pair sums never saturate.
    const __m256i a0 = _mm256_set1_epi8(1), a1 = _mm256_set1_epi8(2), a2 = _mm256_set1_epi8(3);
    const __m256i b0 = _mm256_set1_epi8(-3), b1 = _mm256_set1_epi8(5);
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i c0 = _mm256_setzero_si256(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, t;
    for (int64_t it = 0; it < iters; ++it) {
        // One iteration written out, so the measured sequence is exactly the three instructions
        // per step (GCC's allocation of the same intrinsics adds moves and stack stores). The asm
        // is volatile, so the loop-invariant products cannot be hoisted out of the loop.
        __asm__ volatile(
            "vpmaddubsw %[b0], %[a0], %[t]\n\tvpmaddwd %[ones], %[t], %[t]\n\tvpaddd %[t], %[c0], %[c0]\n\t"
            "vpmaddubsw %[b1], %[a0], %[t]\n\tvpmaddwd %[ones], %[t], %[t]\n\tvpaddd %[t], %[c1], %[c1]\n\t"
            "vpmaddubsw %[b0], %[a1], %[t]\n\tvpmaddwd %[ones], %[t], %[t]\n\tvpaddd %[t], %[c2], %[c2]\n\t"
            "vpmaddubsw %[b1], %[a1], %[t]\n\tvpmaddwd %[ones], %[t], %[t]\n\tvpaddd %[t], %[c3], %[c3]\n\t"
            "vpmaddubsw %[b0], %[a2], %[t]\n\tvpmaddwd %[ones], %[t], %[t]\n\tvpaddd %[t], %[c4], %[c4]\n\t"
            "vpmaddubsw %[b1], %[a2], %[t]\n\tvpmaddwd %[ones], %[t], %[t]\n\tvpaddd %[t], %[c5], %[c5]"
            : [c0] "+x"(c0), [c1] "+x"(c1), [c2] "+x"(c2), [c3] "+x"(c3), [c4] "+x"(c4), [c5] "+x"(c5),
              [t] "=&x"(t)
            : [a0] "x"(a0), [a1] "x"(a1), [a2] "x"(a2), [b0] "x"(b0), [b1] "x"(b1), [ones] "x"(ones));
    }
    const __m256i s = _mm256_add_epi32(_mm256_add_epi32(_mm256_add_epi32(c0, c1), _mm256_add_epi32(c2, c3)),
                                       _mm256_add_epi32(c4, c5));
    uint32_t lanes[8];
    memcpy(lanes, &s, sizeof lanes);
    uint32_t r = 0;
    for (int k = 0; k < 8; ++k) r += lanes[k];
    return r;
}

}  // namespace avx2
}  // namespace

const ProbeKernels probe_kernels_avx2 = {
    read_sum_avx2,
    avx2::fma_loop_avx2,
    avx2::dot_loop_avx2,
    12 * 8 * 2,   // 12 FMAs x 8 lanes x (mul + add)
    6 * 32 * 2,   // 6 vpmaddubsw x 32 u8*s8 products x (multiply + add)
};

}  // namespace vane
