// Internal interface of the machine-probe family: the loops that measure this machine's
// ceilings (streaming read bandwidth, fp32 multiply-add peak, integer dot-product peak), one
// table per instruction-set variant (ref.cpp, x86_avx2.cpp, x86_avx512.cpp). docs/CEILINGS.md explains what
// each loop measures and how its operations are counted.
//
// Every loop returns a value computed from all of its work, and the tables are reached through
// a pointer from another translation unit, so the compiler can neither drop nor shorten a loop.
#pragma once
#include <stdint.h>

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

extern const ProbeKernels probe_kernels_ref;
extern const ProbeKernels probe_kernels_avx2;
extern const ProbeKernels probe_kernels_avx512;
// The family's variants by VANE_ISA_* (defined beside the reference kernels).
extern const Variants<ProbeKernels> probe_variants;

}  // namespace vane
