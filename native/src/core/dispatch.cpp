#include "dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atomic>
#include <mutex>

#include "cpu.h"
#include "error.h"

namespace vane {

namespace {

const char *const kNames[kIsaCount] = {"baseline", "avx2", "avx512"};
// What a CPU lacks for each variant, for the messages.
const char *const kNeeds[kIsaCount] = {"", "AVX2, FMA and F16C", "AVX2, FMA, F16C and AVX-512 F/BW/VL/DQ/VNNI"};

struct State {
    std::atomic<int32_t> active{VANE_ISA_BASELINE};
    uint32_t features = 0;
    char reason[160] = {0};
    char load_reason[160] = {0};  // the reason chosen at load, kept once a run-time switch replaces it
};

State &state() {
    static State s;
    return s;
}

bool cpu_supports(int32_t isa, uint32_t features) {
    switch (isa) {
        case VANE_ISA_BASELINE: return true;
        case VANE_ISA_AVX2: return (features & kAvx2Needs) == kAvx2Needs;
        case VANE_ISA_AVX512: return (features & kAvx512Needs) == kAvx512Needs;
        default: return false;
    }
}

int32_t best_supported(uint32_t features) {
    int32_t best = VANE_ISA_BASELINE;
    for (int32_t isa = 1; isa < kIsaCount; isa++)
        if (cpu_supports(isa, features)) best = isa;
    return best;
}

int32_t isa_named(const char *name) {
    for (int32_t isa = 0; isa < kIsaCount; isa++)
        if (strcmp(name, kNames[isa]) == 0) return isa;
    return -1;
}

// First choice: VANE_CPU when set and usable, else the best the CPU supports.
void choose_at_load(State &s) {
    s.features = cpu_probe_features();
    const int32_t best = best_supported(s.features);
    const char *forced = getenv("VANE_CPU");
    if (forced && *forced) {
        const int32_t isa = isa_named(forced);
        if (isa >= 0 && cpu_supports(isa, s.features)) {
            s.active.store(isa);
            snprintf(s.reason, sizeof s.reason, "forced by VANE_CPU=%s", kNames[isa]);
            return;
        }
        // Never SIGILL: an unusable request falls back to what the CPU can run, and says so.
        s.active.store(best);
        if (isa >= 0)
            snprintf(s.reason, sizeof s.reason, "VANE_CPU=%s ignored (CPU lacks %s); using %s", kNames[isa], kNeeds[isa],
                     kNames[best]);
        else
            snprintf(s.reason, sizeof s.reason, "VANE_CPU=%.40s ignored (expected baseline, avx2 or avx512); using %s",
                     forced, kNames[best]);
        return;
    }
    s.active.store(best);
    if (best == VANE_ISA_BASELINE)
        snprintf(s.reason, sizeof s.reason, "CPU lacks AVX2/FMA/F16C");
    else
        snprintf(s.reason, sizeof s.reason, "CPU has %s%s", kNeeds[best],
                 best == VANE_ISA_AVX512 ? ((s.features & VANE_CPU_AVX512BF16) ? " (BF16 too)" : " (no BF16)") : "");
}

State &initialized_state() {
    static std::once_flag once;
    State &s = state();
    std::call_once(once, [&] { choose_at_load(s); });
    return s;
}

}  // namespace

int32_t active_isa() { return initialized_state().active.load(std::memory_order_acquire); }

const char *isa_name(int32_t isa) { return isa >= 0 && isa < kIsaCount ? kNames[isa] : nullptr; }

vane_status select_isa(int32_t isa) {
    State &s = initialized_state();
    const char *name = isa_name(isa);
    if (!name) return fail(VANE_E_INVALID_ARGUMENT, "unknown isa %d: expected 0 (baseline), 1 (avx2) or 2 (avx512)", isa);
    if (!cpu_supports(isa, s.features))
        return fail(VANE_E_UNSUPPORTED, "this CPU cannot run the %s kernels (needs %s)", name, kNeeds[isa]);
    s.active.store(isa, std::memory_order_release);
    if (!s.load_reason[0]) memcpy(s.load_reason, s.reason, sizeof s.reason);
    snprintf(s.reason, sizeof s.reason, "%s selected at run time; at load: %.100s", name, s.load_reason);
    return VANE_OK;
}

void describe_cpu(vane_cpu_info *out) {
    State &s = initialized_state();
    out->features = s.features;
    out->active = s.active.load();
    static_assert(sizeof out->reason == sizeof s.reason, "same size");
    memcpy(out->reason, s.reason, sizeof out->reason);
}

}  // namespace vane
