// gemm_bench: times vane_gemm through the public C ABI, next to this machine's ceilings measured
// in the same run (vane_probe_*). Not a test; built only with -DVANE_BUILD_BENCH=ON:
//
//   cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DVANE_BUILD_BENCH=ON
//   cmake --build build/bench -j2 --target gemm_bench
//   build/bench/native/gemm_bench [gemv|gemv:N|gemm|model|decode|incache|incache:M[:N]|all] [runs] [format id ...]
//
// Format ids are VANE_FORMAT_* (vane.h); the default is q4_0 q8_0 int4_sym_g128 int4_asym_g32
// int8_g32 (14 15 7 8 11); 0 1 2 3 4 are f32 f16 bf16 fp8_e4m3_row fp8_e4m3_b128, 16 q4_0x8,
// 22 q4_k, 28 q4_kx8, 24 q6_k, 29 q6_kx8, 26 iq4_xs, 30 iq4_xsx8.
//
// GEMV: y = x * W^T for W [14336, 4096] (a Llama-3-8B FFN matrix; gemv:N for W [N, 4096]), M = 1
// at 1 and 2 threads, and M = 2, 4, 8, 16 (small batches: batched decode, speculative decoding) at 2
// threads.
// The weights rotate over 8 copies (8 x 33 MB for q4_0, well past the 32 MB L3), so every call
// streams its weights from DRAM; reported: median time over `runs` calls (and the 10-90%
// spread), and GB/s of weight + scale bytes against the streaming read bandwidth.
// GEMM: M = 64 and 512 rows of x against W [4096, 4096], GFLOP/s (2 * M * N * K / time)
// against the int8 dot peak (integer formats) or the fp32 FMA peak (float formats).
// model: M = 128 rows of x (a 128-token prompt) against the four matrix shapes of a 1.1B Llama
// layer (TinyLlama: q/o 2048x2048, k/v 512x2048, gate/up 5632x2048, down 2048x5632), each once
// per layer as prefill runs them, 2 threads: the sum over one layer against the FMA peak.
// decode: M = 1..64 against the 7 matrices of one d-2048 layer (this repo's 0.4B test model), 2 threads.
// incache: GEMV on a [256, 4096] matrix that stays in L2, one thread: each kernel's own speed
// (incache:M[:N]: M rows of x and N of W, against half the 2-thread int8 peak).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "vane.h"

namespace {

double now_s() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

struct Stats {
    double median, p10, p90;
};

Stats stats(std::vector<double> t) {
    std::sort(t.begin(), t.end());
    auto at = [&](double q) { return t[(size_t)(q * (double)(t.size() - 1) + 0.5)]; };
    return {at(0.5), at(0.1), at(0.9)};
}

uint64_t rng_state = 88172645463325252ull;
double uniform() {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) * 0x1p-53;
}
float normal() { return (float)((uniform() + uniform() + uniform() - 1.5) * 2.0); }

// An [n, k] matrix in `format`: 256 random rows quantized, repeated down to n rows (the kernels'
// speed does not depend on the values).
std::vector<uint8_t> make_matrix(int32_t format, int64_t n, int64_t k, int64_t *bytes) {
    const int64_t seed_rows = 256;
    std::vector<float> src(seed_rows * k);
    for (float &v : src) v = normal();
    int64_t seed_bytes = 0;
    vane_quant_size(format, seed_rows, k, &seed_bytes);
    std::vector<uint8_t> seed(seed_bytes);
    if (vane_quant_quantize(format, src.data(), seed_rows, k, seed.data(), seed_bytes) != VANE_OK) {
        fprintf(stderr, "quantize: %s\n", vane_last_error());
        exit(1);
    }
    vane_quant_size(format, n, k, bytes);
    std::vector<uint8_t> m(*bytes);
    vane_format_desc d;
    vane_format_info(format, &d);
    if (!d.planar) {
        const int64_t row = seed_bytes / seed_rows;
        for (int64_t r = 0; r < n; r++) memcpy(&m[r * row], &seed[(r % seed_rows) * row], row);
    } else {  // fp8: codes, then the scales (kept at 1/448-ish values from the seed)
        for (int64_t r = 0; r < n; r++) memcpy(&m[r * k], &seed[(r % seed_rows) * k], k);
        const int64_t off = (n * k + 63) / 64 * 64, seed_off = (seed_rows * k + 63) / 64 * 64;
        for (int64_t s = off, t = 0; s + 4 <= *bytes; s += 4, t += 4)
            memcpy(&m[s], &seed[seed_off + (t % (seed_bytes - seed_off))], 4);
    }
    return m;
}

const char *name_of(int32_t format) {
    static vane_format_desc d;
    vane_format_info(format, &d);
    return d.name;
}

void gemv(const std::vector<int32_t> &formats, int runs, double read_gbps, int64_t n) {
    const int64_t k = 4096, copies = 8;
    std::vector<float> x(16 * k), y(16 * n);
    for (float &v : x) v = normal();
    printf("\nGEMV y[M, %lld] = x[M, %lld] * W^T, M = 1 (and 2, 4, 8, 16: small batches), %lld copies of W rotated, median "
           "of %d calls\n",
           (long long)n, (long long)k, (long long)copies, runs);
    printf("%-16s %3s %7s %10s %12s %10s %9s %9s\n", "format", "M", "threads", "MB/call", "median ms", "10-90% ms",
           "GB/s", "of read");
    for (int32_t format : formats) {
        int64_t bytes = 0;
        std::vector<std::vector<uint8_t>> w;
        w.push_back(make_matrix(format, n, k, &bytes));
        for (int c = 1; c < copies; c++) w.push_back(w[0]);
        for (int64_t m : {1, 2, 4, 8, 16})
        for (int threads : {1, 2}) {
            if (m > 1 && threads == 1) continue;
            vane_set_threads(threads);
            for (int c = 0; c < 2 * copies; c++)  // warm-up: page faults, pool threads, scratch
                vane_gemm(format, w[c % copies].data(), bytes, n, k, x.data(), k, m, nullptr, y.data(), n);
            std::vector<double> t;
            for (int r = 0; r < runs; r++) {
                const double t0 = now_s();
                vane_status s = vane_gemm(format, w[r % copies].data(), bytes, n, k, x.data(), k, m, nullptr,
                                          y.data(), n);
                t.push_back(now_s() - t0);
                if (s != VANE_OK) {
                    fprintf(stderr, "vane_gemm: %s\n", vane_last_error());
                    exit(1);
                }
            }
            const Stats st = stats(t);
            const double gbps = (double)bytes / st.median * 1e-9;  // weight bytes streamed per second
            printf("%-16s %3lld %7d %10.1f %12.3f %4.3f-%.3f %9.1f %8.0f%%\n", name_of(format), (long long)m, threads,
                   bytes * 1e-6, st.median * 1e3, st.p10 * 1e3, st.p90 * 1e3, gbps, 100.0 * gbps / read_gbps);
        }
    }
}

void gemm(const std::vector<int32_t> &formats, int runs, double int8_gops, double fma_gflops) {
    const int64_t n = 4096, k = 4096;
    printf("\nGEMM y[M, %lld] = x[M, %lld] * W^T, median of %d calls (M = 512: of %d)\n", (long long)n, (long long)k,
           runs, (runs + 7) / 8);
    printf("%-16s %7s %5s %12s %10s %9s %9s\n", "format", "threads", "M", "median ms", "10-90% ms", "GFLOP/s",
           "of peak");
    for (int32_t format : formats) {
        int64_t bytes = 0;
        std::vector<uint8_t> w = make_matrix(format, n, k, &bytes);
        const bool integer = format >= VANE_FORMAT_INT4_SYM_G32;
        for (int threads : {1, 2})
        for (int64_t m : {64, 512}) {
            vane_set_threads(threads);
            std::vector<float> x(m * k), y(m * n);
            for (float &v : x) v = normal();
            vane_gemm(format, w.data(), bytes, n, k, x.data(), k, m, nullptr, y.data(), n);  // warm-up
            const int reps = m == 512 ? (runs + 7) / 8 : runs;
            std::vector<double> t;
            for (int r = 0; r < reps; r++) {
                const double t0 = now_s();
                vane_gemm(format, w.data(), bytes, n, k, x.data(), k, m, nullptr, y.data(), n);
                t.push_back(now_s() - t0);
            }
            const Stats st = stats(t);
            const double gflops = 2.0 * m * n * k / st.median * 1e-9;
            // The ceilings were measured on 2 threads; one thread has half of them.
            const double peak = (integer ? int8_gops : fma_gflops) * threads / 2;
            printf("%-16s %7d %5lld %12.2f %5.2f-%.2f %9.1f %8.0f%% %s\n", name_of(format), threads, (long long)m,
                   st.median * 1e3, st.p10 * 1e3, st.p90 * 1e3, gflops, 100.0 * gflops / peak,
                   integer ? "(int8 dot peak)" : "(fp32 FMA peak)");
        }
    }
}

// The model mode (above): per shape median ms, and the layer's sum (q, k, v, o, gate, up, down).
void model(const std::vector<int32_t> &formats, int runs, double fma_gflops) {
    const int64_t m = 128;
    struct Shape {
        int64_t n, k;
        int times;  // per layer
    };
    const Shape shapes[] = {{2048, 2048, 2}, {512, 2048, 2}, {5632, 2048, 2}, {2048, 5632, 1}};
    printf("\nGEMM at M = %lld on a 1.1B Llama layer's shapes, 2 threads, median of %d calls\n", (long long)m, runs);
    printf("%-16s %6s %6s %12s %10s %9s %9s\n", "format", "n", "k", "median ms", "10-90% ms", "GFLOP/s", "of peak");
    vane_set_threads(2);
    for (int32_t format : formats) {
        double layer_s = 0, layer_flop = 0;
        for (const Shape &sh : shapes) {
            int64_t bytes = 0;
            std::vector<uint8_t> w = make_matrix(format, sh.n, sh.k, &bytes);
            std::vector<float> x(m * sh.k), y(m * sh.n);
            for (float &v : x) v = normal();
            vane_gemm(format, w.data(), bytes, sh.n, sh.k, x.data(), sh.k, m, nullptr, y.data(), sh.n);  // warm-up
            std::vector<double> t;
            for (int r = 0; r < runs; r++) {
                const double t0 = now_s();
                vane_gemm(format, w.data(), bytes, sh.n, sh.k, x.data(), sh.k, m, nullptr, y.data(), sh.n);
                t.push_back(now_s() - t0);
            }
            const Stats st = stats(t);
            const double flop = 2.0 * m * sh.n * sh.k, gflops = flop / st.median * 1e-9;
            layer_s += sh.times * st.median;
            layer_flop += sh.times * flop;
            printf("%-16s %6lld %6lld %12.3f %5.3f-%.3f %9.1f %8.0f%%\n", name_of(format), (long long)sh.n,
                   (long long)sh.k, st.median * 1e3, st.p10 * 1e3, st.p90 * 1e3, gflops, 100.0 * gflops / fma_gflops);
        }
        const double gflops = layer_flop / layer_s * 1e-9;
        printf("%-16s %13s %12.3f %10s %9.1f %8.0f%% (fp32 FMA peak)\n", name_of(format), "layer", layer_s * 1e3, "",
               gflops, 100.0 * gflops / fma_gflops);
    }
}

// The decode mode: M = 1..64 rows of x (batched decode: one token of each of M sequences)
// against the seven matrices of one layer of this 0.4B Llama (d 2048, kv 512, ffn 5632), 2
// threads; 3 copies of the layer (75 MB for q4_0x8) rotate, so the weights come from DRAM as in
// a decode step. Per M: the layer's median ms and Gop/s (2 * M * N * K) against the int8 peak.
void decode(const std::vector<int32_t> &formats, int runs, double int8_gops) {
    struct Shape {
        int64_t n, k;
    };
    const Shape shapes[] = {{2048, 2048}, {512, 2048}, {512, 2048}, {2048, 2048}, {5632, 2048}, {5632, 2048}, {2048, 5632}};
    const int copies = 3;
    printf("\nbatched decode: M rows of x against one d-2048 layer's 7 matrices, 2 threads, median of %d layers\n", runs);
    printf("%-16s %4s %12s %10s %9s %9s\n", "format", "M", "layer ms", "10-90% ms", "Gop/s", "of peak");
    vane_set_threads(2);
    for (int32_t format : formats) {
        std::vector<std::vector<uint8_t>> w;
        std::vector<int64_t> bytes;
        for (int c = 0; c < copies; c++)
            for (const Shape &sh : shapes) {
                int64_t b = 0;
                w.push_back(make_matrix(format, sh.n, sh.k, &b));
                bytes.push_back(b);
            }
        for (int64_t m : {1, 2, 4, 8, 16, 32, 64}) {
            std::vector<float> x(m * 5632), y(m * 5632);
            for (float &v : x) v = normal();
            double flop = 0;
            for (const Shape &sh : shapes) flop += 2.0 * m * sh.n * sh.k;
            std::vector<double> t;
            for (int r = -copies; r < runs; r++) {  // the first round warms up
                const int c = (r + copies) % copies;
                const double t0 = now_s();
                for (int s = 0; s < 7; s++) {
                    const Shape &sh = shapes[s];
                    const size_t at = (size_t)c * 7 + s;
                    vane_gemm(format, w[at].data(), bytes[at], sh.n, sh.k, x.data(), sh.k, m, nullptr, y.data(), sh.n);
                }
                if (r >= 0) t.push_back(now_s() - t0);
            }
            const Stats st = stats(t);
            const double gops = flop / st.median * 1e-9;
            printf("%-16s %4lld %12.3f %5.3f-%.3f %9.1f %8.0f%%\n", name_of(format), (long long)m, st.median * 1e3,
                   st.p10 * 1e3, st.p90 * 1e3, gops, 100.0 * gops / int8_gops);
        }
    }
}

}  // namespace

// GEMV with the weights in L2 (W [256, 4096], about 0.5-1 MB, the same matrix every call), one
// thread: the kernel's own speed, the ceiling a GEMV reaches when memory is faster than that.
// incache:M[:N] takes M rows of x (a small batch) and N rows of W (256), with the rate against
// one thread's int8 peak; two N tell a kernel's marginal rate from its fixed cost per call.
void incache(const std::vector<int32_t> &formats, int runs, int64_t m, int64_t n, double int8_gops_1t) {
    const int64_t k = 4096;
    std::vector<float> x(m * k), y(m * n);
    for (float &v : x) v = normal();
    vane_set_threads(1);
    printf("\nGEMM y[%lld, %lld] = x * W^T with W in L2 (the same matrix every call), 1 thread, median of %d calls\n",
           (long long)m, (long long)n, runs);
    printf("%-16s %8s %12s %10s %9s %8s\n", "format", "KB", "median us", "GB/s", "Gop/s", "of peak");
    for (int32_t format : formats) {
        int64_t bytes = 0;
        std::vector<uint8_t> w = make_matrix(format, n, k, &bytes);
        for (int i = 0; i < 100; i++) vane_gemm(format, w.data(), bytes, n, k, x.data(), k, m, nullptr, y.data(), n);
        std::vector<double> t;
        for (int r = 0; r < runs; r++) {
            const double t0 = now_s();
            for (int i = 0; i < 20; i++) vane_gemm(format, w.data(), bytes, n, k, x.data(), k, m, nullptr, y.data(), n);
            t.push_back((now_s() - t0) / 20);
        }
        const Stats s = stats(t);
        const double gops = 2.0 * m * n * k / s.median * 1e-9;
        printf("%-16s %8lld %12.1f %10.1f %9.1f %7.0f%%\n", name_of(format), (long long)(bytes / 1024), s.median * 1e6,
               bytes / s.median / 1e9, gops, 100.0 * gops / int8_gops_1t);
    }
    vane_set_threads(2);
}

int main(int argc, char **argv) {
    const char *what = argc > 1 ? argv[1] : "all";
    const int runs = argc > 2 ? atoi(argv[2]) : 200;
    vane_cpu_info cpu;
    vane_cpu_features(&cpu);
    const char *variant = cpu.active == VANE_ISA_AVX512 ? "avx512" : cpu.active == VANE_ISA_AVX2 ? "avx2" : "baseline";
    printf("gemm_bench: variant %s (%s)\n", variant, cpu.reason);
    vane_set_threads(2);
    double read_gbps = 0, fma = 0, dot = 0;
    vane_probe_read_bandwidth(int64_t(1) << 30, 5, &read_gbps);
    vane_probe_fma_peak(5, &fma);
    vane_probe_int8_dot_peak(5, &dot);
    printf("ceilings (2 threads): read %.1f GB/s, fp32 FMA %.0f GFLOP/s, int8 dot %.0f Gop/s\n", read_gbps, fma, dot);
    std::vector<int32_t> formats = {VANE_FORMAT_Q4_0, VANE_FORMAT_Q8_0, VANE_FORMAT_INT4_SYM_G128,
                                    VANE_FORMAT_INT4_ASYM_G32, VANE_FORMAT_INT8_G32};
    if (argc > 3) {
        formats.clear();
        for (int a = 3; a < argc; a++) formats.push_back(atoi(argv[a]));
    }
    if (!strcmp(what, "gemv") || !strcmp(what, "all")) gemv(formats, runs, read_gbps, 14336);
    if (!strncmp(what, "gemv:", 5)) gemv(formats, runs, read_gbps, atoll(what + 5));
    if (!strcmp(what, "gemm") || !strcmp(what, "all")) gemm(formats, runs / 4 > 4 ? runs / 4 : 4, dot, fma);
    if (!strcmp(what, "model")) model(formats, runs, fma);
    if (!strcmp(what, "decode")) decode(formats, runs, dot);
    if (!strcmp(what, "incache") || !strcmp(what, "all")) incache(formats, runs, 1, 256, dot / 2);
    if (!strncmp(what, "incache:", 8)) {
        const char *n = strchr(what + 8, ':');
        incache(formats, runs, atoll(what + 8), n ? atoll(n + 1) : 256, dot / 2);
    }
    return 0;
}
