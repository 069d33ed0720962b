// Internal interface of the machine-probe family: the loops that measure this machine's
// ceilings (streaming read bandwidth, fp32 multiply-add peak, integer dot-product peak), one
// table per instruction-set variant (ref.cpp, x86_avx2.cpp, x86_avx512.cpp). docs/CEILINGS.md explains what
// each loop measures and how its operations are counted.
//
// Every loop returns a value computed from all of its work, and the tables are reached through
// a pointer from another translation unit, so the compiler can neither drop nor shorten a loop.
#pragma once
#include <stdint.h>
#include <string.h>

#include "core/dispatch.h"

namespace vane {

// One instruction-set variant of the family. Arguments are validated by the API layer.
struct ProbeKernels {
    // Reads bytes [p, p + bytes) once, with the variant's widest loads and several independent
    // accumulators, and returns a checksum of what it read, the same in every variant: the sum
    // (mod 2^64) of the little-endian 8-byte words in [p, p + bytes / 8 * 8), plus the bytes
    // after them. p is 64-byte aligned; any bytes >= 0.
    uint64_t (*read_sum)(const void *p, int64_t bytes);
    // iters iterations of independent fp32 multiply-add chains; returns their (finite) sum.
    float (*fma_loop)(int64_t iters);
    // iters iterations of independent integer dot-product chains; returns their wrapped sum.
    uint32_t (*int8_dot_loop)(int64_t iters);
    // Floating-point operations in one fma_loop iteration (a multiply and an add count 2 per
    // lane, fused or not).
    double fma_flops_per_iter;
    // Integer operations in one int8_dot_loop iteration: 2 per multiply-add of narrow
    // elements (the product, and its addition into a sum).
    double int8_ops_per_iter;
};

// The end of read_sum's checksum from byte i on (the same in every variant): r plus the whole
// 8-byte words in [i, bytes), then the bytes after the last whole word. Internal linkage, so each
// unit compiles it with its own flags.
static inline uint64_t read_sum_tail(const uint8_t *b, int64_t i, int64_t bytes, uint64_t r) {
    for (; i + 8 <= bytes; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        r += w;
    }
    for (; i < bytes; ++i) r += b[i];
    return r;
}

// The AVX2 variant's read loop, which the AVX-512 table uses too (probe/x86_avx512.cpp says why).
uint64_t read_sum_avx2(const void *p, int64_t bytes);

extern const ProbeKernels probe_kernels_ref;
extern const ProbeKernels probe_kernels_avx2;
extern const ProbeKernels probe_kernels_avx512;
// The family's variants by VANE_ISA_* (defined beside the reference kernels).
extern const Variants<ProbeKernels> probe_variants;

}  // namespace vane
