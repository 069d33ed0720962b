// Machine probes: argument errors, the probe loops' results (they must do all their work), and
// plausibility bounds on the measured ceilings that a broken probe cannot meet by accident.
//
// `test_probe --measure [bytes [repeats]]` prints the ceilings of every variant this CPU can
// run instead (docs/CEILINGS.md shows its output).
#include <stdint.h>
#include <stdlib.h>

#include <algorithm>
#include <vector>

#include "check.h"
#include "core/dispatch.h"
#include "probe/probe.h"
#include "vane.h"

static constexpr int64_t kMiB = int64_t(1) << 20;

static double median3(double a, double b, double c) { return std::max(std::min(a, b), std::min(std::max(a, b), c)); }

// One dependent scalar multiply-add chain on one thread (mulss then addss, 2 flops a step):
// what plain scalar code reaches, the floor every probe must clear by far.
static double scalar_fma_gflops() {
    volatile float seed_a = 0.5f, seed_b = 1.0f;
    double runs[3];
    for (double &r : runs) {
        const float a = seed_a, b = seed_b;
        float x = 0.0f;
        const int64_t n = 20000000;
        const double t0 = now_s();
        for (int64_t i = 0; i < n; ++i) x = x * a + b;
        r = 2.0 * (double)n / (now_s() - t0) / 1e9;
        volatile float sink = x;
        (void)sink;
    }
    return median3(runs[0], runs[1], runs[2]);
}

// The same for an integer multiply-add chain (imul then add).
static double scalar_int_gops() {
    volatile uint32_t seed_a = 3, seed_b = 7;
    double runs[3];
    for (double &r : runs) {
        const uint32_t a = seed_a, b = seed_b;
        uint32_t x = 1;
        const int64_t n = 20000000;
        const double t0 = now_s();
        for (int64_t i = 0; i < n; ++i) x = x * a + b;
        r = 2.0 * (double)n / (now_s() - t0) / 1e9;
        volatile uint32_t sink = x;
        (void)sink;
    }
    return median3(runs[0], runs[1], runs[2]);
}

static void test_argument_errors() {
    double v = 0.0;
    CHECK(vane_probe_read_bandwidth(64 * kMiB, 1, nullptr) == VANE_E_INVALID_ARGUMENT, "null out");
    CHECK(strstr(vane_last_error(), "out is null") != nullptr, "%s", vane_last_error());
    CHECK(vane_probe_fma_peak(1, nullptr) == VANE_E_INVALID_ARGUMENT, "null out");
    CHECK(vane_probe_int8_dot_peak(1, nullptr) == VANE_E_INVALID_ARGUMENT, "null out");
    for (int32_t repeats : {0, -1, 1001, INT32_MIN}) {
        CHECK(vane_probe_read_bandwidth(64 * kMiB, repeats, &v) == VANE_E_INVALID_ARGUMENT, "repeats %d", repeats);
        CHECK(strstr(vane_last_error(), "repeats must be in [1, 1000]") != nullptr, "%s", vane_last_error());
        CHECK(vane_probe_fma_peak(repeats, &v) == VANE_E_INVALID_ARGUMENT, "repeats %d", repeats);
        CHECK(vane_probe_int8_dot_peak(repeats, &v) == VANE_E_INVALID_ARGUMENT, "repeats %d", repeats);
    }
    for (int64_t bytes : {int64_t(0), int64_t(-1), kMiB - 1, INT64_MIN}) {
        CHECK(vane_probe_read_bandwidth(bytes, 1, &v) == VANE_E_INVALID_ARGUMENT, "bytes %lld", (long long)bytes);
        CHECK(strstr(vane_last_error(), "at least 1 MiB") != nullptr, "%s", vane_last_error());
    }
    // Larger than half the physical memory (or 1 TiB): refused before any allocation.
    for (int64_t bytes : {int64_t(1) << 50, INT64_MAX}) {
        CHECK(vane_probe_read_bandwidth(bytes, 1, &v) == VANE_E_INVALID_ARGUMENT, "bytes %lld", (long long)bytes);
        CHECK(strstr(vane_last_error(), "would swap") != nullptr, "%s", vane_last_error());
    }
}

// The loops compute exactly what they should: nothing dropped, every byte read.
static void test_loops(int32_t isa) {
    const vane::ProbeKernels &p = *vane::probe_variants.of(isa);
    struct {
        int32_t isa;
        const char *name;
    } k = {isa, vane::isa_name(isa)};
    const vane::ProbeKernels *own[vane::kIsaCount] = {&vane::probe_kernels_ref, &vane::probe_kernels_avx2, &vane::probe_kernels_avx512};
    CHECK(&p == own[isa], "%s: the variant table holds the wrong probe variant", k.name);
    // read_sum: the sum of whole 8-byte words plus the trailing bytes, for any length.
    std::vector<uint8_t> storage(4096 + 64 + 64);
    uint8_t *buf = storage.data() + (64 - reinterpret_cast<uintptr_t>(storage.data()) % 64) % 64;
    Rng rng(7);
    for (int i = 0; i < 4096 + 64; ++i) buf[i] = (uint8_t)rng.u32();
    for (int64_t n : {0, 1, 7, 8, 15, 127, 128, 255, 256, 257, 1000, 4095, 4096, 4096 + 63}) {
        uint64_t want = 0;
        int64_t i = 0;
        for (; i + 8 <= n; i += 8) {
            uint64_t w;
            memcpy(&w, buf + i, 8);
            want += w;
        }
        for (; i < n; ++i) want += buf[i];
        CHECK(p.read_sum(buf, n) == want, "%s read_sum(%lld)", k.name, (long long)n);
    }
    // fma_loop: every chain converges to 2 (acc * 0.5 + 1), so the sum is 2 x chains x lanes.
    const double chains_x_lanes = p.fma_flops_per_iter / 2.0;
    CHECK(p.fma_loop(1000) == (float)(2.0 * chains_x_lanes), "%s fma_loop(1000) = %g, want %g", k.name,
          (double)p.fma_loop(1000), 2.0 * chains_x_lanes);
    CHECK(p.fma_loop(0) != p.fma_loop(1), "%s: fma_loop depends on iters", k.name);
    // int8_dot_loop: the same operands in every element, all pairs, so each iteration adds
    // (products per step) x (sum of a) x (sum of b): a = 1, 2, 3 and b = -3, 5 (12) for the
    // baseline's 8 and AVX2's 32 products a step; a = 1..4 and b = -3, 5, 7 (90) for AVX-512's 64.
    const uint32_t per_step[vane::kIsaCount] = {8u * 12u, 32u * 12u, 64u * 90u};
    const uint32_t per_iter = per_step[isa];
    for (int64_t n : {0, 1, 3, 1000, 123457}) {
        const uint32_t want = (uint32_t)((uint64_t)n * per_iter);
        const uint32_t got = p.int8_dot_loop(n);
        CHECK(got == want, "%s int8_dot_loop(%lld) = %u, want %u", k.name, (long long)n, got, want);
    }
    CHECK(p.fma_flops_per_iter > 0 && p.int8_ops_per_iter > 0, "%s counts", k.name);
}

struct Ceilings {
    double read_gbps, fma_gflops, int8_gops;
};

static Ceilings measure(int64_t bytes, int32_t repeats) {
    Ceilings c = {-1, -1, -1};
    CHECK(vane_probe_read_bandwidth(bytes, repeats, &c.read_gbps) == VANE_OK, "%s", vane_last_error());
    CHECK(vane_probe_fma_peak(repeats, &c.fma_gflops) == VANE_OK, "%s", vane_last_error());
    CHECK(vane_probe_int8_dot_peak(repeats, &c.int8_gops) == VANE_OK, "%s", vane_last_error());
    return c;
}

// Under AddressSanitizer (ci/sanitizers.sh) the probes' loops and the scalar chain are timed as
// instrumented code on a shared host: the ratio checks below then measure the instrumentation
// (a CI run saw the baseline probe at 3.2 GFLOP/s, 3.9x the chain), so only the normal builds
// assert them; the bounds and the memory checks still run.
#if defined(__SANITIZE_ADDRESS__)
static constexpr bool kTimedUnderSanitizer = true;
#else
static constexpr bool kTimedUnderSanitizer = false;
#endif

static void check_plausible(const char *variant, const Ceilings &c, double scalar_gflops, double scalar_gops) {
    const double threads = vane_get_threads();
    printf("%s: read %.1f GB/s, fma %.1f GFLOP/s, int8 %.1f Gop/s (%d threads; scalar chain: %.2f GFLOP/s, %.2f Gop/s)\n",
           variant, c.read_gbps, c.fma_gflops, c.int8_gops, vane_get_threads(), scalar_gflops, scalar_gops);
    // Finite, and between a floor any machine clears and a ceiling no x86 core reaches (which
    // a probe whose loop the compiler dropped or shortened would overshoot).
    CHECK(isfinite(c.read_gbps) && c.read_gbps > 0.5 && c.read_gbps < 2000, "%s read %g GB/s", variant, c.read_gbps);
    // fp32: at most 2 x 16-lane FMAs per cycle at 6 GHz = 384 GFLOP/s a thread.
    CHECK(isfinite(c.fma_gflops) && c.fma_gflops < 384 * threads, "%s fma %g GFLOP/s", variant, c.fma_gflops);
    // At least 4x one dependent scalar chain: the probe has 12 chains of 4-8 lanes on every
    // thread, 48x or more in theory; even a descheduled thread leaves far more than 4x.
    CHECK(kTimedUnderSanitizer || c.fma_gflops > 4 * scalar_gflops, "%s fma %g GFLOP/s vs scalar chain %g", variant, c.fma_gflops, scalar_gflops);
    // int8: at most 2 x 64-byte multiply-adds (128 products) per cycle at 6 GHz = 1536 Gop/s a thread.
    CHECK(isfinite(c.int8_gops) && c.int8_gops < 1536 * threads, "%s int8 %g Gop/s", variant, c.int8_gops);
    CHECK(kTimedUnderSanitizer || c.int8_gops > 4 * scalar_gops, "%s int8 %g Gop/s vs scalar chain %g", variant, c.int8_gops, scalar_gops);
}

// Ops per second of one timed call of a probe loop.
template <class F>
static double rate(F loop, int64_t iters, double ops_per_iter) {
    const double t0 = now_s();
    volatile uint64_t sink = (uint64_t)loop(iters);
    (void)sink;
    return (double)iters * ops_per_iter / (now_s() - t0);
}

// Each SIMD variant against the one below it, loop for loop on this thread: 5 short runs of
// each, interleaved, the best of each compared. Medians of the whole-pool probes are not
// compared: on a shared 2-core VM another process can take a core during one variant's runs and
// not the other's.
//
// How much faster a variant must be depends on the core. AVX2 over SSE2: with full-width 256-bit
// units (every CPU with AVX-512F: Intel Skylake-SP and later, AMD Zen 4 and later) AVX2 doubles
// the lanes at the same instruction rate (Zen 4: 2.0x in theory; measured 2.3x fma, 2.5x int8),
// so >= 1.5x is required; cores that split 256-bit work into 128-bit halves (AMD Zen 1) reach the
// same rate with SSE2 (1.0x in theory), so there only "not slower" (>= 0.8x, noise allowed).
// AVX-512 over AVX2: Zen 4 runs a 512-bit FMA as two 256-bit halves (1.0x fma in theory), Zen 5
// and Intel at full width (2x); vpdpbusd does the work of AVX2's three-instruction int8 step on
// twice the bytes (>= 2x in theory everywhere). Only "not slower" (>= 0.8x) is required of fma,
// >= 1.5x of int8.
[[maybe_unused]] static void test_variant_ratio(int32_t isa, uint32_t features) {
    const vane::ProbeKernels &b = *vane::probe_variants.of(isa - 1);
    const vane::ProbeKernels &a = *vane::probe_variants.of(isa);
    const bool full_width = (features & VANE_CPU_AVX512F) != 0;
    const double need_fma = isa == VANE_ISA_AVX512 ? 0.8 : full_width ? 1.5 : 0.8;
    const double need_int8 = isa == VANE_ISA_AVX512 ? 1.5 : need_fma;
    const int64_t iters = 4000000;  // about 5-10 ms a run on a 3-4 GHz core
    double fb = 0, fa = 0, ib = 0, ia = 0;
    // Up to 3 rounds: a round that another process disturbed (the other core's load can halve one
    // variant's runs) is measured again; a variant that is really slower fails all three.
    for (int round = 0; round < 3 && (round == 0 || fa / fb < need_fma || ia / ib < need_int8); ++round) {
        fb = fa = ib = ia = 0;
        for (int run = 0; run < 5; ++run) {
            fb = std::max(fb, rate([&](int64_t n) { return bits_of(b.fma_loop(n)); }, iters, b.fma_flops_per_iter));
            fa = std::max(fa, rate([&](int64_t n) { return bits_of(a.fma_loop(n)); }, iters, a.fma_flops_per_iter));
            ib = std::max(ib, rate([&](int64_t n) { return b.int8_dot_loop(n); }, iters, b.int8_ops_per_iter));
            ia = std::max(ia, rate([&](int64_t n) { return a.int8_dot_loop(n); }, iters, a.int8_ops_per_iter));
        }
        printf("round %d, one thread, best of 5: fma %.1f vs %.1f GFLOP/s (%.2fx), int8 %.1f vs %.1f Gop/s (%.2fx); "
               "%s/%s must be >= %.1fx fma, %.1fx int8\n",
               round + 1, fa / 1e9, fb / 1e9, fa / fb, ia / 1e9, ib / 1e9, ia / ib, vane::isa_name(isa), vane::isa_name(isa - 1),
               need_fma, need_int8);
    }
    CHECK(fa / fb >= need_fma, "%s fma %g vs %s %g GFLOP/s", vane::isa_name(isa), fa / 1e9, vane::isa_name(isa - 1), fb / 1e9);
    CHECK(ia / ib >= need_int8, "%s int8 %g vs %s %g Gop/s", vane::isa_name(isa), ia / 1e9, vane::isa_name(isa - 1), ib / 1e9);
}

// Prints every variant's ceilings and the AVX2/baseline ratios (for docs/CEILINGS.md).
static int measure_mode(int argc, char **argv) {
    const int64_t bytes = argc > 2 ? strtoll(argv[2], nullptr, 10) : 1024 * kMiB;
    const int32_t repeats = argc > 3 ? (int32_t)strtol(argv[3], nullptr, 10) : 5;
    vane_cpu_info info;
    vane_cpu_features(&info);
    const int32_t original = info.active;
    Ceilings c[vane::kIsaCount];
    bool have[vane::kIsaCount] = {false, false, false};
    for (int32_t isa = 0; isa < vane::kIsaCount; isa++) {
        if (vane_cpu_select(isa) != VANE_OK) {
            printf("%s: %s\n", vane::isa_name(isa), vane_last_error());
            continue;
        }
        double r, f, i;
        if (vane_probe_read_bandwidth(bytes, repeats, &r) || vane_probe_fma_peak(repeats, &f) ||
            vane_probe_int8_dot_peak(repeats, &i)) {
            fprintf(stderr, "probe failed: %s\n", vane_last_error());
            return 1;
        }
        c[isa] = {r, f, i};
        have[isa] = true;
        printf("%-8s read %6.1f GB/s   fma %6.1f GFLOP/s   int8 %6.1f Gop/s   (%d thread%s, %lld MiB, median of %d)\n",
               vane::isa_name(isa), r, f, i, vane_get_threads(), vane_get_threads() == 1 ? "" : "s",
               (long long)(bytes / kMiB), repeats);
    }
    for (int32_t isa = 1; isa < vane::kIsaCount; isa++)
        if (have[isa] && have[isa - 1])
            printf("%s/%s   read %.2fx   fma %.2fx   int8 %.2fx\n", vane::isa_name(isa), vane::isa_name(isa - 1),
                   c[isa].read_gbps / c[isa - 1].read_gbps, c[isa].fma_gflops / c[isa - 1].fma_gflops,
                   c[isa].int8_gops / c[isa - 1].int8_gops);
    vane_cpu_select(original);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--measure") == 0) return measure_mode(argc, argv);
    const double t0 = now_s();
    test_argument_errors();

    vane_cpu_info info;
    CHECK(vane_cpu_features(&info) == VANE_OK, "%s", vane_last_error());
    const int32_t original = info.active;
    test_loops(VANE_ISA_BASELINE);
    bool runs[vane::kIsaCount] = {true, false, false};
    for (int32_t isa = 1; isa < vane::kIsaCount; isa++) {
        runs[isa] = compare_variant(isa);
        if (runs[isa]) test_loops(isa);
    }

    const double scalar_gflops = scalar_fma_gflops(), scalar_gops = scalar_int_gops();
    // 64 MiB: twice a 32 MiB L3, enough to prove the probe runs; the real measurement uses 1 GiB.
    const Ceilings active = measure(64 * kMiB, 3);
    check_plausible(vane::isa_name(vane::active_isa()), active, scalar_gflops, scalar_gops);
    // The other variants through the API too (bounds only: each median is at the mercy of
    // whatever else runs on the machine meanwhile), then each against the one below it.
    for (int32_t isa = 0; isa < vane::kIsaCount; isa++) {
        if (!runs[isa] || isa == original) continue;
        CHECK(vane_cpu_select(isa) == VANE_OK, "%s", vane_last_error());
        const Ceilings other = measure(64 * kMiB, 3);
        check_plausible(vane::isa_name(vane::active_isa()), other, scalar_gflops, scalar_gops);
    }
    CHECK(vane_cpu_select(original) == VANE_OK, "%s", vane_last_error());
#ifdef VANE_SANITIZED
    // Under ASan/UBSan the probe loops are instrumented, so their speeds say nothing about the
    // variants; the runs above still cover the probes' memory use.
    printf("test_probe: variant speed ratios not checked in a sanitizer build\n");
#else
    for (int32_t isa = 1; isa < vane::kIsaCount; isa++)
        if (runs[isa]) test_variant_ratio(isa, info.features);
#endif
    printf("test_probe: %.2f s\n", now_s() - t0);
    return finish("test_probe");
}
