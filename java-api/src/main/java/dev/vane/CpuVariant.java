package dev.vane;

/** Kernel variants (instruction-set levels) libvane can run. Ids match VANE_ISA_* in vane.h. */
public enum CpuVariant {
    /** Plain x86-64 (SSE2): runs on every x86-64 CPU. */
    BASELINE(0),
    /** AVX2 + FMA + F16C. */
    AVX2(1);

    private final int id;

    CpuVariant(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    static CpuVariant ofId(int id) {
        for (CpuVariant v : values()) if (v.id == id) return v;
        throw new IllegalStateException("libvane reports an unknown CPU variant id " + id);
    }
}
