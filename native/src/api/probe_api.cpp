// Exported machine probes: the ceilings a benchmark reports its results against (streaming read
// bandwidth, fp32 multiply-add peak, integer dot-product peak), measured with the active
// variant's loops (probe/) over the whole thread pool. docs/CEILINGS.md describes them.
//
// Timing: every repeat is one parallel_for over many equal chunks (kChunksPerThread per pool
// thread, handed out dynamically), timed on the calling thread with steady_clock from before the
// call to after every thread has finished. Many small chunks keep the threads busy until the
// end (a thread idles at most for the last chunk, about 1/16 of the run), and a thread that
// wakes late takes fewer chunks instead of stretching the run. The result is the median repeat.
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <new>
#include <vector>

#include "core/dispatch.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "probe/probe.h"

namespace {

using vane::fail;

constexpr int64_t kMiB = int64_t(1) << 20;
constexpr int64_t kMinReadBytes = kMiB;
constexpr int64_t kMaxReadBytes = int64_t(1) << 40;  // 1 TiB, whatever the machine
constexpr int32_t kMaxRepeats = 1000;
constexpr int64_t kChunksPerThread = 16;
constexpr double kRepeatSeconds = 0.1;      // target length of one compute repeat
constexpr double kCalibrateSeconds = 0.002; // a calibration run at least this long
constexpr int64_t kHugePage = 2 * kMiB;     // buffer alignment: lets the kernel use huge pages

// Loop results end here, so no loop's work is dead.
std::atomic<uint64_t> g_sink{0};

double seconds(std::chrono::steady_clock::time_point t0, std::chrono::steady_clock::time_point t1) {
    const double s = std::chrono::duration<double>(t1 - t0).count();
    return s > 1e-9 ? s : 1e-9;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

vane_status check_common(const char *fn, int32_t repeats, const void *out) {
    if (!out) return fail(VANE_E_INVALID_ARGUMENT, "%s: out is null", fn);
    if (repeats < 1 || repeats > kMaxRepeats)
        return fail(VANE_E_INVALID_ARGUMENT, "%s: repeats must be in [1, %d], got %d", fn, kMaxRepeats, repeats);
    return VANE_OK;
}

// Physical memory in bytes, or 0 if the system will not say.
int64_t physical_memory() {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page <= 0) return 0;
    return (int64_t)pages * (int64_t)page;
}

struct FreeDeleter {
    void operator()(void *p) const { free(p); }
};

// Median over `repeats` of (work of one parallel pass) / (its wall time), for a compute loop
// `loop(iters)` returning a value to sink. The pass is sized from a calibration run on this
// thread so that it takes about kRepeatSeconds when every pool thread takes part.
template <class Loop>
double compute_peak(int32_t repeats, double ops_per_iter, Loop loop) {
    using clock = std::chrono::steady_clock;
    int64_t iters = 4096;
    double t = 0.0;
    for (;;) {
        const auto t0 = clock::now();
        g_sink.fetch_add(loop(iters), std::memory_order_relaxed);
        t = seconds(t0, clock::now());
        if (t >= kCalibrateSeconds || iters >= (int64_t(1) << 40)) break;
        iters *= 4;
    }
    const double round_seconds = kRepeatSeconds / kChunksPerThread;  // one chunk on every thread
    const double per_chunk_d = (double)iters * round_seconds / t;
    int64_t per_chunk = per_chunk_d < 1.0 ? 1 : (int64_t)per_chunk_d;
    const int64_t chunks = (int64_t)vane::pool_threads() * kChunksPerThread;
    auto pass = [&](int64_t n) {
        vane::parallel_for(n, 1, [&](int64_t b, int64_t e) {
            uint64_t s = 0;
            for (int64_t c = b; c < e; ++c) s += loop(per_chunk);
            g_sink.fetch_add(s, std::memory_order_relaxed);
        });
    };
    // Untimed: wakes (or starts) the workers and their clocks. It is one chunk per thread, so it
    // should take one round; when it takes much longer (more pool threads than cores, or a busy
    // pool running it on this thread alone), shorter chunks keep a repeat near kRepeatSeconds.
    const auto w0 = clock::now();
    pass(vane::pool_threads());
    const double w = seconds(w0, clock::now());
    if (w > 2.0 * round_seconds) {
        const double scaled = (double)per_chunk * round_seconds / w;
        per_chunk = scaled < 1.0 ? 1 : (int64_t)scaled;
    }
    std::vector<double> rates;
    rates.reserve((size_t)repeats);
    for (int32_t r = 0; r < repeats; ++r) {
        const auto t0 = clock::now();
        pass(chunks);
        const double dt = seconds(t0, clock::now());
        rates.push_back((double)chunks * (double)per_chunk * ops_per_iter / dt);
    }
    return median(std::move(rates));
}

}  // namespace

extern "C" {

VANE_API vane_status vane_probe_read_bandwidth(int64_t bytes, int32_t repeats, double *out_gbps) {
    const char *fn = "vane_probe_read_bandwidth";
    if (vane_status s = check_common(fn, repeats, out_gbps)) return s;
    if (bytes < kMinReadBytes)
        return fail(VANE_E_INVALID_ARGUMENT,
                    "%s: bytes must be at least 1 MiB (%lld), got %lld; use >= 8x the L3 cache "
                    "so the reads come from memory",
                    fn, (long long)kMinReadBytes, (long long)bytes);
    const int64_t phys = physical_memory();
    const int64_t limit = phys > 0 ? std::min(kMaxReadBytes, phys / 2) : kMaxReadBytes;
    if (bytes > limit)
        return fail(VANE_E_INVALID_ARGUMENT,
                    "%s: bytes = %lld is more than %s (%lld bytes); a buffer that large would "
                    "swap or be killed",
                    fn, (long long)bytes, phys > 0 && limit < kMaxReadBytes ? "half the physical memory" : "1 TiB",
                    (long long)limit);
    VANE_GUARD_BEGIN
    const vane::ProbeKernels &k = vane::probe_variants.active();
    // Aligned to 2 MiB (so 64 B too), and a whole number of 2 MiB pages, so the kernel may back
    // it with huge pages: fewer TLB misses, as a large mapped weight file would get.
    const int64_t alloc = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    void *raw = nullptr;
    if (posix_memalign(&raw, (size_t)kHugePage, (size_t)alloc) != 0 || !raw)
        return fail(VANE_E_OUT_OF_MEMORY, "%s: could not allocate %lld bytes", fn, (long long)bytes);
    std::unique_ptr<void, FreeDeleter> owner(raw);
    (void)madvise(raw, (size_t)alloc, MADV_HUGEPAGE);  // a hint; failure is fine
    uint8_t *buf = static_cast<uint8_t *>(raw);

    // Contiguous chunks, kChunksPerThread per thread, each a multiple of 4 KiB.
    const int64_t threads = vane::pool_threads();
    int64_t chunk = bytes / (threads * kChunksPerThread);
    chunk = std::max<int64_t>(4096, (chunk + 4095) / 4096 * 4096);
    const int64_t chunks = (bytes + chunk - 1) / chunk;
    auto range = [&](int64_t c, int64_t *len) {
        const int64_t begin = c * chunk;
        *len = std::min(chunk, bytes - begin);
        return buf + begin;
    };
    // Write every page once, each chunk by the pool (so pages land near the threads that read
    // them on a NUMA machine), with a different value in every 8-byte word: a never-written page
    // would read as the shared zero page, and identical pages could be merged by the host
    // (same-page merging), either way reading from cache instead of memory.
    vane::parallel_for(chunks, 1, [&](int64_t b, int64_t e) {
        for (int64_t c = b; c < e; ++c) {
            int64_t len;
            uint8_t *p = range(c, &len);
            const uint64_t first = (uint64_t)(p - buf) / 8;
            const int64_t words = len / 8;
            for (int64_t i = 0; i < words; ++i) {
                const uint64_t w = (first + (uint64_t)i + 1) * 0x9E3779B97F4A7C15ull;  // odd: distinct words
                memcpy(p + 8 * i, &w, 8);
            }
            memset(p + 8 * words, 0x5a, (size_t)(len - 8 * words));
        }
    });
    std::vector<double> rates;
    rates.reserve((size_t)repeats);
    for (int32_t r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        vane::parallel_for(chunks, 1, [&](int64_t b, int64_t e) {
            uint64_t s = 0;
            for (int64_t c = b; c < e; ++c) {
                int64_t len;
                const uint8_t *p = range(c, &len);
                s += k.read_sum(p, len);
            }
            g_sink.fetch_add(s, std::memory_order_relaxed);
        });
        const double dt = seconds(t0, std::chrono::steady_clock::now());
        rates.push_back((double)bytes / dt / 1e9);
    }
    *out_gbps = median(std::move(rates));
    return VANE_OK;
    VANE_GUARD_END
}

VANE_API vane_status vane_probe_fma_peak(int32_t repeats, double *out_gflops) {
    if (vane_status s = check_common("vane_probe_fma_peak", repeats, out_gflops)) return s;
    VANE_GUARD_BEGIN
    const vane::ProbeKernels &k = vane::probe_variants.active();
    const double flops = compute_peak(repeats, k.fma_flops_per_iter, [&](int64_t n) -> uint64_t {
        const float v = k.fma_loop(n);
        uint32_t bits;
        memcpy(&bits, &v, sizeof bits);
        return bits;
    });
    *out_gflops = flops / 1e9;
    return VANE_OK;
    VANE_GUARD_END
}

VANE_API vane_status vane_probe_int8_dot_peak(int32_t repeats, double *out_gops) {
    if (vane_status s = check_common("vane_probe_int8_dot_peak", repeats, out_gops)) return s;
    VANE_GUARD_BEGIN
    const vane::ProbeKernels &k = vane::probe_variants.active();
    const double ops = compute_peak(repeats, k.int8_ops_per_iter,
                                    [&](int64_t n) -> uint64_t { return k.int8_dot_loop(n); });
    *out_gops = ops / 1e9;
    return VANE_OK;
    VANE_GUARD_END
}

}  // extern "C"
