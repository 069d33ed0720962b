#include "cpu.h"

#include <cpuid.h>

#include "vane.h"

namespace vane {

namespace {
// XGETBV without needing -mxsave on this (baseline) translation unit.
uint64_t read_xcr0() {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (static_cast<uint64_t>(hi) << 32) | lo;
}
}  // namespace

uint32_t cpu_probe_features() {
    uint32_t features = VANE_CPU_SSE2;  // part of x86-64
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return features;
    const bool osxsave = c & bit_OSXSAVE;
    // The OS must save the YMM (bits 1-2) and, for AVX-512, the ZMM/opmask state (bits 5-7).
    const uint64_t xcr0 = osxsave ? read_xcr0() : 0;
    const bool ymm_ok = (xcr0 & 0x6) == 0x6;
    const bool zmm_ok = (xcr0 & 0xE6) == 0xE6;
    if (ymm_ok && (c & bit_AVX)) features |= VANE_CPU_AVX;
    if (ymm_ok && (c & bit_FMA)) features |= VANE_CPU_FMA;
    if (ymm_ok && (c & bit_F16C)) features |= VANE_CPU_F16C;
    if (__get_cpuid_max(0, nullptr) >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        if (ymm_ok && (b & bit_AVX2)) features |= VANE_CPU_AVX2;
        if (zmm_ok) {
            if (b & bit_AVX512F) features |= VANE_CPU_AVX512F;
            if (b & bit_AVX512BW) features |= VANE_CPU_AVX512BW;
            if (b & bit_AVX512VL) features |= VANE_CPU_AVX512VL;
            if (b & bit_AVX512DQ) features |= VANE_CPU_AVX512DQ;
            if (c & bit_AVX512VNNI) features |= VANE_CPU_AVX512VNNI;
            if (a >= 1) {  // leaf 7 subleaf 1 exists: AVX512_BF16 is its eax bit 5
                unsigned a1, b1, c1, d1;
                __cpuid_count(7, 1, a1, b1, c1, d1);
                if (a1 & bit_AVX512BF16) features |= VANE_CPU_AVX512BF16;
            }
        }
    }
    return features;
}

}  // namespace vane
