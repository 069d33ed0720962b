// Shared helpers of the native tests: a CHECK that counts and reports failures (printing the
// first 25), a seeded random source, float bit access and a clock.
#pragma once
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chrono>

#include "core/cpu.h"
#include "core/dispatch.h"
#include "vane.h"

static int g_failures = 0;
static int g_checks = 0;

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        ++g_checks;                                                             \
        if (!(cond)) {                                                          \
            if (g_failures < 25) {                                              \
                fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
                fprintf(stderr, __VA_ARGS__);                                   \
                fprintf(stderr, "\n");                                          \
            }                                                                   \
            ++g_failures;                                                       \
        }                                                                       \
    } while (0)

// Prints the closing line and returns main's exit code.
static inline int finish(const char *name) {
    printf("%s: %d checks, %d failed\n", name, g_checks, g_failures);
    return g_failures == 0 ? 0 : 1;
}

static inline double now_s() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

static inline uint32_t bits_of(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    return u;
}

static inline float float_of(uint32_t u) {
    float x;
    memcpy(&x, &u, 4);
    return x;
}

// xorshift64: deterministic across platforms and runs.
struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 12345) {}
    uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    uint32_t u32() { return (uint32_t)(next() >> 32); }
    double uniform() { return (double)(next() >> 11) * 0x1p-53; }
    double normal() {  // Box-Muller
        double u1 = uniform(), u2 = uniform();
        if (u1 < 1e-300) u1 = 1e-300;
        return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
    }
};

// Whether a test should compare the kernels of variant isa (VANE_ISA_AVX2 or above) with the
// reference: the CPU must run them and VANE_CPU must not force a lower variant (then only the
// lower ones are checked). Says why not.
static inline bool compare_variant(int32_t isa) {
    vane_cpu_info info;
    if (vane_cpu_features(&info) != VANE_OK) return false;
    const uint32_t needs = isa == VANE_ISA_AVX512 ? vane::kAvx512Needs : vane::kAvx2Needs;
    const char *name = vane::isa_name(isa);
    if ((info.features & needs) != needs) {
        printf("note: CPU lacks what the %s kernels need: %s comparisons skipped\n", name, name);
        return false;
    }
    const char *forced = getenv("VANE_CPU");
    if (forced != nullptr && *forced && info.active < isa) {
        printf("note: VANE_CPU=%s: %s comparisons skipped\n", forced, name);
        return false;
    }
    return true;
}

static inline bool compare_avx2_variant() { return compare_variant(VANE_ISA_AVX2); }

// The number of outputs of y (vane_gemm's result under the AVX-512 variant, active now) whose
// bits differ from the AVX2 variant's on the same operands; the AVX-512 variant stays active.
static inline int64_t gemm_differs_from_avx2(int32_t format, const void *w, int64_t bytes, int64_t n, int64_t k, const float *x,
                                             int64_t ldx, int64_t m, const float *bias, const float *y, int64_t ldy) {
    float *y2 = (float *)malloc(sizeof(float) * (size_t)(m * ldy));
    for (int64_t e = 0; e < m * ldy; e++) y2[e] = y[e];  // the gaps between rows as they are in y
    CHECK(vane_cpu_select(VANE_ISA_AVX2) == VANE_OK, "%s", vane_last_error());
    CHECK(vane_gemm(format, w, bytes, n, k, x, ldx, m, bias, y2, ldy) == VANE_OK, "%s", vane_last_error());
    CHECK(vane_cpu_select(VANE_ISA_AVX512) == VANE_OK, "%s", vane_last_error());
    int64_t differ = 0;
    for (int64_t e = 0; e < m * ldy; e++) {
        uint32_t a, b;
        memcpy(&a, &y[e], 4);
        memcpy(&b, &y2[e], 4);
        differ += a != b;
    }
    free(y2);
    return differ;
}
