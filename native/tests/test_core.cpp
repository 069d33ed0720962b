// Core: version, CPU dispatch, thread pool, format table.
#include <stdlib.h>
#include <string.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "check.h"
#include "core/dispatch.h"
#include "core/thread_pool.h"
#include "vane.h"

static void test_version_and_cpu() {
    CHECK(strcmp(vane_version(), VANE_VERSION_STRING) == 0, "version %s", vane_version());
    vane_cpu_info info;
    CHECK(vane_cpu_features(&info) == VANE_OK, "%s", vane_last_error());
    CHECK(info.features & VANE_CPU_SSE2, "x86-64 always has SSE2");
    CHECK(strlen(info.reason) > 0, "a reason is given");
    const char *forced = getenv("VANE_CPU");
    if (forced && strcmp(forced, "baseline") == 0) {
        CHECK(info.active == VANE_ISA_BASELINE, "VANE_CPU=baseline must force baseline, got %d", info.active);
        CHECK(strstr(info.reason, "VANE_CPU=baseline") != nullptr, "reason: %s", info.reason);
    }
    CHECK(vane_cpu_features(nullptr) == VANE_E_INVALID_ARGUMENT, "null out");
    CHECK(vane_cpu_select(7) == VANE_E_INVALID_ARGUMENT, "unknown isa");
    CHECK(strstr(vane_last_error(), "unknown isa") != nullptr, "%s", vane_last_error());

    // Switch variants at run time and back.
    const int32_t original = info.active;
    CHECK(vane_cpu_select(VANE_ISA_BASELINE) == VANE_OK, "%s", vane_last_error());
    CHECK(vane::active_isa() == VANE_ISA_BASELINE, "baseline active");
    const bool has_avx2 = (info.features & (VANE_CPU_AVX2 | VANE_CPU_FMA | VANE_CPU_F16C)) ==
                          (VANE_CPU_AVX2 | VANE_CPU_FMA | VANE_CPU_F16C);
    vane_status s = vane_cpu_select(VANE_ISA_AVX2);
    CHECK(has_avx2 ? s == VANE_OK : s == VANE_E_UNSUPPORTED, "select avx2 -> %d", s);
    const uint32_t avx512_needs = VANE_CPU_AVX2 | VANE_CPU_FMA | VANE_CPU_F16C | VANE_CPU_AVX512F | VANE_CPU_AVX512BW |
                                  VANE_CPU_AVX512VL | VANE_CPU_AVX512DQ | VANE_CPU_AVX512VNNI;
    const bool has_avx512 = (info.features & avx512_needs) == avx512_needs;
    s = vane_cpu_select(VANE_ISA_AVX512);
    CHECK(has_avx512 ? s == VANE_OK : s == VANE_E_UNSUPPORTED, "select avx512 -> %d", s);
    if (!has_avx512) CHECK(strstr(vane_last_error(), "AVX-512") != nullptr, "says what is missing: %s", vane_last_error());
    CHECK(!(info.features & VANE_CPU_AVX512BF16) || (info.features & VANE_CPU_AVX512F), "BF16 only with AVX-512 F");
    CHECK(vane_cpu_select(original) == VANE_OK, "restore");
    // Without VANE_CPU, the best variant the CPU has is active.
    if (!forced || !*forced)
        CHECK(info.active == (has_avx512 ? VANE_ISA_AVX512 : has_avx2 ? VANE_ISA_AVX2 : VANE_ISA_BASELINE), "active %d", info.active);
    // VANE_CPU=avx512 (or avx2) on a CPU without it falls back to the best it has and says so.
    if (forced && strcmp(forced, "avx512") == 0) {
        if (has_avx512) {
            CHECK(info.active == VANE_ISA_AVX512 && strstr(info.reason, "forced by VANE_CPU=avx512"), "reason: %s", info.reason);
        } else {
            CHECK(info.active == (has_avx2 ? VANE_ISA_AVX2 : VANE_ISA_BASELINE), "fallback active %d", info.active);
            CHECK(strstr(info.reason, "VANE_CPU=avx512 ignored (CPU lacks") != nullptr, "reason: %s", info.reason);
        }
    }
    if (forced && strcmp(forced, "avx2") == 0 && has_avx2)
        CHECK(info.active == VANE_ISA_AVX2 && strstr(info.reason, "forced by VANE_CPU=avx2"), "reason: %s", info.reason);
    if (forced && strcmp(forced, "pentium") == 0)
        CHECK(strstr(info.reason, "VANE_CPU=pentium ignored (expected baseline, avx2 or avx512)") != nullptr, "reason: %s", info.reason);
}

static void test_thread_pool() {
    const int32_t original = vane_get_threads();
    CHECK(original >= 1, "threads %d", original);
    CHECK(vane_set_threads(0) == VANE_E_INVALID_ARGUMENT, "0 threads rejected");
    CHECK(vane_set_threads(-3) == VANE_E_INVALID_ARGUMENT, "negative threads rejected");
    for (int32_t threads : {1, 2, 3, 8}) {
        CHECK(vane_set_threads(threads) == VANE_OK, "%s", vane_last_error());
        CHECK(vane_get_threads() == threads, "get after set %d", threads);
        for (int64_t n : {0, 1, 5, 1000, 100003}) {
            for (int64_t grain : {1, 7, 64, 1 << 20}) {
                // Every index visited exactly once, chunks within the grain.
                std::vector<std::atomic<int>> hits(n);
                std::atomic<bool> chunk_ok{true};
                vane::parallel_for(n, grain, [&](int64_t b, int64_t e) {
                    if (b < 0 || e > n || b >= e || e - b > grain) chunk_ok = false;
                    for (int64_t i = b; i < e; ++i) hits[i].fetch_add(1);
                });
                bool once = true;
                for (int64_t i = 0; i < n; ++i) once &= hits[i].load() == 1;
                CHECK(once && chunk_ok, "threads %d n %lld grain %lld", threads, (long long)n, (long long)grain);
            }
        }
        // A nested call runs inline instead of deadlocking.
        std::atomic<int64_t> sum{0};
        vane::parallel_for(8, 1, [&](int64_t b, int64_t e) {
            vane::parallel_for(10, 3, [&](int64_t b2, int64_t e2) { sum += e2 - b2; });
        });
        CHECK(sum.load() == 80, "nested sum %lld", (long long)sum.load());
    }
    CHECK(vane_set_threads(original) == VANE_OK, "restore");
}

// An exception in any chunk reaches the caller after every thread has left the job.
static void test_pool_exception() {
    vane_set_threads(2);
    bool caught = false;
    try {
        vane::parallel_for(1000, 10, [&](int64_t b, int64_t) {
            if (b == 500) throw std::runtime_error("chunk 500");
        });
    } catch (const std::runtime_error &e) {
        caught = strcmp(e.what(), "chunk 500") == 0;
    }
    CHECK(caught, "exception from a chunk is rethrown to the caller");
    // The pool still works afterwards.
    std::atomic<int64_t> sum{0};
    vane::parallel_for(1000, 10, [&](int64_t b, int64_t e) { sum += e - b; });
    CHECK(sum.load() == 1000, "pool usable after an exception: %lld", (long long)sum.load());
}

// Several callers at once, while another thread resizes the pool: every job completes exactly.
static void test_pool_concurrent_callers() {
    std::atomic<bool> stop{false};
    std::atomic<int> bad{0};
    std::thread resizer([&] {
        for (int i = 0; !stop.load(); ++i) vane_set_threads(1 + i % 4);
    });
    std::vector<std::thread> callers;
    for (int t = 0; t < 4; ++t) {
        callers.emplace_back([&, t] {
            for (int iter = 0; iter < 300; ++iter) {
                const int64_t n = 1000 + 37 * t + iter;
                std::atomic<int64_t> sum{0};
                vane::parallel_for(n, 16, [&](int64_t b, int64_t e) {
                    for (int64_t i = b; i < e; ++i) sum += i;
                });
                if (sum.load() != n * (n - 1) / 2) bad++;
            }
        });
    }
    for (std::thread &c : callers) c.join();
    stop = true;
    resizer.join();
    CHECK(bad.load() == 0, "%d jobs summed wrong under concurrency", bad.load());
}

static void test_formats() {
    vane_format_desc d;
    int count = 0;
    for (int32_t f = 0; f < 64; ++f) {
        if (vane_format_info(f, &d) != VANE_OK) continue;
        ++count;
        CHECK(d.format == f, "id");
        CHECK(d.block_elems >= 1 && d.block_bytes >= 1 && d.row_group >= 1, "%s", d.name);
        const int64_t rows = 3 * d.row_group;
        int64_t bytes = -1;
        CHECK(vane_quant_size(f, rows, 512, &bytes) == VANE_OK, "%s", vane_last_error());
        if (!d.planar) CHECK(bytes == rows * (512 / d.block_elems) * d.block_bytes, "%s size %lld", d.name, (long long)bytes);
        if (d.row_group > 1) CHECK(vane_quant_size(f, rows + 1, 512, &bytes) == VANE_E_INVALID_ARGUMENT, "%s: partial row group", d.name);
    }
    CHECK(count == VANE_FORMAT_IQ4_NL_X8 + 1, "%d formats, got %d", VANE_FORMAT_IQ4_NL_X8 + 1, count);
    CHECK(vane_format_info(VANE_FORMAT_IQ4_NL_X8 + 1, &d) == VANE_E_INVALID_ARGUMENT, "unknown format");
    CHECK(vane_format_info(VANE_FORMAT_Q4_0, &d) == VANE_OK && strcmp(d.name, "q4_0") == 0 &&
              d.block_bytes == 18 && d.block_elems == 32, "q4_0 desc");
    // Planar FP8: codes, 64-aligned, then scales.
    int64_t bytes = 0;
    CHECK(vane_quant_size(VANE_FORMAT_FP8_E4M3_ROW, 3, 5, &bytes) == VANE_OK && bytes == 64 + 3 * 4, "row %lld", (long long)bytes);
    CHECK(vane_quant_size(VANE_FORMAT_FP8_E4M3_B128, 200, 300, &bytes) == VANE_OK &&
              bytes == 60000 + 32 + 2 * 3 * 4, "b128 %lld", (long long)bytes);
}

int main() {
    test_version_and_cpu();
    const int32_t threads = vane_get_threads();
    test_thread_pool();
    test_pool_exception();
    test_pool_concurrent_callers();
    vane_set_threads(threads);
    test_formats();
    return finish("test_core");
}
