// Baseline (x86-64, SSE2) variant of the machine probes: the ceilings of the code a CPU without
// AVX2 runs. SSE2 is part of x86-64, so these loops use its 128-bit registers directly; they are
// the baseline CPU's own peak, not a scalar loop.
//
//  - read_sum: 128-bit loads (movdqa) into 8 independent 64-bit-lane sums.
//  - fma_loop: SSE2 has no fused multiply-add: 12 independent chains of acc = acc * x + y as a
//    mulps then an addps, 4 lanes each. One chain step = 4 lanes x (1 mul + 1 add) = 8 flops;
//    one iteration = 12 steps = 96 flops. 12 chains cover the mul -> add latency (6-8 cycles)
//    at up to 2 pairs per cycle.
//  - int8_dot_loop: SSE2 has no 8-bit multiply-add; the baseline CPU's integer dot-product
//    instruction is pmaddwd (8 int16 x int16 products, summed in pairs to 4 int32), then paddd
//    into an accumulator. One step = 8 multiply-adds = 16 ops; one iteration = 6 independent
//    steps (3 x 2 operand pairs, like a 3x2 GEMM micro-tile) = 96 ops.
#include <emmintrin.h>
#include <stdint.h>
#include <string.h>

#include "probe.h"

namespace vane {

namespace {

uint64_t read_sum_sse2(const void *p, int64_t bytes) {
    const uint8_t *b = static_cast<const uint8_t *>(p);
    __m128i s0 = _mm_setzero_si128(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    int64_t i = 0;
    for (; i + 128 <= bytes; i += 128) {
        const __m128i *q = reinterpret_cast<const __m128i *>(b + i);
        s0 = _mm_add_epi64(s0, _mm_load_si128(q + 0));
        s1 = _mm_add_epi64(s1, _mm_load_si128(q + 1));
        s2 = _mm_add_epi64(s2, _mm_load_si128(q + 2));
        s3 = _mm_add_epi64(s3, _mm_load_si128(q + 3));
        s4 = _mm_add_epi64(s4, _mm_load_si128(q + 4));
        s5 = _mm_add_epi64(s5, _mm_load_si128(q + 5));
        s6 = _mm_add_epi64(s6, _mm_load_si128(q + 6));
        s7 = _mm_add_epi64(s7, _mm_load_si128(q + 7));
    }
    __m128i s = _mm_add_epi64(_mm_add_epi64(_mm_add_epi64(s0, s1), _mm_add_epi64(s2, s3)),
                              _mm_add_epi64(_mm_add_epi64(s4, s5), _mm_add_epi64(s6, s7)));
    uint64_t lanes[2];
    memcpy(lanes, &s, sizeof lanes);
    uint64_t r = lanes[0] + lanes[1];
    return read_sum_tail(b, i, bytes, r);
}

float fma_loop_sse2(int64_t iters) {
    // acc -> acc * 0.5 + 1 converges to 2: every value stays a normal float (no slow subnormals).
    const __m128 x = _mm_set1_ps(0.5f), y = _mm_set1_ps(1.0f);
    __m128 a[12];
    for (int k = 0; k < 12; ++k) a[k] = _mm_set1_ps((float)k);
    for (int64_t it = 0; it < iters; ++it) {
        for (int k = 0; k < 12; ++k) a[k] = _mm_add_ps(_mm_mul_ps(a[k], x), y);
    }
    __m128 s = a[0];
    for (int k = 1; k < 12; ++k) s = _mm_add_ps(s, a[k]);
    float lanes[4];
    _mm_storeu_ps(lanes, s);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

uint32_t dot_loop_sse2(int64_t iters) {
    const __m128i a0 = _mm_set1_epi16(1), a1 = _mm_set1_epi16(2), a2 = _mm_set1_epi16(3);
    const __m128i b0 = _mm_set1_epi16(-3), b1 = _mm_set1_epi16(5);
    __m128i c0 = _mm_setzero_si128(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, t;
    for (int64_t it = 0; it < iters; ++it) {
        // One iteration written out: SSE2's two-operand pmaddwd overwrites an operand, so each
        // step is a copy, the multiply-add and the accumulation. (GCC's own allocation of the
        // same intrinsics adds a register move per step and loses a quarter of the peak.) The
        // asm is volatile, so the loop-invariant products cannot be hoisted out of the loop.
        __asm__ volatile(
            "movdqa %[a0], %[t]\n\tpmaddwd %[b0], %[t]\n\tpaddd %[t], %[c0]\n\t"
            "movdqa %[a0], %[t]\n\tpmaddwd %[b1], %[t]\n\tpaddd %[t], %[c1]\n\t"
            "movdqa %[a1], %[t]\n\tpmaddwd %[b0], %[t]\n\tpaddd %[t], %[c2]\n\t"
            "movdqa %[a1], %[t]\n\tpmaddwd %[b1], %[t]\n\tpaddd %[t], %[c3]\n\t"
            "movdqa %[a2], %[t]\n\tpmaddwd %[b0], %[t]\n\tpaddd %[t], %[c4]\n\t"
            "movdqa %[a2], %[t]\n\tpmaddwd %[b1], %[t]\n\tpaddd %[t], %[c5]"
            : [c0] "+x"(c0), [c1] "+x"(c1), [c2] "+x"(c2), [c3] "+x"(c3), [c4] "+x"(c4), [c5] "+x"(c5),
              [t] "=&x"(t)
            : [a0] "x"(a0), [a1] "x"(a1), [a2] "x"(a2), [b0] "x"(b0), [b1] "x"(b1));
    }
    const __m128i s = _mm_add_epi32(_mm_add_epi32(_mm_add_epi32(c0, c1), _mm_add_epi32(c2, c3)), _mm_add_epi32(c4, c5));
    uint32_t lanes[4];
    memcpy(lanes, &s, sizeof lanes);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

}  // namespace

const ProbeKernels probe_kernels_ref = {
    read_sum_sse2,
    fma_loop_sse2,
    dot_loop_sse2,
    12 * 4 * 2,  // 12 chains x 4 lanes x (mul + add)
    6 * 8 * 2,   // 6 pmaddwd x 8 int16 products x (multiply + add)
};

const Variants<ProbeKernels> probe_variants = {{&probe_kernels_ref, &probe_kernels_avx2, &probe_kernels_avx512}};

}  // namespace vane
