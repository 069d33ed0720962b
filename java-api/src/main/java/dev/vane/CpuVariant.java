package dev.vane;

import java.util.Set;

/** Kernel variants (instruction-set levels) libvane can run. Ids match VANE_ISA_* in vane.h. */
public enum CpuVariant {
    /** Plain x86-64 (SSE2): runs on every x86-64 CPU. */
    BASELINE(0, Set.of("sse2")),
    /** AVX2 + FMA + F16C. */
    AVX2(1, Set.of("avx", "avx2", "fma", "f16c")),
    /**
     * The AVX2 set + AVX-512 F, BW, VL, DQ and VNNI (Intel Ice Lake, AMD Zen 4 and later); its
     * BF16 kernels also use AVX-512 BF16 where the CPU has it.
     */
    AVX512(2, Set.of("avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512vnni"));

    private final int id;
    private final Set<String> needs;

    CpuVariant(int id, Set<String> needs) {
        this.id = id;
        this.needs = needs;
    }

    /** The CPU features ({@link CpuInfo#features()} names) this variant's kernels need. */
    public Set<String> needs() {
        return needs;
    }

    public int id() {
        return id;
    }

    static CpuVariant ofId(int id) {
        for (CpuVariant v : values()) if (v.id == id) return v;
        throw new IllegalStateException("libvane reports an unknown CPU variant id " + id);
    }
}
