package dev.vane;

import java.util.Set;

/**
 * What libvane saw of the CPU and which kernels it runs.
 *
 * @param features instruction-set extensions the CPU has and the OS enabled ("avx2", "fma", ...)
 * @param active the kernel variant in use
 * @param reason why that variant is active (e.g. "forced by VANE_CPU=baseline")
 */
public record CpuInfo(Set<String> features, CpuVariant active, String reason) {
    /** Whether this CPU has everything the variant's kernels need. */
    public boolean canRun(CpuVariant variant) {
        return features.containsAll(variant.needs());
    }

    /** The fastest variant this CPU can run (the one libvane picks unless VANE_CPU says otherwise). */
    public CpuVariant best() {
        CpuVariant best = CpuVariant.BASELINE;
        for (CpuVariant v : CpuVariant.values()) if (canRun(v)) best = v;
        return best;
    }
}
