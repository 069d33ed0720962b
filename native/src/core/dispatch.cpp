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

const char *const kNames[kIsaCount] = {"baseline", "avx2"};

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
    if (isa == VANE_ISA_AVX2) return (features & kAvx2Needs) == kAvx2Needs;
    return isa == VANE_ISA_BASELINE;
}

// First choice: VANE_CPU when set and usable, else the best the CPU supports.
void choose_at_load(State &s) {
    s.features = cpu_probe_features();
    const bool avx2 = cpu_supports(VANE_ISA_AVX2, s.features);
    const char *forced = getenv("VANE_CPU");
    if (forced && *forced) {
        if (strcmp(forced, "baseline") == 0) {
            s.active.store(VANE_ISA_BASELINE);
            snprintf(s.reason, sizeof s.reason, "forced by VANE_CPU=baseline");
            return;
        }
        if (strcmp(forced, "avx2") == 0 && avx2) {
            s.active.store(VANE_ISA_AVX2);
            snprintf(s.reason, sizeof s.reason, "forced by VANE_CPU=avx2");
            return;
        }
        // Never SIGILL: an unusable request falls back to what the CPU can run, and says so.
        const int32_t best = avx2 ? VANE_ISA_AVX2 : VANE_ISA_BASELINE;
        s.active.store(best);
        snprintf(s.reason, sizeof s.reason,
                 "VANE_CPU=%.40s ignored (%s); using %s", forced,
                 strcmp(forced, "avx2") == 0 ? "CPU lacks AVX2/FMA/F16C"
                                             : "expected baseline or avx2",
                 kNames[best]);
        return;
    }
    s.active.store(avx2 ? VANE_ISA_AVX2 : VANE_ISA_BASELINE);
    snprintf(s.reason, sizeof s.reason, "%s",
             avx2 ? "CPU has AVX2, FMA and F16C" : "CPU lacks AVX2/FMA/F16C");
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
    if (!name) return fail(VANE_E_INVALID_ARGUMENT, "unknown isa %d: expected 0 (baseline) or 1 (avx2)", isa);
    if (!cpu_supports(isa, s.features))
        return fail(VANE_E_UNSUPPORTED, "this CPU cannot run the %s kernels (needs AVX2, FMA and F16C)", name);
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
