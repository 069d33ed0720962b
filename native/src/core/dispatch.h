// Which instruction-set variant runs: chosen once at load time from the CPU probe (or VANE_CPU),
// switchable for tests with vane_cpu_select. Core knows no kernel family: each family keeps its
// own table of variants (a Variants<...> indexed by VANE_ISA_*) and asks for the active isa.
#pragma once
#include <stdint.h>

#include "vane.h"

namespace vane {

constexpr int32_t kIsaCount = 3;  // VANE_ISA_BASELINE, VANE_ISA_AVX2, VANE_ISA_AVX512

// The active variant (VANE_ISA_*); cheap enough to call on every kernel invocation.
int32_t active_isa();
// "baseline", "avx2", "avx512"; nullptr for an unknown isa.
const char *isa_name(int32_t isa);
vane_status select_isa(int32_t isa);
void describe_cpu(vane_cpu_info *out);

// One family's kernel tables, one per variant (by VANE_ISA_*). A family without kernels of its
// own for a variant names the next lower variant's table there (an AVX-512 CPU runs AVX2 code).
template <class K>
struct Variants {
    const K *by_isa[kIsaCount];
    const K &active() const { return *by_isa[active_isa()]; }
    // The table of one variant (tests compare variants with it), or nullptr for an unknown isa.
    const K *of(int32_t isa) const { return isa >= 0 && isa < kIsaCount ? by_isa[isa] : nullptr; }
};

}  // namespace vane
