// Single-core GEMV speed of the K-quant / IQ4_XS dot kernels (gemm/ggml_dot.h): y[r] =
// dot(W[r], x) over rows of 4096 columns, with the weights in L2 (256 rows, repeated) and in
// DRAM (rows totalling 256 MB, one pass per run). Reports the weight bytes read per second
// (median and range of 7 runs). Usage: kquant_dot_bench [k-columns [format-name]]  (default
// 4096, every format). q4_k, q6_k and iq4_xs also run as q4_kx8, q6_kx8 and iq4_xsx8 (their rows
// repacked 8 at a time, vane.h): the AVX2 GEMV kernel on the same rows, bytes counted as the x8
// format stores them (148 / 210 / 138 per row and 256 columns) and as the rows they hold (144 /
// 210 / 136).
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "gemm/gemm.h"
#include "gemm/ggml_dot.h"
#include "gemm/x86_avx2.h"
#include "vane.h"

namespace {

struct Format {
    int32_t id;
    const char *name;
    int64_t bytes;
    int d_off, dmin_off;
};
const Format kFormats[] = {
    {VANE_FORMAT_Q2_K, "q2_k", 84, 80, 82},  {VANE_FORMAT_Q3_K, "q3_k", 110, 108, -1},
    {VANE_FORMAT_Q4_K, "q4_k", 144, 0, 2},   {VANE_FORMAT_Q5_K, "q5_k", 176, 0, 2},
    {VANE_FORMAT_Q6_K, "q6_k", 210, 208, -1}, {VANE_FORMAT_IQ4_XS, "iq4_xs", 136, 0, -1},
};

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

uint64_t g_state = 88172645463325252ull;
uint64_t next_u64() {
    g_state ^= g_state << 13;
    g_state ^= g_state >> 7;
    g_state ^= g_state << 17;
    return g_state;
}

// Random bytes with a small finite fp16 d (and dmin) in every super-block.
void fill(std::vector<uint8_t> &w, const Format &f) {
    for (size_t i = 0; i + 8 <= w.size(); i += 8) {
        const uint64_t r = next_u64();
        memcpy(&w[i], &r, 8);
    }
    for (size_t b = 0; b < w.size() / f.bytes; b++) {
        const uint16_t d = 0x1c00 | (uint16_t)(next_u64() & 0x3ff);
        memcpy(&w[b * f.bytes + f.d_off], &d, 2);
        if (f.dmin_off >= 0) memcpy(&w[b * f.bytes + f.dmin_off], &d, 2);
    }
}

// One GEMV pass over rows; returns a checksum so the work is not optimized away.
float gemv(vane::DotRowFn fn, const uint8_t *w, int64_t rows, int64_t row_bytes, const vane::act_q8_k *a, int64_t nb,
           float *y) {
    float s = 0.0f;
    for (int64_t r = 0; r < rows; r++) {
        y[r] = fn(w + r * row_bytes, a, nb);
        s += y[r];
    }
    return s;
}

// GB/s of weight bytes: median, min, max of 7 runs of `reps` passes each.
void measure(const char *label, vane::DotRowFn fn, const std::vector<uint8_t> &w, int64_t rows, int64_t row_bytes,
             const vane::act_q8_k *a, int64_t nb, int reps) {
    std::vector<float> y(rows);
    volatile float sink = gemv(fn, w.data(), rows, row_bytes, a, nb, y.data());  // warm up
    double gbs[7];
    for (double &g : gbs) {
        const double t0 = now_s();
        for (int i = 0; i < reps; i++) sink = sink + gemv(fn, w.data(), rows, row_bytes, a, nb, y.data());
        g = (double)rows * row_bytes * reps / (now_s() - t0) * 1e-9;
    }
    std::sort(gbs, gbs + 7);
    printf("  %-14s %8.2f GB/s  (%.2f .. %.2f)  %6.1f Mrow/s\n", label, gbs[3], gbs[0], gbs[6], gbs[3] * 1e3 / row_bytes);
    (void)sink;
}

// An x8 format: the same rows (q4_k / q6_k / iq4_xs bytes) repacked, then the AVX2 GEMV kernel
// over all of them on this thread (m = 1, x quantized once outside the timing, as in measure()).
void measure_x8(const char *label, int32_t from, int32_t to, const std::vector<uint8_t> &q4, int64_t rows, int64_t k, const vane::act_q8_k *a,
                int reps) {
    int64_t bytes = 0;
    vane_quant_size(to, rows, k, &bytes);
    std::vector<uint8_t> x8(bytes);
    if (vane_quant_repack(from, q4.data(), (int64_t)q4.size(), rows, k, to, x8.data(), bytes) != VANE_OK) {
        printf("  repack: %s\n", vane_last_error());
        return;
    }
    std::vector<float> y(rows);
    vane::GemmArgs args{to, x8.data(), rows, k, nullptr, k, 1, nullptr, y.data(), rows, (void *)a};
    const auto kernel = to == VANE_FORMAT_Q4_K_X8 ? vane::gemm_q4_kx8_avx2 : to == VANE_FORMAT_Q6_K_X8 ? vane::gemm_q6_kx8_avx2 : vane::gemm_iq4_xsx8_avx2;
    kernel(args, 0, rows);  // warm up
    double gbs[7];
    for (double &g : gbs) {
        const double t0 = now_s();
        for (int i = 0; i < reps; i++) kernel(args, 0, rows);
        g = (double)bytes * reps / (now_s() - t0) * 1e-9;
    }
    std::sort(gbs, gbs + 7);
    vane_format_desc fd, td;
    vane_format_info(from, &fd);
    vane_format_info(to, &td);
    printf("  %-14s %8.2f GB/s  (%.2f .. %.2f)  %6.1f Mrow/s  (%.2f GB/s of %s bytes)\n", label, gbs[3], gbs[0], gbs[6],
           gbs[3] * 1e3 * rows / (double)bytes, gbs[3] * fd.block_bytes / td.block_bytes, fd.name);
}

}  // namespace

int main(int argc, char **argv) {
    const int64_t k = argc > 1 ? atoll(argv[1]) : 4096;
    const int64_t nb = k / 256;
    vane_cpu_info info;
    vane_cpu_features(&info);
    const bool avx2 = (info.features & (VANE_CPU_AVX2 | VANE_CPU_FMA | VANE_CPU_F16C)) ==
                      (VANE_CPU_AVX2 | VANE_CPU_FMA | VANE_CPU_F16C);
    std::vector<float> x(k);
    for (int64_t i = 0; i < k; i++) x[i] = (float)((double)(next_u64() >> 11) * 0x1p-53 - 0.5);
    std::vector<vane::act_q8_k> a(nb);
    vane::quantize_act_q8_k(x.data(), a.data(), k);
    printf("single-core GEMV, k = %lld, 1 thread; L2: 256 rows repeated, DRAM: 256 MB of rows\n", (long long)k);
    const char *only = argc > 2 ? argv[2] : nullptr;
    for (const Format &f : kFormats) {
        if (only && strcmp(only, f.name) != 0) continue;
        const int64_t row_bytes = f.bytes * nb;
        printf("%s (%lld bytes per row)\n", f.name, (long long)row_bytes);
        std::vector<uint8_t> small(256 * row_bytes);
        fill(small, f);
        const int reps = (int)std::max<int64_t>(1, (int64_t)(400e6 / (double)small.size()));
        measure("ref, L2", vane::dot_row_kquant_ref(f.id), small, 256, row_bytes, a.data(), nb, std::max(1, reps / 200));
        if (!avx2) continue;
        measure("avx2, L2", vane::dot_row_kquant_avx2(f.id), small, 256, row_bytes, a.data(), nb, reps);
        const int64_t rows = (256ll << 20) / row_bytes;
        std::vector<uint8_t> big(rows * row_bytes);
        fill(big, f);
        measure("avx2, DRAM", vane::dot_row_kquant_avx2(f.id), big, rows, row_bytes, a.data(), nb, 1);
        if (f.id == VANE_FORMAT_Q4_K || f.id == VANE_FORMAT_Q6_K || f.id == VANE_FORMAT_IQ4_XS) {
            const int32_t to = f.id == VANE_FORMAT_Q4_K ? VANE_FORMAT_Q4_K_X8 : f.id == VANE_FORMAT_Q6_K ? VANE_FORMAT_Q6_K_X8 : VANE_FORMAT_IQ4_XS_X8;
            measure_x8("x8 avx2, L2", f.id, to, small, 256, k, a.data(), reps);
            measure_x8("x8 avx2, DRAM", f.id, to, big, rows / 8 * 8, k, a.data(), 1);
        }
    }
    return 0;
}
