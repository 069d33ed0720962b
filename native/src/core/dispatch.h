// The dispatch table: one set of kernel entry points per instruction-set variant, chosen once
// at load time from the CPU probe (or VANE_CPU), switchable for tests with vane_cpu_select.
#pragma once
#include "attn/attn.h"
#include "gemm/gemm.h"
#include "moe/moe.h"
#include "probe/probe.h"
#include "quant/quant.h"
#include "vane.h"

namespace vane {

struct Kernels {
    int32_t isa;  // VANE_ISA_*
    const char *name;
    const QuantKernels *quant;
    const GemmKernels *gemm;
    const MoeKernels *moe;
    const AttnKernels *attn;
    const ProbeKernels *probe;  // machine-ceiling probes (probe/)
};

// The active variant; cheap enough to call on every kernel invocation.
const Kernels &kernels();
// The table of one variant, or nullptr for an unknown isa (tests compare variants with it).
const Kernels *kernels_for(int32_t isa);
vane_status select_isa(int32_t isa);
void describe_cpu(vane_cpu_info *out);

}  // namespace vane
