// Single-thread throughput of the number-format kernels (quant/quant.h), the AVX2 and the AVX-512
// tables side by side in one run: FP8 encode / decode of a long array, and quantize / dequantize
// of a [rows, 4096] matrix (16 Mi floats by default: 64 MB, far beyond the caches) for f16, bf16,
// planar FP8 and the group formats. Reports GB/s of input (floats for encode / quantize, the
// encoded bytes for decode / dequantize): the best and the other of 2 runs after a warm-up.
// Usage: quant_bench [Mi-floats [name-substring]]  (default 16, i.e. 2^24; every kernel; rows
// are a multiple of 128). A table the
// CPU cannot run is skipped.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chrono>
#include <vector>

#include "core/cpu.h"
#include "quant/quant.h"
#include "vane.h"

namespace {

using vane::QuantKernels;

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// The seconds of the fastest and the slowest of `runs` timed calls after one warm-up call.
template <class Fn>
void time_runs(Fn fn, int runs, double *best, double *worst) {
    fn();
    *best = 1e30, *worst = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = now_s();
        fn();
        double t = now_s() - t0;
        if (t < *best) *best = t;
        if (t > *worst) *worst = t;
    }
}

struct Table {
    const char *name;
    const QuantKernels *k;
};

}  // namespace

int main(int argc, char **argv) {
    const int64_t cols = 4096;
    int64_t rows = (int64_t)((argc > 1 ? atof(argv[1]) : 16.0) * 1048576.0) / cols / 128 * 128;
    if (rows < 128) rows = 128;
    const char *filter = argc > 2 ? argv[2] : "";
    const int64_t n = rows * cols;

    vane_cpu_info info;
    std::vector<Table> tables;
    if (vane_cpu_features(&info) == VANE_OK) {
        if ((info.features & vane::kAvx2Needs) == vane::kAvx2Needs) tables.push_back({"avx2", &vane::quant_kernels_avx2});
        if ((info.features & vane::kAvx512Needs) == vane::kAvx512Needs) {
            tables.push_back({"avx512", &vane::quant_kernels_avx512});
        }
    }
    // Normal values with a per-row magnitude (every format quantizes them without a range error).
    std::vector<float> x((size_t)n), y((size_t)n);
    uint64_t s = 12345;
    for (int64_t i = 0; i < n; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        x[(size_t)i] = (float)((int64_t)(s >> 40) - (1 << 23)) * 0x1p-23f * (float)(1 + (i / cols) % 7);
    }
    std::vector<uint8_t> q((size_t)(4 * n + 4096));
    printf("quant_bench: %lld floats ([%lld, %lld]), 1 thread, GB/s of input (best / other of 2 runs)\n",
           (long long)n, (long long)rows, (long long)cols);
    printf("%-26s", "kernel");
    for (const Table &t : tables) printf(" %17s", t.name);
    if (tables.size() == 2) printf("   ratio");
    printf("\n");

    auto report = [&](const char *name, double in_bytes, auto run) {
        if (!strstr(name, filter)) return;
        printf("%-26s", name);
        double first = 0;
        for (size_t t = 0; t < tables.size(); t++) {
            double best, worst;
            time_runs([&] { run(*tables[t].k); }, 2, &best, &worst);
            printf("   %6.2f / %6.2f", in_bytes / best * 1e-9, in_bytes / worst * 1e-9);
            if (t == 0) first = best;
            else printf("   %5.2fx", first / best);
        }
        printf("\n");
        fflush(stdout);
    };

    const struct {
        int32_t kind;
        const char *enc, *dec;
    } fp8[] = {{VANE_FP8_E4M3, "fp8_encode e4m3", "fp8_decode e4m3"}, {VANE_FP8_E5M2, "fp8_encode e5m2", "fp8_decode e5m2"}};
    for (const auto &f : fp8) {
        report(f.enc, 4.0 * n, [&](const QuantKernels &k) { k.fp8_encode(f.kind, x.data(), q.data(), n); });
        report(f.dec, 1.0 * n, [&](const QuantKernels &k) { k.fp8_decode(f.kind, q.data(), y.data(), n); });
    }
    const int32_t formats[] = {VANE_FORMAT_F16,          VANE_FORMAT_BF16,          VANE_FORMAT_FP8_E4M3_ROW,
                               VANE_FORMAT_FP8_E4M3_B128, VANE_FORMAT_Q8_0,          VANE_FORMAT_Q4_0,
                               VANE_FORMAT_INT8_G32,      VANE_FORMAT_INT8_G128,     VANE_FORMAT_INT4_SYM_G32,
                               VANE_FORMAT_INT4_SYM_G128, VANE_FORMAT_INT4_ASYM_G32, VANE_FORMAT_INT4_ASYM_G128};
    for (int32_t format : formats) {
        const vane::FormatTraits &f = *vane::format_traits(format);
        double bytes = (double)vane::quant_size(f, rows, cols);
        char name[64];
        snprintf(name, sizeof name, "quantize %s", f.name);
        report(name, 4.0 * n, [&](const QuantKernels &k) {
            if (k.quantize(format, x.data(), rows, cols, 0, rows, q.data()) != vane::QUANT_OK) abort();
        });
        snprintf(name, sizeof name, "dequantize %s", f.name);
        report(name, bytes, [&](const QuantKernels &k) { k.dequantize(format, q.data(), rows, cols, 0, rows, y.data()); });
    }
    return 0;
}
