// CPU feature probe (cpuid + the OS's saved-state mask).
#pragma once
#include <stdint.h>

namespace vane {

// VANE_CPU_* bits of the features this CPU has and the OS has enabled.
uint32_t cpu_probe_features();

// Everything VANE_ISA_AVX2 kernels need.
constexpr uint32_t kAvx2Needs = (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4);  // AVX AVX2 FMA F16C

}  // namespace vane
