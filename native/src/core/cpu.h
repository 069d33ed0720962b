// CPU feature probe (cpuid + the OS's saved-state mask).
#pragma once
#include <stdint.h>

#include "vane.h"

namespace vane {

// VANE_CPU_* bits of the features this CPU has and the OS has enabled.
uint32_t cpu_probe_features();

// Everything VANE_ISA_AVX2 kernels need.
constexpr uint32_t kAvx2Needs = VANE_CPU_AVX | VANE_CPU_AVX2 | VANE_CPU_FMA | VANE_CPU_F16C;
// Everything VANE_ISA_AVX512 kernels need (BF16 is optional: its kernels check VANE_CPU_AVX512BF16).
constexpr uint32_t kAvx512Needs =
    kAvx2Needs | VANE_CPU_AVX512F | VANE_CPU_AVX512BW | VANE_CPU_AVX512VL | VANE_CPU_AVX512DQ | VANE_CPU_AVX512VNNI;

}  // namespace vane
